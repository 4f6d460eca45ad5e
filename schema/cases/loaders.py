"""Per-request DataLoaders of the case records: one statement per field per request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from core.cases import councils
from core.cases import reports as case_reports
from schema.api.context import Info


def _loader(fetch: Callable[[list[Any]], Awaitable[dict[Any, Any]]], default: Any) -> Any:
    async def load(keys: Sequence[Any]) -> list[Any]:
        found = await fetch(list(keys))
        return [found.get(k, default) for k in keys]

    return DataLoader(load_fn=load)


class CaseLoaders:
    def __init__(self) -> None:
        self.timeline = _loader(case_reports.timelines, [])
        self.assignments = _loader(case_reports.assignments, [])
        self.progress = _loader(case_reports.progress_reports, [])
        self.sessions = _loader(case_reports.mediation_sessions, [])
        self.ratings = _loader(case_reports.rating_summaries, (0, None))
        self.meetings = _loader(councils.meetings_of_cases, [])
        self.agenda = _loader(councils.agenda_of, [])
        self.participants = _loader(councils.participants_of, [])


def case_loaders(info: Info) -> CaseLoaders:
    """This request's case loaders, made on first use and kept on the request's context."""
    context: Any = info.context
    loaders = getattr(context, "_case_loaders", None)
    if loaders is None:
        loaders = CaseLoaders()
        context._case_loaders = loaders
    return loaders
