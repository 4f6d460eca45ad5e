"""`grids(filter: {compoundId})`: the grids holding one of the compound's buildings (issue 17,
finding 9: the filter was ignored, on both read paths)."""

from __future__ import annotations

from core.infra.tenancy import in_city
from core.models import Building, Grid
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient
from tests.factories import build_town

QUERY = """query($c: ID) { grids(filter: {compoundId: $c}, orderBy: {field: NAME}) {
  totalCount nodes { name } } }"""


async def test_grids_of_a_compound(empty_db: str, gql: GraphQLClient) -> None:
    town = await build_town("dongguan", compounds=2, cases_each=0)
    first, second = town.compounds
    with in_city("dongguan"):
        community = town.communities[0]
        north = await Grid.create(community=community, name="北网格")
        south = await Grid.create(community=community, name="南网格")
        await Grid.create(community=community, name="空网格")  # no building at all
        await Building.create(compound=first, grid=north, name="1栋")
        await Building.create(compound=first, grid=south, name="2栋")
        await Building.create(compound=first, grid=None, name="3栋")
        await Building.create(compound=second, grid=south, name="1栋")

    async def names(compound_id: str | None) -> list[str]:
        page = (await gql(QUERY, {"c": compound_id}))["data"]["grids"]
        assert page["totalCount"] == len(page["nodes"])
        return [n["name"] for n in page["nodes"]]

    assert await names(to_global_id("Compound", first.id)) == ["北网格", "南网格"]
    assert await names(to_global_id("Compound", second.id)) == ["南网格"]
    assert len(await names(None)) == 3
