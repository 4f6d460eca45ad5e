// The README's query: the public directory, no token needed.
import { request, type Caller } from "./client";
import { graphql } from "./gql";

export const CompoundsByName = graphql(`
  query CompoundsByName($name: String!) {
    compounds(first: 5, filter: { nameContains: $name }) {
      totalCount
      nodes {
        name
        kindLabel
        homes
        residents
        floorArea
        community { name street { name } }
        firm { name isStateOwned owningGroup }
      }
    }
  }
`);

export async function describeCompounds(caller: Caller, name: string): Promise<string[]> {
  const { compounds } = await request(caller, CompoundsByName, { name });
  return compounds.nodes.map((c) => {
    const managedBy = c.firm ? `${c.firm.name}${c.firm.isStateOwned ? " (state-owned)" : ""}` : "self-managed";
    // floorArea is nullable in the SDL: the type makes the check necessary.
    const area = c.floorArea === null || c.floorArea === undefined ? "?" : c.floorArea.toFixed(0);
    return `${c.community.street.name} ${c.community.name} ${c.name}: ${c.homes} homes, ${area} m², ${managedBy}`;
  });
}
