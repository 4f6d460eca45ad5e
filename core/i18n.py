"""Messages in Chinese and English, chosen by the request's Accept-Language."""

from __future__ import annotations

from typing import Any

DEFAULT_LANGUAGE = "zh"

# code -> (zh, en). Placeholders use str.format names; never put personal data in them.
MESSAGES: dict[str, tuple[str, str]] = {
    "REQUIRED": ("{field} 不能为空", "{field} is required"),
    "TOO_LONG": ("{field} 最长 {max} 个字符", "{field} must be at most {max} characters"),
    "NOT_FOUND": ("{field} 指向的对象不存在", "{field} does not point to an existing object"),
    "INVALID_ID": ("{field} 不是有效的 ID", "{field} is not a valid ID"),
    "WRONG_TYPE": ("{field} 应为 {expected} 的 ID", "{field} must be the ID of a {expected}"),
    "INVALID_CURSOR": ("游标 {field} 无效", "cursor {field} is not valid"),
    "PAGE_TOO_LARGE": (
        "{field} 不能超过 {max}",
        "{field} must not exceed {max}",
    ),
    "NEGATIVE": ("{field} 不能为负数", "{field} must not be negative"),
    "AUTH_REQUIRED": ("此操作需要登录", "this operation needs an authenticated caller"),
    "FORBIDDEN": ("当前角色无权执行此操作", "the caller's role may not do this"),
    "OUT_OF_SCOPE": ("{field} 不在当前用户的管辖范围内", "{field} is outside the caller's scope"),
    "TOKEN_EXPIRED": ("令牌已过期", "the token has expired"),
    "TOKEN_INVALID": ("令牌无效", "the token is malformed or wrongly signed"),
    "TOKEN_WRONG_CITY": ("令牌属于其他城市", "the token belongs to another city"),
    "UNKNOWN_CITY": ("未知城市：{city}", "unknown city: {city}"),
    "INVALID_ENUM": ("{field} 的取值无效", "{field} has an invalid value"),
    "PLUGIN_FAILED": (
        "插件 {plugin} 出错（{hook}），操作未完成",
        "plugin {plugin} failed in {hook}; nothing was done",
    ),
    "PLUGIN_REFUSED": ("插件 {plugin} 拒绝：{reason}", "refused by plugin {plugin}: {reason}"),
    "PLUGIN_RULE_VIOLATED": ("{field}：{reason}（{plugin}）", "{field}: {reason} ({plugin})"),
    "UNKNOWN_PLUGIN": ("未安装插件 {plugin}", "plugin {plugin} is not installed"),
    "INVALID_SETTING": ("{field} 的设置无效：{reason}", "{field} is not a valid setting: {reason}"),
}


def language(accept_language: str | None) -> str:
    """'en' or 'zh' from an Accept-Language header, honouring q-values; Chinese by default."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and weight > best_q:
            best, best_q = primary, weight
    return best


def message(code: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    zh, en = MESSAGES.get(code, (code, code))
    return (en if lang == "en" else zh).format(**params)
