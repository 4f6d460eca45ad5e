"""Organisations in GraphQL."""
