"""The admin pages: the city overview (`/admin/{city}`) and the exports it links to."""

from __future__ import annotations

from starlette.routing import Route

from schema.admin.downloads import export
from schema.admin.page import overview
from schema.admin.sign_in import sign_in


def routes() -> list[Route]:
    return [
        Route("/admin/{city}", overview, methods=["GET"]),
        Route("/admin/{city}/export/{what}.{fmt}", export, methods=["GET"]),
        Route("/admin/{city}/sign-in", sign_in, methods=["GET", "POST"]),  # development only
    ]
