"""The hooks of `dongguan_donghong` (entry point in the root pyproject.toml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal

from pydantic import BaseModel

from plugins.dongguan_donghong import demo, schema, takeover
from plugins.dongguan_donghong.feed import fetch
from plugins.dongguan_donghong.settings import NAME, DonghongSettings
from plugins.dongguan_donghong.sync import company_firm
from plugins.dongguan_donghong.sync import sync as synchronise
from schema.plugin_api import (
    CityPlugins,
    DomainError,
    ManagedProject,
    PluginModels,
    Principal,
    Reconciliation,
    Role,
    SchemaContribution,
    SyncReport,
    hookimpl,
    settings_of,
)
from schema.plugin_api.models import Compound, ManagementContract


class DonghongConnector:
    """Donghong Property's feed and contracts for one city (a SyncingConnector)."""

    name = "广东东鸿物业发展有限公司"

    def __init__(self, city: CityPlugins) -> None:
        self.city = city
        self.settings = settings_of(city, NAME, DonghongSettings)
        self.firm_registration_number = self.settings.company_registration_number

    async def sync(self, *, dry_run: bool, actor: str) -> SyncReport:
        return await synchronise(self.settings, dry_run=dry_run, actor=actor)

    async def fetch_projects(self) -> list[ManagedProject]:
        feed = await fetch(self.settings)
        return [
            ManagedProject(
                external_id=p.project_code,
                name=p.name,
                address=f"{p.street}{p.community}",
                floor_area_m2=Decimal(str(p.floor_area)) if p.floor_area is not None else None,
                compound_name=p.compound,
                street=p.street,
                community=p.community,
                kind=p.kind.value,
                homes=p.homes,
                managed_since=p.managed_since,
                managed_until=p.managed_until,
            )
            for p in feed.projects
        ]

    async def reconcile(self, projects: list[ManagedProject]) -> Reconciliation:
        """How the projects line up, read only (`sync` is what writes)."""
        compounds = await Compound.all().values("id", "name", "community__name")
        firm = await company_firm(self.settings)
        ours = set()
        if firm is not None:
            ours = set(
                await ManagementContract.filter(
                    firm_id=firm["id"], ends_on__isnull=True
                ).values_list("compound_id", flat=True)
            )
        matched, unknown = {}, []
        for p in projects:
            found = [
                c["id"]
                for c in compounds
                if c["name"] == (p.compound_name or p.name) and c["community__name"] == p.community
            ]
            if len(found) == 1:
                matched[p.external_id] = found[0]
            else:
                unknown.append(p)
        missing = tuple(sorted(c for c in matched.values() if c not in ours))
        return Reconciliation(matched, tuple(unknown), missing)

    def _principal(self) -> Principal:
        return Principal(city=self.city.slug, role=Role.CITY_ADMIN, subject=NAME)

    async def take_over(
        self,
        compound_id: int,
        *,
        starts_on: dt.date | None = None,
        vote_id: int | None = None,
        authority_decision: str | None = None,
        principal: Principal | None = None,
    ) -> None:
        await takeover.take_over(
            principal or self._principal(),
            self.settings,
            compound_id,
            starts_on or dt.date.today(),
            vote_id=vote_id,
            authority_decision=authority_decision,
        )

    async def hand_over(
        self,
        compound_id: int,
        *,
        to_firm_id: int | None = None,
        starts_on: dt.date | None = None,
        vote_id: int | None = None,
        authority_decision: str | None = None,
        principal: Principal | None = None,
    ) -> None:
        if to_firm_id is None:
            raise DomainError("REQUIRED", "toFirmId")
        await takeover.hand_over(
            principal or self._principal(),
            self.settings,
            compound_id,
            to_firm_id,
            starts_on or dt.date.today(),
            vote_id=vote_id,
            authority_decision=authority_decision,
        )


@hookimpl
def register_settings() -> type[BaseModel]:
    return DonghongSettings


@hookimpl
def register_models() -> PluginModels:
    return PluginModels(
        app_label="dongguan_donghong",
        models="plugins.dongguan_donghong.models",
        migrations="plugins.dongguan_donghong.migrations",
    )


@hookimpl
def register_schema(city: CityPlugins) -> SchemaContribution:
    return SchemaContribution(query=schema.DonghongQuery, mutation=schema.DonghongMutation)


@hookimpl
def register_state_owned_connectors(city: CityPlugins) -> list[DonghongConnector]:
    return [DonghongConnector(city)]


@hookimpl
def load_demo_data(
    city: CityPlugins, progress: Callable[[str], None]
) -> Awaitable[dict[str, int]] | None:
    # A sync report and the Yayuan station, on the core demo's Donghong and Yayuan.
    if city.slug != "dongguan":
        return None
    return demo.load_donghong_demo(progress)
