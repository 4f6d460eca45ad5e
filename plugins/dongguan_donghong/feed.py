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
from pydantic_core import ErrorDetails, PydanticCustomError

from plugins.dongguan_donghong.settings import DonghongSettings
from schema.plugin_api import CompoundKind, Text, localise, number


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
            raise PydanticCustomError("date_order", "managed_until is before managed_since")
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


# The validator's error types a feed can meet, in Chinese; the English is the validator's own
# wording (docs/donghong.md quotes it). Placeholders are the error's context.
_RULES_ZH = {
    "missing": "缺少此字段",
    "string_type": "应为文本",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数部分",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "greater_than_equal": "不能小于 {ge}",
    "date_type": "应为日期",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期，不能带时刻",
    "enum": "应为以下之一：{expected}",
    "list_type": "应为列表",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "date_order": "managed_until 早于 managed_since",
}


def _rule(err: ErrorDetails) -> Text:
    """One bad field: its path, then what is wrong, in both languages."""
    ctx = {
        k: number(v) if isinstance(v, int | float) else str(v).replace(" or ", "、")
        for k, v in (err.get("ctx") or {}).items()
    }
    template = _RULES_ZH.get(err["type"])
    zh = template.format(**ctx) if template else f"取值无效（{err['type']}）"
    path = _path(err["loc"])
    return Text(f"{path}：{zh}", f"{path}: {err['msg']}")


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
