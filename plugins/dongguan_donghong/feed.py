"""Donghong's feed of managed projects: fetched over HTTP, validated before anything is used.

Every way a feed can be wrong ends in `FeedError` with the problems in words an operator can
act on, in both languages until the request picks one: unreachable, timed out, the HTTP
status, invalid JSON, or each bad field with its path (`projects[2].homes: ...`). The format
is docs/donghong.md.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from plugins.dongguan_donghong.settings import DonghongSettings
from schema.plugin_api import CompoundKind, Text, localise, number, validation_reason


class FeedError(Exception):
    def __init__(self, problems: list[str | Text]) -> None:
        super().__init__("; ".join(localise(p, "en") for p in problems))
        self.problems = problems


class FeedCompany(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=128)
    registration_number: str = Field(min_length=18, max_length=18)


class FeedProject(BaseModel):
    model_config = ConfigDict(extra="ignore")

    project_code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=128)
    compound_name: str = Field("", max_length=128)
    street: str = Field("", max_length=64)
    community: str = Field(min_length=1, max_length=64)
    kind: CompoundKind
    floor_area: float | None = Field(None, ge=0)
    homes: int | None = Field(None, ge=0)
    managed_since: dt.date
    managed_until: dt.date | None = None

    @model_validator(mode="after")
    def _until_after_since(self) -> FeedProject:
        if self.managed_until is not None and self.managed_until < self.managed_since:
            raise ValueError(
                Text("managed_until 早于 managed_since", "managed_until is before managed_since")
            )
        return self

    @property
    def compound(self) -> str:
        return self.compound_name or self.name


class Feed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    company: FeedCompany
    projects: list[FeedProject]


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(feed)"


def _rule(err: ErrorDetails) -> Text:
    """One bad field: its path, then what is wrong, in both languages."""
    path = _path(err["loc"])
    why = validation_reason(err)
    return Text(f"{path}：{why.zh}", f"{path}: {why.en}")


def parse(body: bytes, company_registration_number: str) -> Feed:
    """The validated feed, or FeedError naming every bad field by its path."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as e:
        where = f"第 {number(e.lineno)} 行第 {number(e.colno)} 列"
        raise FeedError([Text(f"JSON 无效：{where}有误", f"invalid JSON: {e}")]) from None
    except ValueError:  # not UTF-8 (or UTF-16/32) text at all
        raise FeedError(
            [Text("JSON 无效：不是 UTF-8 文本", "invalid JSON: not UTF-8 text")]
        ) from None
    try:
        feed = Feed.model_validate(data)
    except ValidationError as e:
        raise FeedError([_rule(err) for err in e.errors(include_url=False)]) from None
    problems: list[str | Text] = []
    registered = feed.company.registration_number
    if registered != company_registration_number:
        problems.append(
            Text(
                f"company.registration_number：{registered} 不是所配置的企业",
                f"company.registration_number: {registered} is not the configured company",
            )
        )
    seen: set[str] = set()
    for i, p in enumerate(feed.projects):
        if p.project_code in seen:
            field = f"projects[{i}].project_code"
            problems.append(
                Text(
                    f"{field}：{p.project_code} 重复出现",
                    f"{field}: {p.project_code} is listed twice",
                )
            )
        seen.add(p.project_code)
    if problems:
        raise FeedError(problems)
    return feed


async def fetch(settings: DonghongSettings) -> Feed:
    """GET the feed with the token and timeout of the city's settings."""
    if not settings.feed_url:
        raise FeedError([Text("feed_url：未配置", "feed_url: not configured")])
    headers = {"Accept": "application/json"}
    token = settings.token.get_secret_value()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        async with httpx.AsyncClient(timeout=settings.timeout_seconds) as client:
            response = await client.get(settings.feed_url, headers=headers)
    except httpx.TimeoutException:
        seconds = number(settings.timeout_seconds)
        raise FeedError([Text(f"{seconds} 秒后超时", f"timed out after {seconds}s")]) from None
    except httpx.HTTPError as e:
        # The URL, not the exception text: it may carry the token in a query string.
        why = type(e).__name__
        raise FeedError([Text(f"无法连接：{why}", f"unreachable: {why}")]) from None
    if response.status_code != 200:
        code = response.status_code
        raise FeedError([Text(f"HTTP 状态码 {code}", f"HTTP status {code}")])
    return parse(response.content, settings.company_registration_number)
