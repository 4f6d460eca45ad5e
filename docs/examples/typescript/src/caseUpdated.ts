// Live updates of one case over graphql-transport-ws (graphql-ws), the token in the payload.
import { createClient } from "graphql-ws";
import { graphql } from "./gql";
import type { CaseUpdatedSubscription } from "./gql/graphql";

export const CaseUpdated = graphql(`
  subscription CaseUpdated($caseId: ID) {
    caseUpdated(caseId: $caseId) {
      change
      case { id stage stageLabel version }
    }
  }
`);

export async function followCase(
  url: string, // wss://api.example/graphql/dongguan
  token: string,
  caseId: string,
  onUpdate: (update: CaseUpdatedSubscription["caseUpdated"]) => void,
): Promise<void> {
  const client = createClient({ url, connectionParams: { Authorization: `Bearer ${token}` } });
  const updates = client.iterate<CaseUpdatedSubscription>({
    query: CaseUpdated.toString(),
    variables: { caseId },
  });
  for await (const next of updates) {
    if (next.data) onUpdate(next.data.caseUpdated);
  }
}
