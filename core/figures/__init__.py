"""The governance figures a city reports, and the tables it exports."""
