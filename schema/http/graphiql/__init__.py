"""GraphiQL served from the package (development profile): the page at GET /graphql/{city} when
a browser asks for HTML, its bundled assets at /graphiql/assets/... . Nothing comes from another
origin, so it works on a city's intranet with no way out; the bundle is built from the pinned npm
project in src/ by `make graphiql` and committed (serving needs no Node)."""

from __future__ import annotations

import hashlib
import html
import os
from functools import cache
from pathlib import Path

from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from core.infra.settings import Settings

ASSETS = Path(__file__).resolve().parent / "assets"
ASSETS_PATH = "/graphiql/assets"

# The README's first query (tests/schema/http/test_graphiql.py holds the two together).
DEFAULT_QUERY = """{
  compounds(first: 5, filter: {nameContains: "雅园"}) {
    totalCount
    nodes {
      name kindLabel homes residents floorArea
      community { name street { name } }
      firm { name isStateOwned owningGroup }
    }
  }
}
"""

# Only this origin. Monaco writes <style> elements at run time, hence the inline styles; its
# workers are files of ours (worker-src 'self'); the fonts of GraphiQL's stylesheet are data:
# URLs inside it. connect-src 'self' covers this origin's ws:// and wss:// too.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "worker-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

_PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · {city}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/graphiql.css?v={version}">
<script type="module" src="{assets}/graphiql.js?v={version}"></script>
</head>
<body>
<div id="graphiql" data-city="{city}" data-query="{query}">Loading…</div>
</body>
</html>
"""


@cache
def _version() -> str:
    """Changes with the bundle, so that a browser never runs an old entry with new chunks."""
    digest = hashlib.sha256()
    for name in ("graphiql.js", "graphiql.css"):
        digest.update((ASSETS / name).read_bytes())
    return digest.hexdigest()[:12]


def page(city: str) -> HTMLResponse:
    """The page for one city: GraphiQL on this same path, over HTTP and graphql-ws."""
    body = _PAGE.format(
        city=html.escape(city),
        # Relative, so that a proxy serving the API under a prefix serves the assets too.
        assets=".." + ASSETS_PATH,
        version=_version(),
        query=html.escape(DEFAULT_QUERY, quote=True),
    )
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    return HTMLResponse(body, headers=headers)


class _Assets(StaticFiles):
    """The bundle's files with exact types (not the platform's mimetypes table) and no
    directory listings; revalidated by ETag, as each rebuild keeps the entry files' names."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        media_type = _TYPES.get(Path(full_path).suffix)
        if media_type is not None:
            response.headers["Content-Type"] = media_type
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
        return response


def routes(settings: Settings) -> list[BaseRoute]:
    """The assets' route; none in production, where GraphiQL is not served."""
    if settings.is_production:
        return []
    return [Mount(ASSETS_PATH, app=_Assets(directory=ASSETS), name="graphiql-assets")]
