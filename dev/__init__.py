"""Local development: the stack runner, the SendGrid sink, emulators and demo data."""
