// Monaco's language workers, built by build.mjs next to graphiql.js and loaded from the same
// origin (the page's Content-Security-Policy allows workers from 'self' only).
const here = import.meta.url;

globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const name = label === "json" || label === "graphql" ? label : "editor";
    return new Worker(new URL(`./${name}.worker.js`, here), { name: `${name}-worker` });
  },
};
