"""The committed SDL files change only on purpose (`make schema` rewrites them), and a change
that breaks clients of the released SDLs is accepted only when named (schema/api/sdl.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.infra.settings import PROJECT_ROOT
from schema.api import sdl
from schema.api.build import core_schema


@pytest.mark.parametrize("name", sdl.names())
def test_each_served_sdl_matches_its_committed_file(name: str) -> None:
    path = sdl.committed_path(name)
    assert path.exists(), f"{path} is missing: run {sdl.REGENERATE} and commit it"
    assert sdl.current(name) == path.read_text(encoding="utf-8"), (
        f"The GraphQL schema served as {name!r} changed. If on purpose, run {sdl.REGENERATE} "
        f"and commit {path.relative_to(PROJECT_ROOT)}; clients generate their types from it."
    )


def test_each_city_serves_its_own_plugins_fields_beyond_the_core() -> None:
    served = {name: sdl.current(name) for name in sdl.names()}
    assert {"core", "dongguan", "zhuhai"} <= set(served)
    dongguan_only, zhuhai_only = "  firmAssessments(", "  decideAppeal("  # their plugins'
    assert dongguan_only in served["dongguan"] and zhuhai_only in served["zhuhai"]
    assert dongguan_only not in served["core"] + served["zhuhai"]
    assert zhuhai_only not in served["core"] + served["dongguan"]


def test_no_break_since_the_release_that_nobody_accepted() -> None:
    unexplained, stale = sdl.check()
    assert not unexplained, (
        "These changes break clients of the released SDLs (schema/sdl/released/). Undo them, "
        f"or, if deliberate, add to {sdl.DELIBERATE.relative_to(PROJECT_ROOT)} with the "
        "reason:\n\n" + "\n".join(b.entry() for b in unexplained)
    )
    assert not stale, f"entries of {sdl.DELIBERATE.name} that match no break any more: {stale}"


def test_the_check_reports_a_removed_field_until_it_is_accepted(tmp_path: Path) -> None:
    released = sdl.released_path("dongguan").read_text(encoding="utf-8")
    assert "  nameEn: String!\n" in released
    removed = released.replace("  nameEn: String!\n", "", 1)  # City.nameEn gone
    found = sdl.breaks("dongguan", released, removed)
    assert [(b.change, b.kind) for b in found] == [
        ("Field City.nameEn was removed.", "FIELD_REMOVED")
    ]
    assert sdl.unexplained(found, sdl.deliberate()) == found

    accepted = tmp_path / "deliberate-breaks.toml"
    accepted.write_text(found[0].entry().replace('"..."', '"Merged into City.name (tested)."'))
    assert sdl.unexplained(found, sdl.deliberate(accepted)) == []
    # An entry for another SDL, or without a reason, accepts nothing.
    other = tmp_path / "other.toml"
    other.write_text(found[0].entry().replace('"dongguan"', '"zhuhai"').replace('"..."', '"x"'))
    assert sdl.unexplained(found, sdl.deliberate(other)) == found
    accepted.write_text(found[0].entry())
    with pytest.raises(ValueError, match="needs a `why`"):
        sdl.deliberate(accepted)


def test_a_changed_type_and_a_new_required_argument_are_breaks_too() -> None:
    released = sdl.released_path(sdl.CORE).read_text(encoding="utf-8")
    changed = released.replace("  nameEn: String!\n", "  nameEn: Int!\n", 1).replace(
        "  node(id: ID!)", "  node(id: ID!, strict: Boolean!)", 1
    )
    kinds = {b.kind for b in sdl.breaks(sdl.CORE, released, changed)}
    assert kinds == {"FIELD_CHANGED_KIND", "REQUIRED_ARG_ADDED"}


def test_the_fixed_names_frontends_depend_on() -> None:
    sdl = core_schema().as_str()
    for name in (
        "City",
        "Street",
        "Community",
        "Compound",
        "Building",
        "Organisation",
        "Firm",
        "Case",
    ):
        assert f"type {name} " in sdl
    for field in (
        "city:",
        "streets(",
        "communities(",
        "compounds(",
        "buildings(",
        "organisations(",
        "firms(",
        "cases(",
        "node(id: ID!)",
    ):
        assert f"  {field}" in sdl
