"""Grassroots people (building heads, workers, volunteers, mediators) and work-item admission."""
