"""A plugin that implements every hook, for the tests: it records what it is given, and it
fails on purpose in the hook its `fail_on` setting names (so tests can prove isolation)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import strawberry
from pydantic import BaseModel, Field, SecretStr

from core.infra.i18n import Text
from core.models import Case
from core.plugins import calls as plugins
from core.plugins.contributions import (
    BLACKLIST,
    NO_NEW_CONTRACTS,
    PENALTY_POINTS,
    CityPlugins,
    CreditConsequence,
    CreditEvent,
    CreditRecord,
    CreditStanding,
    Criterion,
    EvaluationCriterion,
    EvaluationRules,
    ManagedProject,
    PluginModels,
    Reconciliation,
    Refusal,
    SchemaContribution,
    Score,
    ServicePurchase,
    Violation,
    Worker,
)
from core.plugins.events import CaseFiled, CaseStageChanged, MeetingHeld
from core.plugins.hookspecs import hookimpl

NAME = "sample"
calls: list[tuple[str, str, Any]] = []


class SampleSettings(BaseModel):
    greeting: str = Field(
        "你好", title="Greeting", description="What sampleGreeting answers.", max_length=20
    )
    purchase_cap: Decimal = Field(Decimal("100000"), title="Purchase cap (yuan)", ge=0)
    blacklist: list[int] = Field(default_factory=list, title="Blacklisted firm ids")
    api_key: SecretStr | None = Field(None, title="API key", description="Never shown whole.")
    fail_on: str = Field("", title="Fail in hook", description="Tests only.")


def _settings(city: CityPlugins) -> SampleSettings:
    settings = city.settings_for(NAME)
    assert isinstance(settings, SampleSettings)
    return settings


def _maybe_fail(city: CityPlugins, hook: str) -> None:
    if _settings(city).fail_on == hook:
        raise RuntimeError(f"sample fails in {hook} on purpose")


@strawberry.type
class SampleBadge:
    text: str


@strawberry.type
class SampleQuery:
    @strawberry.field(description="The city's greeting setting.")
    async def sample_greeting(self) -> SampleBadge:
        city = await plugins.city_plugins()
        return SampleBadge(text=_settings(city).greeting)


@strawberry.type
class SampleMutation:
    @strawberry.mutation
    def sample_echo(self, text: str) -> str:
        return text


@hookimpl
def register_settings() -> type[BaseModel]:
    return SampleSettings


@hookimpl
def register_models() -> PluginModels:
    return PluginModels(app_label="sample", models="tests.plugins.sample_plugin")


@hookimpl
def register_schema(city: CityPlugins) -> SchemaContribution:
    return SchemaContribution(query=SampleQuery, mutation=SampleMutation, types=(SampleBadge,))


@hookimpl
def register_assessment_criteria(city: CityPlugins) -> list[Criterion]:
    _maybe_fail(city, "register_assessment_criteria")
    return [
        Criterion("owner_satisfaction", "业主满意度", Decimal(60), "owner_survey"),
        Criterion("party_evaluation", "社区党组织评价", Decimal(40), "party_organisation"),
    ]


@hookimpl
def compute_assessment_score(
    city: CityPlugins, firm_id: int, inputs: dict[str, Decimal]
) -> Score | None:
    if not inputs:
        return None
    value = (inputs["owner_satisfaction"] * 60 + inputs["party_evaluation"] * 40) / 100
    grade = "AAA" if value >= 85 else "C" if value < 60 else "B"
    return Score(value=value, grade=grade)


@hookimpl
def credit_consequences(city: CityPlugins, firm_id: int, score: Score) -> list[CreditConsequence]:
    if score.value < 60:
        return [
            CreditConsequence(PENALTY_POINTS, "score below 60", points=6),
            CreditConsequence(BLACKLIST, "score below 60"),
        ]
    return []


@hookimpl
def firm_credit_standings(
    city: CityPlugins, firm_ids: list[int], as_of: dt.date
) -> dict[int, CreditStanding]:
    # A toy points regime: 100 less the points of the events recorded up to `as_of`.
    _maybe_fail(city, "firm_credit_standings")
    standings = {}
    for firm_id in firm_ids:
        events = [
            e
            for hook, slug, e in calls
            if hook == "record_credit_event" and slug == city.slug and e.firm_id == firm_id
        ]
        lost = sum((e.points or Decimal(0) for e in events if e.occurred_on <= as_of), Decimal(0))
        if firm_id in _settings(city).blacklist:
            standings[firm_id] = CreditStanding(
                "sample", "BLACKLISTED", "黑名单", "Blacklisted", Decimal(0),
                restrictions=(NO_NEW_CONTRACTS,), reasons=("on the sample blacklist",),
                blacklisted=True,
            )  # fmt: skip
        elif events:
            standings[firm_id] = CreditStanding("sample", "POINTS", "扣分", "Points", 100 - lost)
    return standings


@hookimpl
def record_credit_event(city: CityPlugins, event: CreditEvent) -> Awaitable[CreditRecord]:
    async def record() -> CreditRecord:
        _maybe_fail(city, "record_credit_event")
        calls.append(("record_credit_event", city.slug, event))
        return CreditRecord(
            id=str(len(calls)),
            firm_id=event.firm_id,
            kind=event.kind,
            reason=event.reason,
            source=event.source,
            occurred_on=event.occurred_on,
            points=event.points,
        )

    return record()


@hookimpl
def credit_record(city: CityPlugins, record_id: str) -> CreditRecord | None:
    # The toy regime's record n is its n-th call, if that call recorded an event here.
    n = int(record_id) if record_id.isdigit() else 0
    found = calls[n - 1] if 0 < n <= len(calls) else None
    calls.append(("credit_record", city.slug, record_id))
    if found is None or found[:2] != ("record_credit_event", city.slug):
        return None
    event = found[2]
    return CreditRecord(
        id=record_id,
        firm_id=event.firm_id,
        kind=event.kind,
        reason=event.reason,
        source=event.source,
        occurred_on=event.occurred_on,
        points=event.points,
    )


@hookimpl
def check_firm_eligibility(
    city: CityPlugins, firm_id: int, purpose: str
) -> Awaitable[list[Refusal]]:
    async def check() -> list[Refusal]:
        _maybe_fail(city, "check_firm_eligibility")
        if firm_id in _settings(city).blacklist:
            return [Refusal(f"firm {firm_id} is blacklisted ({purpose})")]
        return []

    return check()


@hookimpl
def check_management_contract(
    city: CityPlugins, compound_id: int, firm_id: int, mode: str
) -> list[Violation]:
    if mode != "PROPERTY_FIRM":
        return [Violation("mode", f"this city hires firms only, not {mode}")]
    return []


@hookimpl
def validate_service_purchase(city: CityPlugins, purchase: ServicePurchase) -> list[Violation]:
    found = []
    if purchase.amount > _settings(city).purchase_cap:
        found.append(Violation("amount", "over the cap"))
    if purchase.amount >= 50000 and purchase.procurement_method.startswith("DIRECT"):
        found.append(Violation("procurementMethod", "50,000 yuan and above needs a tender"))
    return found


@hookimpl
def purchase_evaluation_rules(
    city: CityPlugins, purchase: ServicePurchase
) -> EvaluationRules | None:
    # Elderly care on two criteria; "broken" gives 90 points in all (the plugin's fault);
    # anything else is left to the default.
    if purchase.category == "elderly":
        return EvaluationRules(
            (
                EvaluationCriterion("care", Text("照护质量", "quality of care"), 70),
                EvaluationCriterion("families", Text("家属满意度", "families' satisfaction"), 30),
            ),
            pass_score=75,
        )
    if purchase.category == "broken":
        return EvaluationRules((EvaluationCriterion("all", Text("全部", "all"), 90),))
    return None


class Donghong:
    name = "广东东鸿物业发展有限公司"
    firm_registration_number = "91441900MA4UJ8XX1X"

    async def fetch_projects(self) -> list[ManagedProject]:
        return [ManagedProject("YY-001", "雅园新村", compound_id=1), ManagedProject("X-9", "未知")]

    async def reconcile(self, projects: list[ManagedProject]) -> Reconciliation:
        matched = {p.external_id: p.compound_id for p in projects if p.compound_id}
        unknown = tuple(p for p in projects if p.compound_id is None)
        return Reconciliation(matched=matched, unknown_projects=unknown)

    async def take_over(self, compound_id: int) -> None:
        calls.append(("take_over", "", compound_id))

    async def hand_over(self, compound_id: int) -> None:
        calls.append(("hand_over", "", compound_id))


@hookimpl
def register_state_owned_connectors(city: CityPlugins) -> list[Donghong]:
    return [Donghong()]


def _record(city: CityPlugins, hook: str, event: Any) -> Awaitable[None]:
    async def record() -> None:
        _maybe_fail(city, hook)
        # A read inside the caller's transaction: the case being filed is visible already.
        seen = await Case.filter(id=getattr(event, "case_id", 0)).exists()
        calls.append((hook, city.slug, (event, seen)))

    return record()


@hookimpl
def case_filed(city: CityPlugins, event: CaseFiled) -> Awaitable[None]:
    return _record(city, "case_filed", event)


@hookimpl
def case_stage_changed(city: CityPlugins, event: CaseStageChanged) -> Awaitable[None]:
    return _record(city, "case_stage_changed", event)


@hookimpl
def meeting_held(city: CityPlugins, event: MeetingHeld) -> None:
    _maybe_fail(city, "meeting_held")
    calls.append(("meeting_held", city.slug, (event, None)))


async def _worker(stop: asyncio.Event) -> None:
    calls.append(("worker", "", "started"))
    await stop.wait()
    calls.append(("worker", "", "stopped"))


@hookimpl
def register_workers() -> list[Worker]:
    return [_worker]


@hookimpl
def load_demo_data(city: CityPlugins, progress: Callable[[str], None]) -> Awaitable[dict[str, int]]:
    async def load() -> dict[str, int]:
        _maybe_fail(city, "load_demo_data")
        progress(f"sample demo for {city.slug}")
        calls.append(("load_demo_data", city.slug, None))
        return {"greetings": 2}

    return load()
