"""What every resolver gets: the caller, the language, and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.types import Info as StrawberryInfo

from core.security.auth import Principal
from schema.api.loaders import Loaders


@dataclass
class Context:
    principal: Principal
    lang: str
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.principal)

    @property
    def city(self) -> str:
        return self.principal.city


Info = StrawberryInfo[Context, None]
