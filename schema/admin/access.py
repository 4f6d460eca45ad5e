"""Who is asking for an admin page: the token, from the Authorization header or the cookie.

A browser cannot send an Authorization header when a person opens a link, so the pages also
read an HttpOnly cookie scoped to /admin/{city}, set by a sign-in (schema/admin/sign_in.py in
development). A token is never taken from a URL: URLs end up in browser history, access logs
and referrers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from core.figures import report as figures
from core.figures.report import Area
from core.infra import clock
from core.infra.cities import load_city_configs
from core.infra.errors import AuthError, DomainError
from core.infra.i18n import language, message
from core.infra.tenancy import in_city
from core.security.auth import Principal, principal_from_token
from schema.api.checks import check_date
from schema.api.ids import optional_pk

COOKIE = "civicgraph_admin_token"


def token_of(request: Request) -> tuple[str | None, str]:
    """The token and where it came from: 'header' or 'cookie'."""
    auth = request.headers.get("authorization", "")
    kind, _, value = auth.partition(" ")
    if kind.lower() == "bearer" and value.strip():
        return value.strip(), "header"
    if request.cookies.get(COOKIE):
        return request.cookies[COOKIE], "cookie"
    return None, ""


@dataclass(frozen=True)
class AdminRequest:
    city: str
    lang: str
    principal: Principal
    area: Area
    as_of: dt.date
    token: str
    token_source: str


class Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _refuse(status: int, code: str, lang: str, **params: object) -> Refused:
    return Refused(PlainTextResponse(message(code, lang, **params), status_code=status))


async def admin_request(request: Request) -> AdminRequest:
    """Check city, token, role and area; raise Refused with the response to send."""
    city = request.path_params["city"]
    # `?lang=zh|en` wins over the browser's Accept-Language, so a link fixes the language.
    lang = request.query_params.get("lang", "")
    if lang not in ("zh", "en"):
        lang = language(request.headers.get("accept-language"))
    if city not in load_city_configs():
        raise _refuse(404, "UNKNOWN_CITY", lang, city=city)
    token, source = token_of(request)
    if token is None:
        raise _refuse(401, "AUTH_REQUIRED", lang)
    params = request.query_params
    try:
        principal = principal_from_token(token, city)
        with in_city(city):
            area = await figures.area_for(
                principal,
                optional_pk(params.get("streetId"), "Street", "streetId"),
                optional_pk(params.get("communityId"), "Community", "communityId"),
            )
        as_of = _as_of(params.get("asOf"), city)
    except AuthError as e:
        status = 403 if e.code == "FORBIDDEN" else 401
        raise _refuse(status, e.code, lang) from None
    except DomainError as e:
        raise Refused(PlainTextResponse(e.render(lang), status_code=400)) from None
    return AdminRequest(city, lang, principal, area, as_of, token, source)


def _as_of(text: str | None, city: str) -> dt.date:
    if not text:
        return clock.local_date(clock.now(), city)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError("INVALID_DATE", "asOf") from None
    return check_date(day, "asOf")  # the range the GraphQL Date takes (schema/api/checks.py)
