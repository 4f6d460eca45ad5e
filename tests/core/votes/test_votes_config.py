"""The per-city rule on changing a cast ballot, read from config/cities/<city>.toml."""

from __future__ import annotations

from pathlib import Path

from core.infra.cities import _parse, load_city_configs

CITY = """slug = "{slug}"
name = "某市"
name_en = "Somewhere"
timezone = "Asia/Shanghai"
"""


def test_a_city_may_forbid_changing_a_ballot(tmp_path: Path) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text(CITY.format(slug="strict") + "\n[votes]\nballots_changeable = false\n")
    lenient = tmp_path / "lenient.toml"
    lenient.write_text(CITY.format(slug="lenient"))
    assert _parse(strict).ballots_changeable is False
    assert _parse(lenient).ballots_changeable is True  # the default when the table is absent


def test_the_shipped_cities_allow_changes() -> None:
    assert {c.ballots_changeable for c in load_city_configs().values()} == {True}
