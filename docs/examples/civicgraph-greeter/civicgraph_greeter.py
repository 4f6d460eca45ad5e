"""A city's greeting in its GraphQL schema, and a count of the cases filed since start."""

from __future__ import annotations

import strawberry
from pydantic import BaseModel, Field

from schema.plugin_api import (
    CaseFiled,
    CityPlugins,
    SchemaContribution,
    city_plugins,
    hookimpl,
    settings_of,
)

filed: dict[str, int] = {}


class GreeterSettings(BaseModel):
    greeting: str = Field("欢迎", title="Greeting", description="Shown by the greeting field.")


@strawberry.type
class GreeterQuery:
    @strawberry.field(description="This city's greeting.")
    async def greeting(self) -> str:
        city = await city_plugins()
        settings = settings_of(city, "greeter", GreeterSettings)
        return f"{settings.greeting} ({filed.get(city.slug, 0)} cases filed)"


@hookimpl
def register_settings() -> type[BaseModel]:
    return GreeterSettings


@hookimpl
def register_schema(city: CityPlugins) -> SchemaContribution:
    return SchemaContribution(query=GreeterQuery)


@hookimpl
def case_filed(city: CityPlugins, event: CaseFiled) -> None:
    filed[city.slug] = filed.get(city.slug, 0) + 1
