// Bundles GraphiQL into ../assets (committed: serving it needs no Node), with the licences of
// every package that went into the bundle. Run by `make graphiql` after `npm ci`.
import * as esbuild from "esbuild";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "assets");
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

const common = {
  bundle: true,
  minify: true,
  legalComments: "none", // the licences are gathered whole in THIRD_PARTY_LICENSES.txt
  target: "es2022",
  define: { "process.env.NODE_ENV": '"production"' },
  metafile: true,
  logLevel: "warning",
  absWorkingDir: here,
};

// graphiql/style.css already holds Monaco's styles (and its icon font): the stylesheets that
// Monaco's modules import would only be a second copy.
const monacoStylesOnce = {
  name: "monaco-styles-once",
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, (args) =>
      args.importer.includes("/node_modules/monaco-editor/")
        ? { path: args.path, namespace: "already-in-style-css" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "already-in-style-css" }, () => ({
      contents: "",
      loader: "js",
    }));
  },
};

// Split at GraphiQL's own dynamic imports (Monaco, prettier): the page shows at once and
// prettier is fetched only when a query is prettified.
const page = await esbuild.build({
  ...common,
  entryPoints: { graphiql: "index.jsx" },
  outdir: out,
  format: "esm",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  jsx: "automatic",
  plugins: [monacoStylesOnce],
});
const workers = await esbuild.build({
  ...common,
  entryPoints: {
    "editor.worker": "monaco-editor/esm/vs/editor/editor.worker.js",
    "json.worker": "monaco-editor/esm/vs/language/json/json.worker.js",
    "graphql.worker": "monaco-graphql/esm/graphql.worker.js",
  },
  outdir: out,
  format: "iife",
});

// node_modules/<name>/... or node_modules/@scope/<name>/... of every input file.
const packages = new Map();
for (const input of [page, workers].flatMap((b) => Object.keys(b.metafile.inputs))) {
  const found = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
  if (!found) continue;
  const root = input.slice(0, input.lastIndexOf(found.at(-1)) + found.at(-1).length);
  packages.set(root, true);
}
// A few packages ship no licence file; their package.json says MIT, and the text is that of
// the package named here: the same repository (graphiql's monorepo, React's) or author.
const borrowed = {
  "@graphiql/plugin-doc-explorer": "graphiql",
  "@graphiql/plugin-history": "graphiql",
  "react-compiler-runtime": "react",
  "react-remove-scroll-bar": "react-remove-scroll",
};
const licenceText = (root) => {
  const file = readdirSync(join(here, root)).find((f) => /^(licen[cs]e|copying)/i.test(f));
  return file ? readFileSync(join(here, root, file), "utf8").trim() : "";
};
const sections = [...packages.keys()].sort().map((root) => {
  const meta = JSON.parse(readFileSync(join(here, root, "package.json"), "utf8"));
  let text = licenceText(root);
  if (!text && borrowed[meta.name]) {
    const from = join("node_modules", borrowed[meta.name]);
    text = `(no licence file in the package: the text of ${borrowed[meta.name]}'s)\n\n${licenceText(from)}`;
  }
  if (!text) throw new Error(`${meta.name}: no licence file to ship with the bundle`);
  // Monaco and prettier carry code of other projects, whose notices they ship alongside.
  const notices = readdirSync(join(here, root))
    .filter((f) => /^third[-_ ]?party[-_ ]?notices/i.test(f))
    .map((f) => `\n${readFileSync(join(here, root, f), "utf8").trim()}\n`);
  return `${meta.name}@${meta.version} (${meta.license})\n\n${text}\n${notices.join("")}`;
});
const rule = `\n${"-".repeat(78)}\n\n`;
writeFileSync(
  join(out, "THIRD_PARTY_LICENSES.txt"),
  "The packages bundled into this folder's .js and .css files, their versions and licences\n" +
    "(built from schema/http/graphiql/src/package-lock.json by `make graphiql`).\n" +
    rule +
    sections.join(rule),
);
console.log(`${sections.length} packages bundled into ${out}`);
