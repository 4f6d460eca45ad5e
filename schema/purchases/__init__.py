"""Service purchases in GraphQL."""
