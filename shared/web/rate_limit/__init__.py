"""Rate limits: who a request counts against and its windows (`policy`, pure), and the Flask
hook that counts in Firestore and answers 429 (`hook`)."""
