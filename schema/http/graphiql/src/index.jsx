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

// Each city keeps its own tabs and history: the cities share an origin, not a schema. Headers
// (tokens) are never stored: the tabs leave them out (shouldPersistHeaders), and the history
// plugin, which would keep each run's headers, has them taken out here.
const local = createLocalStorage({ namespace: `civicgraph:${mount.dataset.city}` });
const withoutHeaders = (value) => {
  const stored = JSON.parse(value);
  for (const items of Object.values(stored)) {
    for (const item of Array.isArray(items) ? items : []) delete item.headers;
  }
  return JSON.stringify(stored);
};
const storage = {
  getItem: (key) => local.getItem(key),
  setItem: (key, value) =>
    local.setItem(key, /:(queries|favorites)$/.test(key) ? withoutHeaders(value) : value),
  removeItem: (key) => local.removeItem(key),
  clear: () => local.clear(),
  get length() {
    return local.length;
  },
};

createRoot(mount).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={mount.dataset.query}
    storage={storage}
    isHeadersEditorEnabled
    defaultEditorToolsVisibility="headers"
    shouldPersistHeaders={false}
  />,
);
