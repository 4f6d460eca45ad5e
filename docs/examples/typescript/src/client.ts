// A typed fetch for civicgraph: the result and the variables are the operation's own types,
// generated from the city's SDL. Any fetch-based client (urql, Apollo, graphql-http) takes
// the same generated documents.
import type { TypedDocumentString } from "./gql/graphql";

export interface Caller {
  endpoint: string; // e.g. https://api.example/graphql/dongguan
  token?: string; // a Bearer JWT; none for the public directory
  language?: "zh" | "en";
}

export interface GraphQLFailure {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export class GraphQLErrors extends Error {
  constructor(readonly errors: GraphQLFailure[]) {
    super(errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("; "));
  }
}

export async function request<Result, Variables>(
  caller: Caller,
  document: TypedDocumentString<Result, Variables>,
  // An operation without variables takes none; one with variables must be given them.
  ...[variables]: Variables extends Record<string, never> ? [] : [Variables]
): Promise<Result> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json;q=0.9",
    "Accept-Language": caller.language ?? "zh",
  };
  if (caller.token) headers["Authorization"] = `Bearer ${caller.token}`;
  const response = await fetch(caller.endpoint, {
    method: "POST",
    headers,
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json()) as { data?: Result | null; errors?: GraphQLFailure[] };
  if (body.errors?.length) throw new GraphQLErrors(body.errors);
  if (body.data == null) throw new GraphQLErrors([{ message: `HTTP ${response.status}` }]);
  return body.data;
}
