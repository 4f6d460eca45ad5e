"""The `civicgraph` command."""
