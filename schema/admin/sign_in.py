"""Development sign-in for the admin pages: the token in a form's body, kept in a cookie.

A browser opening /admin/{city} sends no Authorization header. In the development profile,
`GET /admin/{city}/sign-in` shows a form; posting a token to it sets the HttpOnly cookie the
pages read and redirects to the overview, so the token never appears in a URL (browser
history, the access log, referrers). In production both answer 404: people sign in through
the admin console, which is not this module.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from core.infra.cities import load_city_configs
from core.infra.errors import AuthError
from core.infra.i18n import language, message
from core.infra.settings import get_settings
from core.security.auth import principal_from_token
from schema.admin.access import COOKIE

MAX_BODY = 16_384  # a token is a few hundred bytes
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

FORM = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>
<form method="post" action="/admin/{city}/sign-in">
<label>{label} <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">{title}</button>
</form></body></html>
"""


async def _form_token(request: Request) -> str | None:
    """The `token` field of an urlencoded body, or None when there is none (or it is huge)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    fields = parse_qs(body.decode("utf-8", errors="replace"))
    token = (fields.get("token") or [""])[0].strip()
    return token or None


async def sign_in(request: Request) -> Response:
    city = request.path_params["city"]
    lang = language(request.headers.get("accept-language"))
    if get_settings().is_production or city not in load_city_configs():
        return PlainTextResponse(message("UNKNOWN_CITY", lang, city=city), status_code=404)
    if request.method == "GET":
        zh = lang != "en"
        html = FORM.format(
            lang=lang,
            city=escape(city),
            title="登录" if zh else "Sign in",
            label="令牌" if zh else "Token",
        )
        return HTMLResponse(html, headers=HEADERS)
    token = await _form_token(request)
    if token is None:
        return PlainTextResponse(message("AUTH_REQUIRED", lang), status_code=401)
    try:
        principal_from_token(token, city)  # the page checks the role; refuse garbage here
    except AuthError as e:
        return PlainTextResponse(message(e.code, lang), status_code=401)
    response = RedirectResponse(f"/admin/{city}", status_code=303, headers=HEADERS)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path=f"/admin/{city}")
    return response
