"""Owners' votes and ballots in GraphQL."""
