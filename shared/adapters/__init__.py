"""Adapters: the only code that performs I/O (Firestore, Pub/Sub, SendGrid)."""
