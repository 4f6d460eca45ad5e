"""Persisted GraphQL documents: each city's store of query texts by id (docs/api.md)."""
