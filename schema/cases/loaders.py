"""Per-request DataLoaders of the case records (one statement per field per request), and a
compound's nested page of cases from its batched loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from core.cases import councils
from core.cases import reports as case_reports
from core.infra import enums as domain
from core.infra.pagination import Page, encode_cursor
from schema.api.context import Info
from schema.api.loaders import answer


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


def nested_page(
    info: Info,
    compound_id: int,
    size: int,
    kinds: tuple[domain.CaseKind, ...],
    rows: list[dict[str, Any]],
) -> Page:
    """A compound's newest cases (`size` + 1 rows loaded) as a page; its count is batched with
    every other compound of the request, or already loaded (schema/api/lookahead.py)."""
    counts = info.context.loaders.case_counts(kinds)

    def count() -> Any:
        return answer(counts, compound_id, int)

    return Page(
        rows=rows[:size],
        has_next=len(rows) > size,
        has_previous=False,
        cursors=[encode_cursor(r["created_at"], r["id"]) for r in rows[:size]],
        count=count,
    )
