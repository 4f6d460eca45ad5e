"""`civicgraph bench`: the compiled path, the resolver path, a naive strawberry + tortoise
implementation and a hand-written asyncpg baseline, driven over HTTP on 127.0.0.1."""
