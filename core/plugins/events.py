"""What happened to a case or a compound: the payloads the case-event hooks receive.

Plain frozen dataclasses with ids and values only, so a plugin can serialise them (the
webhooks plugin posts them as JSON) without touching the ORM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    city: str
    occurred_at: dt.datetime
    actor: str | None  # the principal's subject

    @property
    def name(self) -> str:
        raise NotImplementedError

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["event"] = self.name
        data["occurred_at"] = self.occurred_at.isoformat()
        return data


@dataclass(frozen=True)
class CaseFiled(Event):
    case_id: int = 0
    compound_id: int = 0
    kind: str = ""
    stage: str = ""
    title: str = ""

    @property
    def name(self) -> str:
        return "case.filed"


@dataclass(frozen=True)
class CaseStageChanged(Event):
    case_id: int = 0
    compound_id: int = 0
    from_stage: str = ""
    to_stage: str = ""
    note: str = ""
    version: int = 0

    @property
    def name(self) -> str:
        return "case.stage_changed"


@dataclass(frozen=True)
class MeetingHeld(Event):
    meeting_id: int = 0
    compound_id: int = 0
    held_on: dt.date | None = None
    case_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return "meeting.held"

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["held_on"] = self.held_on.isoformat() if self.held_on else None
        data["case_ids"] = list(self.case_ids)
        return data
