"""The app each benchmark server runs, chosen by CIVICGRAPH_BENCH_APP:

graphql  - the real app (schema.http.app); CIVICGRAPH_COMPILED=0 makes it the resolver path
naive    - strawberry + tortoise model objects, N+1 (tests/benchmarks/naive.py)
baseline - starlette + asyncpg, hand-written SQL (tests/benchmarks/baseline.py)
"""

from __future__ import annotations

import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.infra.db import StatementCounter
from schema.http import serving


def _counting(app: ASGIApp) -> ASGIApp:
    """With `x-civicgraph-count` in the request, the statements it cost (everything the app
    sent to the database while answering) come back in `x-civicgraph-statements`. The
    benchmark sends such requests one at a time: the counter sees the whole process."""

    async def counted(scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        if scope["type"] != "http" or b"x-civicgraph-count" not in headers:
            await app(scope, receive, send)
            return
        with StatementCounter() as counter:

            async def counted_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    extra = (b"x-civicgraph-statements", str(counter.count).encode())
                    message = {**message, "headers": [*message["headers"], extra]}
                await send(message)

            await app(scope, receive, counted_send)

    return counted


def create() -> ASGIApp:
    serving.tune_gc()  # every path alike, as `civicgraph serve` runs the real app
    kind = os.environ.get("CIVICGRAPH_BENCH_APP", "graphql")
    if kind == "naive":
        from tests.benchmarks.naive import create_naive_app

        return _counting(create_naive_app())
    if kind == "baseline":
        from tests.benchmarks.baseline import create_baseline_app

        return create_baseline_app()
    from schema.http.app import create_app

    return _counting(create_app())
