"""The domain: the public contract (models, events, taxonomy, codes, ids, text) and its rules
(errors, api keys, recipients, schedule). Pure Python: nothing here does I/O."""
