// A case's page: one case by its global ID, with its timeline; a token that may see it.
import { request, type Caller } from "./client";
import { graphql } from "./gql";
import type { CaseStage } from "./gql/graphql";

export const CasePage = graphql(`
  query CasePage($id: ID!) {
    node(id: $id) {
      ... on Case {
        id
        title
        kindLabel
        stage
        stageLabel
        stageDueOn
        version
        createdAt
        compound { name }
        ratings { count mean belowThreshold }
      }
    }
  }
`);

export interface CaseSummary {
  title: string;
  stage: CaseStage;
  dueOn: Date | null;
  version: number;
}

export async function casePage(caller: Caller, id: string): Promise<CaseSummary | null> {
  const { node } = await request(caller, CasePage, { id });
  if (!node || !("title" in node)) return null; // not found, or not a Case
  return {
    title: `${node.compound.name}: ${node.title}`,
    stage: node.stage,
    // Date and DateTime come as ISO strings (mapped to string in codegen.yml).
    dueOn: node.stageDueOn ? new Date(node.stageDueOn) : null,
    version: node.version,
  };
}
