"""What every function runs on: settings read once, JSON logging, the wiring of real adapters
(bootstrap), and the one consumer every Pub/Sub handler goes through."""
