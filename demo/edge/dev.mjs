// Runs the built worker (dist/) locally in workerd via Miniflare, against an
// origin you started: `make edge-dev` (or `npm run build && npm run dev`).
//   ORIGIN_URL  the origin (default http://127.0.0.1:8787)
//   PORT        where the worker listens (default 8788)
//   JWKS_FILE   pin the origin's public keys (otherwise fetched from /v1/keys)
//   NOW         a fixed clock, e.g. the one the origin was started with
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";

const bindings = { ORIGIN_URL: process.env.ORIGIN_URL ?? "http://127.0.0.1:8787", REFRESH_SECONDS: "10" };
if (process.env.JWKS_FILE) bindings.JWKS = readFileSync(process.env.JWKS_FILE, "utf8");
if (process.env.NOW) bindings.NOW = process.env.NOW;

const mf = new Miniflare({
  modules: true,
  scriptPath: "dist/worker.js",
  modulesRules: [
    { type: "ESModule", include: ["**/*.js"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: "2025-01-01",
  cf: false,
  host: "127.0.0.1",
  port: Number(process.env.PORT ?? 8788),
  bindings,
});
const url = await mf.ready;
console.log(`edge worker on ${url} (origin ${bindings.ORIGIN_URL}); Ctrl-C stops it`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    mf.dispose().finally(() => process.exit(0));
  });
}
