"""Property-service firms: management contracts and credit."""
