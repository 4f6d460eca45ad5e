// GraphiQL for one city's endpoint: the page (schema/http/graphiql/__init__.py) is served at
// /graphql/{city}; everything here talks to that same path, over HTTP and over graphql-ws.
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher, createLocalStorage } from "@graphiql/toolkit";
import "graphiql/style.css";
import "./page.css";
import "./workers.js";

const mount = document.getElementById("graphiql");
const url = location.origin + location.pathname;
// The headers editor's JSON becomes graphql-ws' connection_init payload (the toolkit merges
// them), so {"Authorization": "Bearer ..."} authenticates subscriptions as it does queries.
const fetcher = createGraphiQLFetcher({
  url,
  subscriptionUrl: url.replace(/^http/, "ws"),
  enableIncrementalDelivery: false, // the server answers single results only
});

createRoot(mount).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={mount.dataset.query}
    // Each city keeps its own tabs and history: the cities share an origin, not a schema.
    storage={createLocalStorage({ namespace: `civicgraph:${mount.dataset.city}` })}
    isHeadersEditorEnabled
    defaultEditorToolsVisibility="headers"
    shouldPersistHeaders={false}
  />,
);
