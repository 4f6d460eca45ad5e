"""Government purchases of community services from social organisations."""
