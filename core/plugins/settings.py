"""A city admin reads and changes its plugins: enablement and settings, with a change log.

Settings are validated against the plugin's pydantic model: all field errors at once, and
nothing is written when any is wrong. Secrets (pydantic SecretStr) leave this module masked
to their last four characters, in the API and in the change log alike; sending the masked
value back keeps the stored secret (saleor's convention).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined
from tortoise.transactions import in_transaction

from core.infra.enums import Role
from core.infra.errors import DomainError, ValidationErrors
from core.infra.i18n import Text
from core.infra.reasons import validation_reason
from core.models import PluginConfiguration, PluginConfigurationChange
from core.plugins import calls as plugins
from core.plugins.contributions import NoSettings
from core.security.access import require_role
from core.security.auth import Principal

ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
MASK = "****"


@dataclass(frozen=True)
class SettingField:
    name: str
    label: str
    help: str | None
    kind: str  # the JSON-schema type: string, integer, number, boolean, array, object
    value: Any
    default: Any
    secret: bool
    required: bool


@dataclass(frozen=True)
class PluginSettings:
    plugin: str
    version: str | None
    active: bool
    fields: tuple[SettingField, ...]


def mask(secret: str | None) -> str | None:
    """Only the last four characters show, and not even those of a short secret."""
    if secret is None:
        return None
    return MASK + secret[-4:] if len(secret) > 8 else MASK


def _model(plugin: str) -> type[BaseModel]:
    return plugins.settings_model(plugin) or NoSettings


def secret_fields(model: type[BaseModel]) -> set[str]:
    return {
        name
        for name, info in model.model_fields.items()
        if info.annotation is SecretStr or SecretStr in get_args(info.annotation)
    }


def storable(instance: BaseModel) -> dict[str, Any]:
    """JSON for the row: secrets in clear (the row is not an API), the rest as JSON."""
    data: dict[str, Any] = instance.model_dump(mode="json")
    for name in secret_fields(type(instance)):
        value = getattr(instance, name)
        data[name] = value.get_secret_value() if value is not None else None
    return data


def masked(model: type[BaseModel], raw: dict[str, Any]) -> dict[str, Any]:
    secrets = secret_fields(model)
    return {k: (mask(v) if k in secrets else v) for k, v in raw.items()}


def _describe(plugin: str, active: bool, raw: dict[str, Any]) -> PluginSettings:
    model = _model(plugin)
    properties = model.model_json_schema().get("properties", {})
    secrets = secret_fields(model)
    shown = masked(model, _effective(model, raw))
    fields = []
    for name, info in model.model_fields.items():
        default = info.get_default(call_default_factory=True)
        if default is PydanticUndefined or name in secrets:
            default = None  # nothing secret is shown, not even a default
        else:
            assert info.annotation is not None  # a settings model's fields are all annotated
            default = TypeAdapter(info.annotation).dump_python(default, mode="json")
        fields.append(
            SettingField(
                name=name,
                label=info.title or name.replace("_", " ").capitalize(),
                help=info.description,
                kind=_kind(properties.get(name, {})),
                value=shown.get(name),
                default=default,
                secret=name in secrets,
                required=info.is_required(),
            )
        )
    return PluginSettings(plugin, plugins.plugin_version(plugin), active, tuple(fields))


def _kind(schema: dict[str, Any]) -> str:
    """The JSON type of a field: its own, or the first non-null one of a union."""
    if "type" in schema:
        return str(schema["type"])
    types = [t.get("type") for t in schema.get("anyOf", []) if t.get("type") != "null"]
    return str(types[0]) if types and types[0] else "object"


def _effective(model: type[BaseModel], raw: dict[str, Any]) -> dict[str, Any]:
    """The values in force: the stored ones validated with defaults filled in."""
    try:
        return storable(model.model_validate(raw))
    except ValidationError:
        return dict(raw)  # shown as stored, so the admin sees what to fix


async def city_settings(principal: Principal) -> list[PluginSettings]:
    """Every installed plugin, active or not, with the city's settings."""
    require_role(principal, ADMINS)
    stored = await plugins.stored_configuration(principal.city)
    return [_describe(name, *stored.get(name, (False, {}))) for name in plugins.installed()]


# Why a setting is refused, in the admin's language (pydantic's own rules: core/infra/reasons.py).
UNKNOWN_SETTING = Text("没有这项设置", "unknown setting")
NOT_AN_OBJECT = Text("应为对象", "not an object")


def _validate(plugin: str, raw: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    model = _model(plugin)
    secrets = secret_fields(model)
    errors = [
        DomainError("INVALID_SETTING", f"settings.{key}", reason=UNKNOWN_SETTING)
        for key in values
        if key not in model.model_fields
    ]
    merged = dict(raw)
    for key, value in values.items():
        if key in secrets and value is not None and value == mask(raw.get(key)):
            continue  # the masked value sent back: keep the stored secret
        merged[key] = value
    try:
        instance = model.model_validate(merged)
    except ValidationError as e:
        for err in e.errors():
            # A rule across settings (a model validator) has no path: it names `settings`.
            field = ".".join(["settings", *(str(part) for part in err["loc"])])
            reason = validation_reason(err)
            errors.append(DomainError("INVALID_SETTING", field, reason=reason))
    if errors:
        raise ValidationErrors(errors)
    return storable(instance)


async def update_plugin(
    principal: Principal,
    plugin: str,
    values: object = None,
    active: bool | None = None,
) -> PluginSettings:
    """Change a plugin's settings and/or enablement for the caller's city; logged.

    The role first: a caller who may not configure plugins gets the refusal, never a word
    about the plugin or its settings (docs/security.md, "The order of checks").
    """
    require_role(principal, ADMINS)
    if values is not None and not isinstance(values, dict):
        raise DomainError("INVALID_SETTING", "settings", reason=NOT_AN_OBJECT)
    if plugin not in plugins.installed():
        raise DomainError("UNKNOWN_PLUGIN", "plugin", plugin=plugin)
    stored = await plugins.stored_configuration(principal.city)
    was_active, raw = stored.get(plugin, (False, {}))
    now_active = was_active if active is None else active
    new_raw = _validate(plugin, raw, values or {})
    model = _model(plugin)
    async with in_transaction():
        row = await PluginConfiguration.get_or_none(plugin=plugin)
        if row is None:
            row = PluginConfiguration(plugin=plugin)
        row.active, row.settings = now_active, new_raw
        await row.save()
        if (was_active, _effective(model, raw)) != (now_active, new_raw):
            await PluginConfigurationChange.create(
                plugin=plugin,
                actor=principal.subject,
                active_before=was_active,
                active_after=now_active,
                settings_before=masked(model, _effective(model, raw)),
                settings_after=masked(model, new_raw),
            )
    return _describe(plugin, now_active, new_raw)


CHANGE_FIELDS = (
    "id",
    "plugin",
    "actor",
    "active_before",
    "active_after",
    "settings_before",
    "settings_after",
    "created_at",
)


async def settings_changes(principal: Principal, plugin: str, first: int) -> list[dict[str, Any]]:
    """The newest `first` changes of a plugin's configuration in the caller's city."""
    require_role(principal, ADMINS)
    query = PluginConfigurationChange.filter(plugin=plugin).order_by("-created_at", "-id")
    return list(await query.limit(first).values(*CHANGE_FIELDS))
