"""The GraphQL layer and HTTP app over core: strawberry types, loaders, per-city schemas."""
