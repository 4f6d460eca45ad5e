"""Places in GraphQL: streets, communities, compounds, buildings, grids."""
