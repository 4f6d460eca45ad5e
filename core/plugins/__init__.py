"""The plugin contract (hookspecs, contributions, events), the manager, cities' configuration."""
