"""The governance figures as GraphQL."""
