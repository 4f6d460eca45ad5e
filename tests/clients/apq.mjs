// Apollo Client 4's persisted-queries link against the server (tests/schema/http/test_persisted.py):
// node apq.mjs <url> <post|get>. Runs one query twice, and prints the answers and what
// went over the wire: the hash alone, the hash and the text on PersistedQueryNotFound, then
// the hash alone again.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { createHash } from "node:crypto";

const [url, method] = process.argv.slice(2);
const sent = [];
async function recording(input, init) {
  const target = new URL(String(input));
  const body = init.body ? JSON.parse(init.body) : null;
  const extensions = body?.extensions ?? JSON.parse(target.searchParams.get("extensions") ?? "null");
  const query = body?.query ?? target.searchParams.get("query");
  const response = await fetch(input, init);
  sent.push({
    method: init.method ?? "GET",
    hash: extensions?.persistedQuery?.sha256Hash ?? null,
    text: Boolean(query),
    status: response.status,
  });
  return response;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: method === "get" }).concat(
  new HttpLink({ uri: url, fetch: recording }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });
const query = gql`query City { city { slug name } }`;
const answers = [];
for (let i = 0; i < 2; i++) {
  const { data, error } = await client.query({ query, fetchPolicy: "network-only" });
  answers.push(error ? { error: String(error) } : data);
}
console.log(JSON.stringify({ answers, sent }));
