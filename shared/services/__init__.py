"""Services: the use cases, written against the adapters. One module per flow."""
