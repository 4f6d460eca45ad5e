"""Demo and synthetic data: outside the domain, which never imports it."""
