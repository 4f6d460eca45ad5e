// The GraphQL-over-HTTP audit of graphql-http against a running server: prints the results
// as JSON (one line) and exits 0; the pytest test asserts on them.
import { auditServer } from "graphql-http";

const url = process.argv[2];
const results = await auditServer({ url });
const summary = results.map((r) => ({
  id: r.id,
  name: r.name,
  status: r.status,
  reason: r.reason ?? null,
}));
process.stdout.write(JSON.stringify(summary) + "\n");
