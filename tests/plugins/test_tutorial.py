"""The tutorial of docs/plugins.md, step by step, with its own example files."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from core.infra.enums import Role
from core.plugins import calls as plugins
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/civicgraph-greeter"


@pytest.fixture
def greeter(empty_db: str) -> Iterator[ModuleType]:
    # What `pip install -e ./civicgraph-greeter` makes the entry point load.
    spec = importlib.util.spec_from_file_location(
        "civicgraph_greeter", EXAMPLE / "civicgraph_greeter.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # strawberry resolves annotations through sys.modules
    spec.loader.exec_module(module)
    plugins.register(module, "greeter")
    try:
        yield module
    finally:
        plugins.unregister("greeter")
        del sys.modules[spec.name]


async def test_the_tutorial_from_enabling_to_disabling(greeter: ModuleType, gql: GraphQLClient):
    admin = token("dongguan", Role.CITY_ADMIN, subject="admin-dg")
    town = await build_town("dongguan", compounds=1, cases_each=0)
    assert "errors" in await gql("{ greeting }", expect_errors=True)  # installed, not enabled

    enabled = await gql(
        'mutation { enablePlugin(plugin: "greeter") { plugin { active } } }', auth=admin
    )
    assert enabled["data"]["enablePlugin"]["plugin"] == {"active": True}
    configured = await gql(
        """mutation { updatePluginSettings(plugin: "greeter", settings: {greeting: "你好"}) {
            plugin { fields { name label value default } } errors { field code message } } }""",
        auth=admin,
    )
    assert configured["data"]["updatePluginSettings"] == {
        "plugin": {
            "fields": [
                {"name": "greeting", "label": "Greeting", "value": "你好", "default": "欢迎"}
            ]
        },
        "errors": [],
    }
    variables = {
        "input": {
            "kind": "SERVICE_REQUEST",
            "title": "路灯不亮",
            "compoundId": to_global_id("Compound", town.compounds[0].id),
        }
    }
    await gql(
        "mutation($input: FileCaseInput!) { fileCase(input: $input) { errors { code } } }",
        variables,
        auth=admin,
    )
    assert (await gql("{ greeting }"))["data"] == {"greeting": "你好 (1 cases filed)"}
    assert "errors" in await gql("{ greeting }", city="zhuhai", expect_errors=True)

    await gql('mutation { disablePlugin(plugin: "greeter") { errors { code } } }', auth=admin)
    assert "errors" in await gql("{ greeting }", expect_errors=True)
