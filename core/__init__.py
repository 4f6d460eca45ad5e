"""civicgraph's domain: places, organisations, firms, cases. Knows nothing of GraphQL or HTTP."""
