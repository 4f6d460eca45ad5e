// Filing a case: a mutation whose refusals come back as coded `errors`, not exceptions.
import { request, type Caller } from "./client";
import { graphql } from "./gql";
import type { FileCaseInput } from "./gql/graphql";

export const FileCase = graphql(`
  mutation FileCase($input: FileCaseInput!) {
    fileCase(input: $input) {
      case { id version stage }
      errors { field code message }
    }
  }
`);

export async function fileDispute(caller: Caller, compoundId: string, title: string): Promise<string> {
  const input: FileCaseInput = { kind: "PROPERTY_DISPUTE", title, compoundId };
  const { fileCase } = await request(caller, FileCase, { input });
  const refused = fileCase.errors[0];
  if (refused) throw new Error(`${refused.code}: ${refused.message}`);
  if (!fileCase.case) throw new Error("no case and no error");
  return fileCase.case.id;
}
