"""The grassroots demo loads onto any city with places, counts as expected, and only once."""

from __future__ import annotations

from core.devdata.grassroots import load_grassroots_demo
from core.figures import report as figures
from core.infra.tenancy import in_city
from core.models import BuildingHead, VenueHours, WorkItemRequest
from tests.figures_town import AS_OF, build_figures_town


async def test_loads_once_and_feeds_the_figures(empty_db: str) -> None:
    town = await build_figures_town()
    first = await load_grassroots_demo()
    # The town has no 宏图社区: the first community (C1) is used; its two largest compounds
    # are B (1 building) and A (2 buildings); no venue, no mediation committee, no department.
    assert first == {
        "building_heads": 3,
        "community_workers": 3,
        "party_members": 4,
        "volunteers": 5,
        "work_items": 6,
    }
    assert await load_grassroots_demo() == {}
    with in_city("dongguan"):
        assert await BuildingHead.all().count() == 4 + 3
        assert await VenueHours.all().count() == 0
        assert await WorkItemRequest.all().count() == 0
        c1 = figures.Area(figures.AreaKind.COMMUNITY, town.communities["C1"].id)
        heads = await figures.building_head_coverage(c1, AS_OF)
    # B comes first (more homes): b1 gets a demo head; then a1 and a2, whose demo head (the
    # last appointed) left in 2024 but the town's H1 still covers both. x1 never.
    assert (heads.covered, heads.total) == (3, 4)
