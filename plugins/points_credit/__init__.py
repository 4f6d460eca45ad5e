"""Points-based credit of property firms (plugin `points_credit`)."""
