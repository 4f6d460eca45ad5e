"""Why pydantic refused a value, in both languages: a plugin's settings (updatePluginSettings)
and a state-owned company's feed (plugins/dongguan_donghong/feed.py) are validated with
pydantic, whose messages are English only.

The English is pydantic's own wording; the Chinese is ours, one per error type a settings
form or a feed can meet. A validator that raises `ValueError(Text(zh, en))` (or
`PydanticCustomError`) gives its own words in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.infra.i18n import Text, number

# Placeholders are the error's context (`ctx`), numbers written for people.
RULES_ZH = {
    "missing": "缺少此字段",
    "extra_forbidden": "没有这一项",
    "string_type": "应为文本",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数部分",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "date_type": "应为日期",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期，不能带时刻",
    "url_type": "应为网址",
    "url_parsing": "不是有效的网址",
    "url_scheme": "网址应以 {expected_schemes} 开头",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "list_type": "应为列表",
    "set_type": "应为列表",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
}


def _context(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    # pydantic lists choices as "'A', 'B' or 'C'"; Chinese lists them with 、.
    return str(value).replace(" or ", "、")


def validation_reason(err: Mapping[str, Any]) -> Text:
    """One pydantic error (an item of `ValidationError.errors()`) as a reason, without its
    field: the caller puts the field's path before it."""
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], Text):
        return cause.args[0]
    template = RULES_ZH.get(err["type"])
    try:
        zh = template.format(**{k: _context(v) for k, v in ctx.items()}) if template else None
    except (KeyError, IndexError):  # a context this pydantic version words differently
        zh = None
    if err["type"] == "value_error" and isinstance(cause, ValueError):
        # A validator's own English words: quoted in both languages rather than guessed at.
        zh = zh or f"取值无效：{cause}"
    return Text(zh or f"取值无效（{err['type']}）", str(err["msg"]))
