"""City plugins bundled with civicgraph; each registers through the civicgraph.plugins entry point."""
