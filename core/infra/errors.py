"""Errors the domain raises; the API renders them with a code, a field and a message."""

from __future__ import annotations

from typing import Any

from core.infra.i18n import message


class DomainError(Exception):
    """Bad input or a refused action: the caller can fix it; nothing was written.

    `extensions` is structured detail a client acts on (each missing input of a refused run,
    say) beside the readable message; plain JSON values, no personal data.
    """

    def __init__(
        self,
        code: str,
        field: str | None = None,
        *,
        extensions: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.field = field
        self.params = {"field": field, **params}
        self.extensions = extensions
        super().__init__(self.render("en"))

    def render(self, lang: str) -> str:
        return message(self.code, lang, **self.params)


class ValidationErrors(DomainError):
    """Several field errors at once, so a form can show all of them."""

    def __init__(self, errors: list[DomainError]) -> None:
        self.errors = errors
        first = errors[0]
        params = {k: v for k, v in first.params.items() if k != "field"}
        super().__init__(first.code, first.field, extensions=first.extensions, **params)


class AuthError(DomainError):
    """Authentication or authorisation refused; rendered as a top-level GraphQL error."""
