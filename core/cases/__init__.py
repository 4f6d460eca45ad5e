"""Cases residents bring: filing and reading, the six-stage workflow, councils, live updates."""
