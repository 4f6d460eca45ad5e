// A field only Dongguan serves (its assessment plugin): present in schema/sdl/dongguan.graphql,
// absent from the core SDL and from Zhuhai's, so generating against the wrong city fails.
import { request, type Caller } from "./client";
import { graphql } from "./gql";

export const FirmGrades = graphql(`
  query FirmGrades($period: String!) {
    firmAssessments(period: $period, first: 20) {
      nodes { rank grade passed score firm { name } }
    }
  }
`);

export async function grades(caller: Caller, period: string): Promise<Map<string, string>> {
  const { firmAssessments } = await request(caller, FirmGrades, { period });
  // Decimal comes as a string: exact, never a binary float.
  return new Map(firmAssessments.nodes.map((a) => [a.firm.name, `${a.grade} (${a.score})`]));
}
