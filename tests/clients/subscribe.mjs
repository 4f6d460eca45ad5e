// graphql-ws (the client most frontends use) subscribing to caseUpdated, the token in
// connectionParams as a browser must send it. Prints one JSON line per event, then
// {"done": ...} once `count` events arrived, or {"error": ...} / {"closed": ...}, and exits.
//   node subscribe.mjs ws://127.0.0.1:PORT/graphql/dongguan TOKEN CASE_ID COUNT
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, caseId, count] = process.argv.slice(2);
const say = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { closed: (event) => say({ closed: event.code, reason: String(event.reason) }) },
});

const query = `subscription($caseId: ID) { caseUpdated(caseId: $caseId) {
  change case { id stage version } } }`;
let heard = 0;
try {
  for await (const result of client.iterate({ query, variables: { caseId } })) {
    say(result);
    heard += 1;
    if (heard >= Number(count)) break;
  }
  say({ done: heard });
} catch (error) {
  say({ error: error instanceof Error ? error.message : String(error?.reason ?? error) });
}
await client.dispose();
process.exit(0);
