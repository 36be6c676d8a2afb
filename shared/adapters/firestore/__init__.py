"""Firestore stores: one small store per aggregate, all on the process's one client.

Only these modules know how documents are laid out (collection names, ids, fields, the
index keys in `keys`). Each collection is named, and queried, in one module only; a
write or a listing that spans collections (a document with its outbox entry, a grant
with its matches and alerts, everything kept for an address) asks the owning module
for the references it needs. Every query is spelled out with literal fields so
tests/contract can read it and check its composite index.
"""
