"""Firms, their contracts and their credit in GraphQL."""
