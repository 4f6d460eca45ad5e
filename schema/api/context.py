"""What every resolver gets: the caller, the language, this request's loaders and plugins' state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from strawberry.types import Info as StrawberryInfo

from core.security.auth import Principal
from schema.api.documents import Persisted
from schema.api.loaders import Loaders

T = TypeVar("T")


@dataclass
class Context:
    principal: Principal
    lang: str
    # The persisted document the request runs (schema/api/documents.py), parsed already.
    document: Persisted | None = None
    loaders: Loaders = field(init=False)
    _plugin_states: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.principal)

    @property
    def city(self) -> str:
        return self.principal.city

    def plugin_state(self, plugin: str, make: Callable[[], T]) -> T:
        """This request's state of `plugin` (its loaders, say): made by `make` on first use,
        the same object for the rest of the request, gone with it."""
        if plugin not in self._plugin_states:
            self._plugin_states[plugin] = make()
        return cast(T, self._plugin_states[plugin])


Info = StrawberryInfo[Context, None]
