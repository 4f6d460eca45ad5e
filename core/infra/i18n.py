"""Messages in Chinese and English, chosen by the request's Accept-Language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

DEFAULT_LANGUAGE = "zh"


def number(value: Decimal | int | float) -> str:
    """A number as people read it: no exponent, no trailing zeros (10 -> "10", 2.50 -> "2.5")."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(exact.normalize(), "f")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Text:
    """A message a person reads, in both languages until the request's language picks one.

    Plugins give their reasons, violations and report lines as Text (docs/plugins.md); the
    core renders them with `localise` where the request's language is known.
    """

    zh: str
    en: str

    def pick(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def __str__(self) -> str:
        # Where no request picks a language (a log line, a settings file refused at start,
        # pydantic's own message of a validator's `ValueError(Text(...))`): the English.
        return self.en

    def stored(self) -> str:
        """Text kept in a database column (a timeline note, a report line): both languages."""
        return _STORED + orjson.dumps({"zh": self.zh, "en": self.en}).decode()


_STORED = "i18n:"


def localise(value: str | Text, lang: str) -> str:
    """`value` in `lang`: a Text, a Text stored as a string, or plain text (one language)."""
    if isinstance(value, Text):
        return value.pick(lang)
    if value.startswith(_STORED):
        try:
            both = orjson.loads(value[len(_STORED) :])
            return str(both["en"] if lang == "en" else both["zh"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return value
    return value


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
    # Inputs refused at the boundary, whatever the field (schema/api/checks.py, docs/api.md)
    "INVALID_TEXT": (
        "{field} 含有不允许的控制字符",
        "{field} contains a control character that is not allowed",
    ),
    "INVALID_NUMBER": ("{field} 必须是有限的数", "{field} must be a finite number"),
    "JSON_TOO_DEEP": (
        "{field} 的嵌套层数不能超过 {max}",
        "{field} must not nest more than {max} levels deep",
    ),
    # Cases (docs/cases.md)
    "CASE_CLOSED": ("案件已结案，不可再修改", "the case is closed and read-only"),
    "VERSION_CONFLICT": (
        "已被他人修改（当前版本 {current}），请刷新后重试",
        "it was changed by someone else (now version {current}); reload and retry",
    ),
    "UNKNOWN_STAGE": ("未知阶段：{stage}", "unknown stage: {stage}"),
    "STAGE_NOT_IN_WORKFLOW": (
        "{kind} 类案件没有 {stage} 阶段",
        "a {kind} case has no stage {stage}",
    ),
    "OUT_OF_ORDER": (
        "案件处于 {stage}，下一阶段只能是 {expected}，不能跳到 {requested}",
        "the case is in {stage}: the next stage is {expected}, not {requested}",
    ),
    "WRONG_STAGE": (
        "案件处于 {stage}，此操作仅在 {expected} 阶段可用",
        "the case is in {stage}; this is only possible in {expected}",
    ),
    "STAGE_FORBIDDEN": (
        "角色 {role} 不能推进处于 {stage} 阶段的案件",
        "role {role} may not move a case on from {stage}",
    ),
    "TOPIC_MISSING": ("尚未确定议题及其类别", "the topic and its category are not determined"),
    "DECISION_MISSING": (
        "尚无已召开议事会对本案的决定",
        "no held council meeting has decided on this case",
    ),
    "EXECUTOR_MISSING": ("尚未指定执行单位及期限", "no executor with a due date is assigned"),
    "PROGRESS_MISSING": ("本轮尚无进展报告", "no progress report of this round is on record"),
    "SUPERVISION_MISSING": (
        "本轮尚无执行单位以外的监督反馈",
        "no supervision feedback of this round from a body other than the executor",
    ),
    "NOT_A_SUPERVISOR": (
        "{field} 应为业主委员会、居民委员会或党组织",
        "{field} must be an owners' committee, a residents' committee or a party organisation",
    ),
    "SUPERVISOR_IS_EXECUTOR": (
        "{field} 是本轮的执行单位，不能监督自己",
        "{field} carries out this round itself and cannot supervise it",
    ),
    "NOT_SUPERVISOR": ("执行企业不能提交监督反馈", "the executing firm cannot file supervision"),
    "RATINGS_MISSING": ("尚无居民评价", "no resident has rated the case yet"),
    "MEDIATOR_MISSING": ("尚未指定调解员", "no mediator is assigned"),
    "SESSION_MISSING": ("尚无调解记录", "no mediation session is on record"),
    "OUT_OF_RANGE": ("{field} 应在 {min} 到 {max} 之间", "{field} must be between {min} and {max}"),
    "ALREADY_RATED": ("您已评价过此案件", "this resident has already rated the case"),
    "NOT_BELOW_THRESHOLD": (
        "评价均分 {mean} 未低于阈值 {threshold}，不能重新办理",
        "the mean rating {mean} is not below the threshold {threshold}; it cannot be reopened",
    ),
    "ONE_EXECUTOR": (
        "请指定一个执行单位：企业或部门/组织二选一",
        "name exactly one executor: a firm or a department/organisation",
    ),
    "DATE_IN_PAST": ("{field} 不能早于今天", "{field} must not be in the past"),
    "DATE_IN_FUTURE": ("{field} 不能晚于今天", "{field} must not be in the future"),
    "NOT_EXECUTOR": ("贵企业不是本案的执行单位", "your firm is not this case's executor"),
    "NOT_MEDIATION": ("此案件不是调解案件", "this case is not a mediation case"),
    "NOT_A_MEDIATOR": (
        "{field} 不在调解员名册上，也不是楼栋长",
        "{field} is neither on the register of mediators nor a building head",
    ),
    "PROXY_FORBIDDEN": ("只有工作人员可以代办", "only staff may file on a resident's behalf"),
    "CONVENER_NOT_PARTY": ("{field} 应为党组织", "{field} must be a party organisation"),
    "OTHER_COMPOUND": ("{field} 属于其他小区", "{field} belongs to another compound"),
    "NOT_COMPOUND_FIRM": (
        "{field} 不是该小区在会议当日的物业服务企业",
        "{field} does not manage the compound on the meeting's day",
    ),
    "NOT_ON_AGENDA": ("{field} 不能列入或不在议程中", "{field} cannot be or is not on the agenda"),
    "MEETING_ALREADY_HELD": ("该会议已记录为召开", "the meeting is already recorded as held"),
    "ESCALATION_NOTE": ("在“{stage}”阶段自 {due} 起超期", "overdue in {stage} since {due}"),
    "CALENDAR_OUT_OF_RANGE": (
        "日期 {date} 超出法定节假日日历的范围（{first}–{last} 年）",
        "date {date} is outside the statutory holiday calendar ({first}-{last})",
    ),
    "PLUGIN_FAILED": (
        "插件 {plugin} 出错（{hook}），操作未完成",
        "plugin {plugin} failed in {hook}; nothing was done",
    ),
    "PLUGIN_REFUSED": ("插件 {plugin} 拒绝：{reason}", "refused by plugin {plugin}: {reason}"),
    "PLUGIN_RULE_VIOLATED": ("{field}：{reason}（{plugin}）", "{field}: {reason} ({plugin})"),
    "UNKNOWN_PLUGIN": ("未安装插件 {plugin}", "plugin {plugin} is not installed"),
    "INVALID_SETTING": ("{field} 的设置无效：{reason}", "{field} is not a valid setting: {reason}"),
    # Limits on hostile or oversized requests (schema/api/limits.py, schema/http/app.py).
    "TOO_MANY_TOKENS": (
        "查询过长：最多 {limit} 个词法单元",
        "the query has more than {limit} tokens",
    ),
    "QUERY_TOO_DEEP": ("查询嵌套过深：最多 {limit} 层", "the query is nested deeper than {limit}"),
    "TOO_MANY_ALIASES": (
        "查询别名过多：最多 {limit} 个",
        "the query uses more than {limit} aliases",
    ),
    "QUERY_TOO_COSTLY": (
        "查询请求的对象过多：最多 {limit} 个",
        "the query asks for more than {limit} nodes; lower `first` or nest less",
    ),
    "TOO_MANY_SELECTIONS": (
        "查询的一个选择集中字段过多：最多 {limit} 个",
        "a selection set of the query has more than {limit} selections",
    ),
    "TOO_MANY_FIELDS": (
        "查询字段过多（片段展开后）：最多 {limit} 个",
        "the query has more than {limit} fields with its fragments expanded",
    ),
    "TOO_MANY_MERGE_CHECKS": (
        "查询中同名字段重复过多：最多比较 {limit} 对",
        "the query repeats same-named fields too often: more than {limit} pairs to compare",
    ),
    "TIMEOUT": ("查询超时（{limit} 秒）", "the query took longer than {limit} seconds"),
    "REQUEST_TOO_LARGE": (
        "请求体过大：最多 {limit} 字节",
        "the request body exceeds {limit} bytes",
    ),
    "BATCHING_DISABLED": (
        "不支持批量请求：请逐个发送操作",
        "batched requests are not accepted: send one operation per request",
    ),
    "TOO_MANY_OPERATIONS": (
        "批量请求最多 {limit} 个操作",
        "a batch may hold at most {limit} operations",
    ),
    "REQUEST_TIMEOUT": (
        "请求体在 {limit} 秒内未发送完",
        "the request body did not arrive within {limit} seconds",
    ),
    "HEAD_TIMEOUT": (
        "请求头在 {limit} 秒内未发送完",
        "the request headers did not arrive within {limit} seconds",
    ),
    "TOO_MANY_IN_FLIGHT": (
        "此连接上进行中的操作过多：最多 {limit} 个",
        "more than {limit} operations in flight on this connection",
    ),
    "RATE_LIMITED": (
        "请求过于频繁，请稍后再试",
        "too many requests; retry after the given seconds",
    ),
    # Anything unexpected: masked, logged on the server (schema/api/errors.py).
    "INTERNAL": ("服务器内部错误", "Internal error"),
    # Over WebSocket, with the id of the one log line that tells what happened.
    "INTERNAL_WITH_ID": ("服务器内部错误（编号 {error_id}）", "internal error (id {error_id})"),
    "DATABASE_UNAVAILABLE": (
        "数据库暂时不可用，请稍后重试",
        "the database is unavailable for the moment; retry shortly",
    ),
    "JWKS_UNAVAILABLE": (
        "无法获取身份提供方的密钥",
        "the identity provider's keys are unavailable",
    ),
    "GRAPHQL_VALIDATION": ("查询无效", "the query is not valid"),
    # Persisted documents (docs/api.md): the two protocol errors' messages are the protocol's
    # own words (clients match them); these texts are their extensions' `detail`.
    "PERSISTED_QUERY_NOT_FOUND": (
        "此城市没有 ID 为 {hash} 的持久化文档：请连同查询文本再发送一次",
        "no persisted document with id {hash} in this city: send it again with the query text",
    ),
    "PERSISTED_QUERY_NOT_SUPPORTED": (
        "此城市不接受自动持久化查询：请发送查询文本",
        "this city does not take automatic persisted queries: send the query text",
    ),
    "PERSISTED_QUERY_HASH_MISMATCH": (
        "sha256Hash {hash} 不是查询文本的 sha256",
        "sha256Hash {hash} is not the sha256 of the query text",
    ),
    "PERSISTED_QUERY_INVALID": ("{field} 无效：{expected}", "{field} is not valid: {expected}"),
    "PERSISTED_DOCUMENT_REQUIRED": (
        "此城市只运行已登记的文档：请发送文档的 ID（由 civicgraph documents push 登记）",
        "this city runs registered documents only: send the document's id (registered with "
        "civicgraph documents push)",
    ),
    "DOCUMENT_ID_TAKEN": (
        "ID {field} 已登记为另一段文本",
        "id {field} is registered with another text",
    ),
    "DOCUMENT_INVALID": ("文档 {field} 无效：{detail}", "document {field} is not valid: {detail}"),
    "MANIFEST_NOT_JSON": ("清单不是 JSON：{detail}", "the manifest is not JSON: {detail}"),
    "MANIFEST_NOT_AN_OBJECT": (
        "清单应为 {{ID: 文档}} 形式的对象，或 Apollo 的持久化查询清单",
        "the manifest must be an object of id: document, or Apollo's persisted query manifest",
    ),
    "MANIFEST_EMPTY": ("清单中没有文档", "the manifest holds no document"),
    "MANIFEST_VERSION": (
        "不支持 Apollo 清单的版本 {version}（只支持 1）",
        "Apollo manifest version {version} is not supported (only 1)",
    ),
    "MANIFEST_BAD_ID": (
        "ID {field} 无效：应为 1 到 {max} 个字符的字符串",
        "id {field} is not valid: ids are strings of 1 to {max} characters",
    ),
    "MANIFEST_NO_DOCUMENT": ("ID {field} 没有文档文本", "id {field} has no document text"),
    "MANIFEST_HASH_MISMATCH": (
        "ID {field} 不是其文档的 {algorithm} 摘要：清单被改动或截断",
        "id {field} is not the {algorithm} of its document: the manifest was edited or cut",
    ),
    "MANIFEST_DUPLICATE_ID": (
        "ID {field} 出现两次，文本不同",
        "id {field} appears twice with different texts",
    ),
}

# The HTTP and WebSocket layer's refusals (schema/http/app.py, schema/http/sockets.py): a
# request or message that is not GraphQL over HTTP or graphql-transport-ws.
MESSAGES.update(
    {
        "METHOD_NOT_ALLOWED": (
            "只接受 GET 和 POST 请求",
            "GraphQL takes GET and POST requests only",
        ),
        "MUTATION_OVER_GET": (
            "GET 请求只能执行查询，变更请用 POST",
            "a GET request may only run a query: send mutations with POST",
        ),
        "BAD_REQUEST": (
            "请求不是有效的 GraphQL 请求",
            "the request is not a valid GraphQL request",
        ),
        "UNSUPPORTED_CONTENT_TYPE": (
            "不支持的内容类型：请用 application/json",
            "unsupported content type: send application/json",
        ),
        "INVALID_JSON": ("请求体不是有效的 JSON", "the request body is not valid JSON"),
        "SUBSCRIPTION_OVER_HTTP": (
            "订阅请通过 WebSocket（graphql-transport-ws 协议）发送到同一地址",
            "send subscriptions over a WebSocket (graphql-transport-ws) to the same address",
        ),
        "NO_QUERY": ("请求中没有 GraphQL 查询", "the request holds no GraphQL query"),
        "QUERY_NOT_STRING": ("query 必须是字符串", "`query` must be a string"),
        "VARIABLES_NOT_OBJECT": (
            "variables 必须是对象或 null",
            "`variables` must be an object or null",
        ),
        "EXTENSIONS_NOT_OBJECT": (
            "extensions 必须是对象或 null",
            "`extensions` must be an object or null",
        ),
        "OPERATION_NAME_NOT_STRING": (
            "operationName 必须是字符串或 null",
            "`operationName` must be a string or null",
        ),
        "NOT_FOUND_PATH": ("此地址没有内容", "nothing is served at this address"),
        # WebSocket close reasons, "CODE: message" (a close reason holds at most 123 bytes).
        "BAD_MESSAGE": ("消息无效", "the message is not valid graphql-transport-ws"),
        "NOT_INITIALISED": ("连接尚未初始化", "the connection is not initialised"),
        "INIT_TIMEOUT": ("连接初始化超时", "the connection was not initialised in time"),
        "DUPLICATE_OPERATION": ("操作编号已在使用", "an operation with this id is running"),
        "TOO_MANY_INITIALISATIONS": ("重复初始化连接", "the connection was initialised twice"),
        "SUBPROTOCOL_NOT_ACCEPTABLE": (
            "子协议不被接受：请用 graphql-transport-ws",
            "subprotocol not acceptable: use graphql-transport-ws",
        ),
    }
)


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
    return (en if lang == "en" else zh).format(**{k: _param(v, lang) for k, v in params.items()})


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, Text | str):
        return localise(value, lang)
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return number(value)
    return value


# Owners' votes and management contracts (docs/votes.md).
MESSAGES.update(
    {
        "NO_UNITS": (
            "{field} 指向的小区没有登记任何专有部分",
            "{field}: the compound has no units recorded",
        ),
        "UNITS_WITHOUT_OWNER": (
            "{field} 指向的小区有 {count} 个专有部分未登记业主",
            "{field}: {count} units of the compound have no recorded owner",
        ),
        "CLOSES_BEFORE_OPENS": (
            "{field} 必须晚于开始时间",
            "{field} must be after the opening time",
        ),
        "OPENS_IN_PAST": ("{field} 不能早于当前时间", "{field} must not be in the past"),
        "OPTIONS_INVALID": (
            "{field} 至少两项、名称不重复且至少一项表示同意",
            "{field} needs at least two distinct labels, one of them approving",
        ),
        "FIRM_NOT_APPLICABLE": (
            "只有选聘和解聘物业服务企业的表决可指定 {field}",
            "{field} only applies to a vote on hiring or dismissing the firm",
        ),
        "VOTE_NOT_OPEN": ("{field} 指向的表决尚未开始", "{field}: the vote has not opened yet"),
        "VOTE_CLOSED": ("{field} 指向的表决已结束", "{field}: the vote is closed"),
        "VOTE_ALREADY_CLOSED": ("{field} 指向的表决已关闭", "{field}: the vote is already closed"),
        "VOTE_NOT_DUE": (
            "{field} 指向的表决未到截止时间，不能提前关闭",
            "{field}: the vote cannot be closed before its closing time",
        ),
        "OPTION_NOT_FOUND": ("{field} 不是该表决的选项", "{field} is not an option of this vote"),
        "NOT_AN_OWNER": (
            "{field}：不是该表决登记的业主",
            "{field}: not an owner in this vote's electorate",
        ),
        "ELECTOR_AMBIGUOUS": (
            "该人员在本次表决中代表多个业主，请指定 {field}",
            "the person is more than one owner in this vote: give {field}",
        ),
        "OWNER_NOT_APPLICABLE": (
            "网上投票只能由业主本人进行，不能指定 {field}",
            "online ballots are cast by the owner; {field} is for paper and proxy ballots",
        ),
        "BALLOT_ALREADY_CAST": ("{field}：该业主已投票", "{field}: this owner has already voted"),
        "BALLOT_NOT_CHANGEABLE": (
            "{field}：本市规定投票后不得更改",
            "{field}: the city does not allow a cast ballot to change",
        ),
        "BALLOT_NOT_CAST": ("{field}：该业主尚未投票", "{field}: this owner has not voted yet"),
        "BALLOT_CHANGED_CONCURRENTLY": (
            "{field}：选票刚被他人修改，请刷新后重试",
            "{field}: the ballot was just changed by someone else; reload and retry",
        ),
        "VOTE_REQUIRED": (
            "选聘物业或变更管理方式须有业主表决通过：{field} 不能为空",
            "hiring a firm or changing the mode needs the owners' passed vote: {field} is required",
        ),
        "VOTE_NOT_APPLICABLE": (
            "公租房没有业主表决，由住房主管部门决定：不能指定 {field}",
            "public rental housing has no owners' vote; the housing authority decides: no {field}",
        ),
        "AUTHORITY_DECISION_REQUIRED": (
            "公租房须记录住房主管部门的决定：{field} 不能为空",
            "public rental housing needs the housing authority's decision: {field} is required",
        ),
        "AUTHORITY_DECISION_NOT_APPLICABLE": (
            "有业主的小区须由业主表决决定，不能以 {field} 代替",
            "a compound with owners decides by the owners' vote, not by {field}",
        ),
        "VOTE_WRONG_COMPOUND": (
            "{field} 指向其他小区的表决",
            "{field} is a vote of another compound",
        ),
        "VOTE_WRONG_MATTER": (
            "{field} 不是选聘和解聘物业服务企业的表决",
            "{field} is not a vote on hiring or dismissing the property-service firm",
        ),
        "VOTE_WRONG_FIRM": ("{field} 表决通过的是另一家企业", "{field} approved a different firm"),
        "VOTE_NOT_PASSED": (
            "{field} 指向的表决未通过（{verdict}）",
            "{field}: the vote has not passed ({verdict})",
        ),
        "CONTRACT_STARTS_TOO_EARLY": (
            "{field} 必须晚于该小区现有合同的开始日期",
            "{field} must be after the start of the compound's existing contracts",
        ),
        "MODE_NEEDS_NO_CONTRACT": (
            "{field} 为业主自管或无物业时无需物业合同",
            "{field}: self-management or no management needs no firm contract",
        ),
        "MODE_UNCHANGED": ("{field} 与现行管理方式相同", "{field} is the current management mode"),
        "INVALID_AREA": (
            "{field} 须为大于零、最多两位小数的平方米数",
            "{field} must be a positive number of m² with at most two decimals",
        ),
        "VOTE_ALREADY_USED": (
            "{field} 指向的表决已用于另一份物业合同",
            "{field} already authorised another management contract",
        ),
        "UNIT_EXISTS": (
            "该小区已登记编号为 {field} 的专有部分",
            "the compound already has a unit with this {field}",
        ),
    }
)

# Data protection (core/security/audit.py, core/security/idempotency.py, core/security/personal.py).
MESSAGES.update(
    {
        "IDEMPOTENCY_KEY_REUSED": (
            "{field} 已用于另一份不同的请求",
            "{field} was already used for a different request",
        ),
        "INVALID_ID_NUMBER": (
            "{field} 须为 18 位居民身份证号码",
            "{field} must be an 18-character resident ID number",
        ),
    }
)

# Grassroots people and work-item admission
# (core/grassroots/roster.py, core/grassroots/listing.py, core/grassroots/workitems.py).
MESSAGES.update(
    {
        "WORK_ITEM_NOT_ADMITTED": (
            "“{item}”不在社区工作事项准入清单内",
            "“{item}” is not on the list of work items admitted for communities",
        ),
        "WORK_ITEM_WITHDRAWN": (
            "“{item}”已于 {on} 移出准入清单",
            "“{item}” was taken off the admitted list on {on}",
        ),
        "NOT_A_DEPARTMENT": ("{field} 不是政府部门", "{field} is not a government department"),
        "WRONG_ORGANISATION_KIND": (
            "{field} 应为{expected}",
            "{field} must be a {expected}",
        ),
        "DUPLICATE": ("{field} 已存在", "{field} already exists"),
        "DATE_ORDER": ("{field} 不能早于开始日期", "{field} must not be before the start date"),
        "WORKER_EXITED": ("{field}：该社区工作者已退出", "{field}: the worker has already exited"),
        "ONE_AREA": ("只能指定一个区域：镇街或社区", "name one area: a street or a community"),
        "INVALID_DATE": ("{field} 不是有效日期（YYYY-MM-DD）", "{field} is not a YYYY-MM-DD date"),
        "UNKNOWN_EXPORT": ("没有名为 {what} 的导出", "there is no export named {what}"),
        "EMPTY_LIST": ("{field} 至少需要一项", "{field} needs at least one entry"),
        # Credit of firms and service purchases (core/firms/credit.py, core/purchases/proposals.py).
        "NO_CREDIT_REGIME": (
            "本市未启用信用管理插件，无法记录信用事件",
            "this city runs no credit regime plugin to record the event",
        ),
        "NOT_POSITIVE": ("{field} 必须大于零", "{field} must be greater than zero"),
        # The purchase lifecycle (core/purchases/lifecycle.py, core/purchases/deliveries.py).
        "WRONG_STATUS": (
            "该购买项目处于{status}状态，此操作仅在{expected}状态可用",
            "the purchase is {status}; this is only possible when it is {expected}",
        ),
        "UNKNOWN_CRITERION": (
            "{field}：本市评估指标中没有 {criterion}",
            "{field}: the city evaluates by no criterion {criterion}",
        ),
        "CRITERION_MISSING": (
            "{field}：缺少“{criterion}”的得分",
            "{field}: no mark for {criterion}",
        ),
        "MARK_OUT_OF_RANGE": (
            "{field}：“{criterion}”的得分应在 0 到 {max} 之间",
            "{field}: the mark for {criterion} must be between 0 and {max}",
        ),
        "DELIVERIES_MISSING": (
            "尚无服务记录，不能评估",
            "no delivery of the service is reported yet to evaluate",
        ),
        "NOT_CONTRACTED": (
            "{field}：该购买项目未签约，无付款",
            "{field}: nothing is paid before a contract",
        ),
        "PAID_OVER_CONTRACT": (
            "{field} 应在 0 到合同金额 {amount} 元之间",
            "{field} must be between 0 and the contract's {amount} yuan",
        ),
        "OUTSIDE_CONTRACT": (
            "{field} 应在合同期 {start} 至 {end} 之内",
            "{field} must fall in the contract's period, {start} to {end}",
        ),
    }
)

# The points credit regime (plugins/points_credit).
MESSAGES.update(
    {
        "APPEAL_WINDOW_CLOSED": (
            "{field}：申诉期已于 {until} 届满",
            "{field}: the appeal window closed on {until}",
        ),
        "APPEAL_DECIDED": ("{field}：该申诉已有决定", "{field}: the appeal is already decided"),
    }
)

# The Donghong Property integration (plugins/dongguan_donghong).
MESSAGES.update(
    {
        "NOT_MANAGED_BY_COMPANY": (
            "{field}：该小区当前不由 {company} 管理",
            "{field}: the compound is not currently managed by {company}",
        ),
    }
)

# Dongguan's firm assessment (plugins/dongguan_assessment).
MESSAGES.update(
    {
        "PERIOD_NOT_ENDED": (
            "{field}：{period} 于 {end} 结束，结束后方可考核",
            "{field}: {period} ends on {end} and can be assessed only after it ends",
        ),
        "ASSESSMENT_INPUTS_MISSING": (
            "{field}：{period} 缺少 {count} 项必填考核数据：{missing}",
            "{field}: {period} lacks {count} mandatory inputs: {missing}",
        ),
        "ASSESSMENT_PUBLISHED": (
            "{field}：{period} 的考核结果（第 {version} 次）已于 {on} 公布，不能再更改",
            "{field}: the assessment of {period} (run {version}) was published on {on}; "
            "it can no longer change",
        ),
        "ASSESSMENT_SUPERSEDED": (
            "{field}：{period} 的第 {version} 次考核已被第 {latest} 次取代",
            "{field}: run {version} of {period} is superseded by run {latest}",
        ),
        "ASSESSMENT_RUN_CONCURRENTLY": (
            "{field}：{period} 刚被他人重新考核或公布，请刷新后重试",
            "{field}: {period} was just re-run or published by someone else; reload and retry",
        ),
    }
)
