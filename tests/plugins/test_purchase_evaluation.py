"""The `purchase_evaluation_rules` hook: the first enabled plugin's criteria and pass mark,
the default when none answers, a plugin's malformed criteria its own failure; and the
evaluation through the API scoring against the plugin's criteria."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import ModuleType

import pytest

from core.infra.enums import OrganisationKind, ProcurementMethod, PurchaseStatus, Role
from core.infra.i18n import localise
from core.infra.tenancy import in_city
from core.models import Organisation, ServiceDelivery, ServicePurchaseRecord
from core.plugins import calls as plugins
from core.plugins.calls import DEFAULT_EVALUATION, PluginFailed
from core.plugins.contributions import ServicePurchase
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token


def purchase(category: str) -> ServicePurchase:
    return ServicePurchase(
        provider_id=1,
        provider_kind="organisation",
        category=category,
        amount=Decimal(10_000),
        procurement_method="INQUIRY",
    )


async def test_hook_purchase_evaluation_rules(sample: ModuleType) -> None:
    with in_city("dongguan"):
        rules = await plugins.purchase_evaluation_rules(purchase("elderly"))
        assert await plugins.purchase_evaluation_rules(purchase("other")) == DEFAULT_EVALUATION
        with pytest.raises(PluginFailed) as failed:
            await plugins.purchase_evaluation_rules(purchase("broken"))
    with in_city("zhuhai"):  # the sample is enabled for Dongguan only
        assert await plugins.purchase_evaluation_rules(purchase("elderly")) == DEFAULT_EVALUATION
    assert [(c.key, c.max_points) for c in rules.criteria] == [("care", 70), ("families", 30)]
    assert (rules.pass_score, rules.plugin) == (75, "sample")
    assert localise(rules.criteria[1].label, "zh") == "家属满意度"
    assert failed.value.code == "PLUGIN_FAILED"


EVALUATE = """mutation($input: EvaluateServicePurchaseInput!) {
    evaluateServicePurchase(input: $input) {
    purchase { status evaluationScore evaluationPassed } errors { field code } } }"""


async def test_an_evaluation_scores_on_the_plugins_criteria(
    sample: ModuleType, gql: GraphQLClient
) -> None:
    day = dt.date.today() - dt.timedelta(days=10)
    with in_city("dongguan"):
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="颐康社工"
        )
        row = await ServicePurchaseRecord.create(
            title="居家养老", category="elderly", provider=provider, amount=Decimal(10_000),
            period_start=day, period_end=day, procurement_method=ProcurementMethod.INQUIRY,
            status=PurchaseStatus.CONTRACTED, contract_amount=Decimal(10_000),
            contract_start=day, contract_end=day,
        )  # fmt: skip
        await ServiceDelivery.create(
            purchase=row, delivered_on=day, activity="助浴", beneficiaries=4, hours=6
        )
    admin = token("dongguan", Role.CITY_ADMIN, subject="office")
    gid = to_global_id("ServicePurchase", row.id)
    marks = [{"criterion": "care", "points": 55}, {"criterion": "families", "points": 18}]
    body = await gql(
        EVALUATE, {"input": {"purchaseId": gid, "version": 1, "marks": marks}}, auth=admin
    )
    # 73 of 100: under the sample's pass mark of 75.
    assert body["data"]["evaluateServicePurchase"] == {
        "purchase": {"status": "EVALUATED", "evaluationScore": 73, "evaluationPassed": False},
        "errors": [],
    }
