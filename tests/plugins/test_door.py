"""The plugin door: plugins import core and schema only through schema.plugin_api, every name
of the door resolves and is documented, and its two helpers (typed settings, per-request state)
do what docs/plugins.md says."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

import schema.plugin_api as door
import schema.plugin_api.models as door_models
from core.infra.enums import Role
from core.plugins.contributions import CityPlugins
from core.security.auth import Principal
from schema.api.context import Context

ROOT = Path(__file__).resolve().parents[2]
DOOR = "schema.plugin_api"
# The bundled plugins, the webhooks distribution (not under the `plugins` package, so outside
# import-linter's roots) and the tutorial's plugin.
# pip's build/ copies are left out: a stale one holds whatever the plugin imported then.
PLUGIN_FILES = sorted(
    path
    for path in [*(ROOT / "plugins").rglob("*.py"), *(ROOT / "docs" / "examples").rglob("*.py")]
    if "build" not in path.relative_to(ROOT).parts
)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth, as (line, dotted name)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def is_forbidden(module: str) -> bool:
    top = module.split(".")[0]
    return top in ("core", "schema") and not (module == DOOR or module.startswith(DOOR + "."))


def test_plugins_import_core_and_schema_only_through_the_door() -> None:
    assert len(PLUGIN_FILES) > 40  # the walk found the plugins
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in PLUGIN_FILES
        for line, module in imported_modules(path)
        if is_forbidden(module)
    ]
    assert wrong == []


def test_the_walk_catches_a_forbidden_import(tmp_path: Path) -> None:
    plugin = tmp_path / "sneaky.py"
    plugin.write_text(
        "from schema.plugin_api import hookimpl\n"
        "import core.models\n"
        "def hook():\n"
        "    from schema.api.ids import pk_of\n"
    )
    assert [m for _, m in imported_modules(plugin) if is_forbidden(m)] == [
        "core.models",
        "schema.api.ids",
    ]


def door_reference() -> str:
    text = (ROOT / "docs" / "plugins.md").read_text()
    start = text.index("### Reference: every name of the door")
    return text[start : text.index("\n## ", start)]


@pytest.mark.parametrize("module", [door, door_models], ids=lambda m: m.__name__)
def test_every_name_of_the_door_resolves_and_is_documented(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    reference = door_reference()
    undocumented = [n for n in names if not re.search(rf"^- `{re.escape(n)}`", reference, re.M)]
    assert undocumented == []
    for name in names:
        assert getattr(module, name) is not None


def test_the_door_imports_each_name_of_all_once_at_its_top() -> None:
    tree = ast.parse(Path(door.__file__).read_text())
    imported = sorted(
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
    )
    assert imported == sorted(door.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Firmm"):
        door.Firmm  # noqa: B018


class Greeting(BaseModel):
    text: str = "欢迎"


def test_settings_of_is_typed_and_falls_back_to_the_defaults() -> None:
    city = CityPlugins("dongguan", frozenset({"greeter"}), {"greeter": Greeting(text="你好")})
    assert door.settings_of(city, "greeter", Greeting).text == "你好"
    assert door.settings_of(CityPlugins("zhuhai"), "greeter", Greeting) == Greeting()


def test_settings_of_refuses_another_model() -> None:
    class Other(BaseModel):
        pass

    city = CityPlugins("dongguan", frozenset({"greeter"}), {"greeter": Greeting()})
    with pytest.raises(TypeError, match="Greeting, not Other"):
        door.settings_of(city, "greeter", Other)


def test_plugin_state_is_made_once_per_request_and_per_plugin() -> None:
    principal = Principal(city="dongguan", role=Role.CITY_ADMIN, subject="t")
    one, other = Context(principal=principal, lang="zh"), Context(principal=principal, lang="zh")
    made: list[dict[str, int]] = []

    def make() -> dict[str, int]:
        made.append({})
        return made[-1]

    state = one.plugin_state("greeter", make)
    assert one.plugin_state("greeter", make) is state
    assert other.plugin_state("greeter", make) is not state
    assert one.plugin_state("points_credit", make) is not state
    assert len(made) == 3
