"""The bundled firm_blacklist plugin: discovered through the root's entry point, it refuses
a blacklisted firm in the cities that enable it, and blacklists low scores."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.infra.errors import ValidationErrors
from core.infra.i18n import localise
from core.infra.tenancy import in_city
from core.plugins import calls as plugins
from core.plugins import settings as plugin_settings
from core.plugins.contributions import BLACKLIST, Score
from tests.factories import build_town
from tests.plugins.conftest import DONGGUAN_ADMIN


async def test_a_blacklisted_firm_is_refused_where_the_plugin_runs(empty_db: str):
    assert "firm_blacklist" in plugins.installed()  # the root pyproject's entry point
    dongguan = await build_town("dongguan", compounds=2, cases_each=0)
    zhuhai = await build_town("zhuhai", compounds=2, cases_each=0)
    firm = dongguan.firms[0]
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            DONGGUAN_ADMIN,
            "firm_blacklist",
            {
                "registration_numbers": [firm.registration_number.lower()],
                "refuse": ["management_contract"],
            },
            active=True,
        )
        refusals = await plugins.firm_refusals(firm.id, "management_contract")
        assert await plugins.firm_refusals(firm.id, "service_purchase") == []
    assert [(r.plugin, localise(r.reason, "en")) for r in refusals] == [
        ("firm_blacklist", f"{firm.name} is on the city's credit blacklist")
    ]
    with in_city("zhuhai"):
        assert await plugins.firm_refusals(zhuhai.firms[0].id, "management_contract") == []


async def test_a_score_below_the_threshold_blacklists(empty_db: str):
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            DONGGUAN_ADMIN, "firm_blacklist", {"blacklist_below": 70}, active=True
        )
        low = await plugins.credit_effects(1, Score(Decimal("65.5")))
        assert await plugins.credit_effects(1, Score(Decimal(70))) == []
    assert [(e.kind, e.plugin) for e in low] == [(BLACKLIST, "firm_blacklist")]


async def test_bad_codes_and_purposes_are_refused_together(empty_db: str):
    with in_city("dongguan"), pytest.raises(ValidationErrors) as refused:
        await plugin_settings.update_plugin(
            DONGGUAN_ADMIN,
            "firm_blacklist",
            {"registration_numbers": ["123"], "refuse": ["lunch"]},
            active=True,
        )
    assert {e.field for e in refused.value.errors} == {
        "settings.registration_numbers",
        "settings.refuse",
    }
