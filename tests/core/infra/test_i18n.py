"""Numbers in messages are written for people, and a Text is read in the reader's language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.infra.i18n import Text, localise, message, number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1E+1"), "10"),
        (Decimal("10.00"), "10"),
        (Decimal("2.50"), "2.5"),
        (2.5, "2.5"),
        (10, "10"),
        (Decimal("0.000"), "0"),
        (Decimal("1234567.891"), "1234567.891"),
    ],
)
def test_number(value: Decimal | int | float, shown: str) -> None:
    assert number(value) == shown


def test_texts_and_message_parameters_follow_the_language() -> None:
    both = Text("上限 10 元", "capped at 10 yuan")
    assert [localise(both.stored(), lang) for lang in ("zh", "en")] == [both.zh, both.en]
    assert localise("an admin's own words", "en") == "an admin's own words"
    assert message("PLUGIN_REFUSED", "zh", plugin="p", reason=both) == "插件 p 拒绝：上限 10 元"
    assert message(
        "OUT_OF_RANGE", "en", field="points", min=Decimal("0E+2"), max=Decimal("1E+2")
    ) == ("points must be between 0 and 100")
