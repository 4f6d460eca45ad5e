"""Grassroots people, venues and work items in GraphQL."""
