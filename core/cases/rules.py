"""Each city's numbers for the case workflow, from the [cases] table of its config file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.infra.cities import load_city_configs
from core.infra.enums import CaseStage

# Used when a city's file leaves a value out; docs/cases.md lists them.
DEFAULT_STAGE_DAYS: Mapping[CaseStage, int] = {
    CaseStage.TOPIC_COLLECTION: 5,
    CaseStage.TOPIC_DETERMINATION: 5,
    CaseStage.CONSULTATION_MEETING: 15,
    CaseStage.DECISION_EXECUTION: 20,
    CaseStage.SUPERVISION_FEEDBACK: 10,
    CaseStage.RESIDENT_EVALUATION: 10,
}


@dataclass(frozen=True)
class CaseRules:
    evaluation_threshold: float = 3.0
    service_accept_days: int = 1
    service_complete_days: int = 5
    service_reply_days: int = 2
    mediation_days: int = 10
    stage_days: Mapping[CaseStage, int] = field(default_factory=lambda: dict(DEFAULT_STAGE_DAYS))

    def days_for(self, stage: CaseStage) -> int | None:
        """Working days a case may spend in `stage`; None for a stage without a limit."""
        service = {
            CaseStage.SUBMITTED: self.service_accept_days,
            CaseStage.ACCEPTED: self.service_complete_days,
            CaseStage.COMPLETED: self.service_reply_days,
            CaseStage.MEDIATING: self.mediation_days,
        }
        if stage in service:
            return service[stage]
        return self.stage_days.get(stage)


def parse_rules(raw: Mapping[str, Any], source: str) -> CaseRules:
    """Validate a [cases] table; a bad value fails at load time naming the key."""
    defaults = CaseRules()
    values: dict[str, Any] = {}
    for key in (
        "service_accept_days",
        "service_complete_days",
        "service_reply_days",
        "mediation_days",
    ):
        value = raw.get(key, getattr(defaults, key))
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{source}: cases.{key} must be a whole number of working days")
        values[key] = value
    threshold = raw.get("evaluation_threshold", defaults.evaluation_threshold)
    if not isinstance(threshold, int | float) or not 1 <= threshold <= 5:
        raise ValueError(f"{source}: cases.evaluation_threshold must lie between 1 and 5")
    stage_days = dict(DEFAULT_STAGE_DAYS)
    for name, days in dict(raw.get("stage_days", {})).items():
        try:
            stage = CaseStage(name)
        except ValueError:
            raise ValueError(f"{source}: cases.stage_days.{name} is not a stage") from None
        if not isinstance(days, int) or days < 1:
            raise ValueError(f"{source}: cases.stage_days.{name} must be at least 1")
        stage_days[stage] = days
    unknown = set(raw) - {*values, "evaluation_threshold", "stage_days"}
    if unknown:
        raise ValueError(f"{source}: unknown key(s) in [cases]: {', '.join(sorted(unknown))}")
    return CaseRules(evaluation_threshold=float(threshold), stage_days=stage_days, **values)


def rules_for(city: str) -> CaseRules:
    config = load_city_configs().get(city)
    if config is None:
        return CaseRules()
    return parse_rules(config.cases, f"config/cities/{city}.toml")


def city_timezone(city: str) -> str:
    config = load_city_configs().get(city)
    return config.timezone if config else "Asia/Shanghai"
