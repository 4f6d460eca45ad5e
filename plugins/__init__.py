"""City plugins bundled with civicgraph, each registered through the civicgraph.plugins
entry point."""
