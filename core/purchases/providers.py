"""Who may provide a purchased service: a social organisation, a volunteer team or a
registered social worker (DOMAIN.md, process 6; the seed's 社会组织、社会工作者和社区志愿者).

A provider is named by an Organisation (social organisation or volunteer team, told apart by
the organisation's kind) or by a SocialWorker; `resolve_provider` turns the reference into
the purchase's columns or a coded error naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.infra.enums import OrganisationKind, ProviderKind, Role
from core.infra.errors import DomainError
from core.infra.i18n import Text
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.models import Organisation, SocialWorker
from core.security.access import require_role
from core.security.auth import Principal

# Who reads providers: those who read purchases (core.purchases.proposals.PURCHASERS).
PROVIDER_READERS = frozenset({Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
# The organisation kinds that may provide, and the provider kind each makes.
ORGANISATION_PROVIDERS = {
    OrganisationKind.SOCIAL_ORGANISATION: ProviderKind.ORGANISATION,
    OrganisationKind.VOLUNTEER_TEAM: ProviderKind.VOLUNTEER_TEAM,
}


@dataclass(frozen=True)
class ProviderRef:
    """What a client names: an Organisation or a SocialWorker (exactly one of the two)."""

    organisation_id: int | None = None
    social_worker_id: int | None = None


@dataclass(frozen=True)
class Provider:
    kind: ProviderKind
    organisation_id: int | None = None
    social_worker_id: int | None = None

    @property
    def id(self) -> int:
        found = self.organisation_id or self.social_worker_id
        assert found is not None
        return found

    @property
    def plugin_kind(self) -> str:
        """The kind as the purchasing rules see it (ServicePurchase.provider_kind)."""
        return self.kind.value.lower()

    def columns(self) -> dict[str, Any]:
        return {
            "provider_kind": self.kind,
            "provider_id": self.organisation_id,
            "social_worker_id": self.social_worker_id,
        }


def provider_of(row: dict[str, Any]) -> Provider:
    """The provider a purchase row names."""
    return Provider(ProviderKind(row["provider_kind"]), row["provider_id"], row["social_worker_id"])


async def resolve_provider(ref: ProviderRef, field: str = "providerId") -> Provider:
    """The provider `ref` names, or NOT_FOUND / WRONG_ORGANISATION_KIND on `field`."""
    if ref.social_worker_id is not None:
        if not await SocialWorker.filter(id=ref.social_worker_id).exists():
            raise DomainError("NOT_FOUND", field)
        return Provider(ProviderKind.SOCIAL_WORKER, social_worker_id=ref.social_worker_id)
    if ref.organisation_id is None:
        raise DomainError("REQUIRED", field)
    rows = await Organisation.filter(id=ref.organisation_id).values("kind")
    if not rows:
        raise DomainError("NOT_FOUND", field)
    kind = ORGANISATION_PROVIDERS.get(OrganisationKind(rows[0]["kind"]))
    if kind is None:
        kinds = ORGANISATION_PROVIDERS
        expected = Text(
            "或".join(k.label() for k in kinds), " or ".join(k.label("en") for k in kinds)
        )
        raise DomainError("WRONG_ORGANISATION_KIND", field, expected=expected)
    return Provider(kind, organisation_id=ref.organisation_id)


SOCIAL_WORKER_FIELDS = (
    "id",
    "person__name",
    "qualification",
    "registered_on",
    "organisation_id",
    "created_at",
)


async def social_workers_by_id(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Social workers as providers, by id, in one statement (their name, not their contacts)."""
    rows = await SocialWorker.filter(id__in=ids).values(*SOCIAL_WORKER_FIELDS)
    return {r["id"]: r for r in rows}


async def social_worker_by_id(principal: Principal, pk: int) -> dict[str, Any] | None:
    """One social worker, for those who read purchases (admins)."""
    require_role(principal, PROVIDER_READERS)
    return (await social_workers_by_id([pk])).get(pk)


async def list_social_workers(principal: Principal, page: PageRequest) -> Page:
    """The city's registered social workers, newest registration first (admins)."""
    require_role(principal, PROVIDER_READERS)
    order = Ordering("registered_on", descending=True)
    return await paginate(SocialWorker.all(), order, page, SOCIAL_WORKER_FIELDS)
