"""Grant Match domain code shared by every function: models, screening, events, adapters."""
