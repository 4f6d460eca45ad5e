"""The HTTP app (starlette): routes, request guards, and how a serving process runs."""
