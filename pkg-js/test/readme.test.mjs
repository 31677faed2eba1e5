// The README's examples, executed, in the order a reader follows them:
// every ```json PATH block is written to PATH in a scratch directory, every
// ```sh quickstart block runs there with the real `promo-origin` on PATH
// (so the bundle the examples load is really published), every ```js block
// runs in Node against this package (by its own name) with that directory
// as its working directory, the ```sh serve block starts the real origin
// there (on a free port) for the ```js origin blocks, which fetch from it,
// and every ```js worker block runs in workerd with the published bundle in
// a KV binding.
// `console.log(x); // y` lines become assertions that x deep-equals y.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFile, execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Miniflare } from "miniflare";
import { PROMO_ERROR_CODES } from "../dist/node.js";
import { PKG_ROOT } from "./support/dump.mjs";
import { BIN, origin } from "./support/publish.mjs";
import { serveOrigin } from "../../origin/tests/js/serve.mjs";

const README = readFileSync(join(PKG_ROOT, "README.md"), "utf8");
const OUT = join(PKG_ROOT, "test/.generated");
mkdirSync(OUT, { recursive: true });

const lineOf = (index) => README.slice(0, index).split("\n").length;
const files = [...README.matchAll(/^```json (\S+)\n([\s\S]*?)^```$/gm)].map((m) => ({ path: m[1], text: m[2] }));
const scripts = [...README.matchAll(/^```sh quickstart\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const serves = [...README.matchAll(/^```sh serve\n([\s\S]*?)^```$/gm)].map((m) => m[1].trim());
// Where the README says the origin listens; the test's origin listens on a free port instead.
const README_ORIGIN = "http://127.0.0.1:8787";

// The scratch directory the reader works in: the source files, then the published bundle.
let work;
before(() => {
  origin(["--version"]); // a clear failure when the binary is missing
  work = mkdtempSync(join(tmpdir(), "promo-readme-"));
  const bin = join(work, ".bin");
  mkdirSync(bin);
  symlinkSync(BIN, join(bin, "promo-origin"));
  for (const f of files) {
    mkdirSync(dirname(join(work, f.path)), { recursive: true });
    writeFileSync(join(work, f.path), f.text);
  }
  for (const script of scripts) {
    try {
      execFileSync("bash", ["-euo", "pipefail", "-c", script], {
        cwd: work, encoding: "utf8", stdio: "pipe", timeout: 60_000,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
    } catch (e) {
      throw new Error(`README shell block failed:\n${script}\n${e.stdout}${e.stderr}`);
    }
  }
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const blocks = [...README.matchAll(/^```js( worker| origin)?\n([\s\S]*?)^```$/gm)].map((m) => ({
  worker: m[1] === " worker",
  origin: m[1] === " origin",
  code: m[2],
  line: lineOf(m.index),
}));

function withAssertions(code) {
  const lines = code.split("\n").map((l) => {
    const m = l.match(/^(\s*)console\.log\((.*)\);\s*\/\/\s*(.+?)(\s{2,}\(.*\))?\s*$/);
    return m ? `${m[1]}__expect((${m[2]}), (${m[3]}));` : l;
  });
  return `import { deepStrictEqual as __expect } from "node:assert/strict";\n${lines.join("\n")}`;
}

test("the README has runnable examples, and its quick start publishes for real", () => {
  assert.ok(blocks.filter((b) => !b.worker).length >= 3);
  assert.ok(blocks.some((b) => b.worker));
  assert.deepEqual(files.map((f) => f.path), ["shop/project.json", "shop/campaigns/summer.json"]);
  assert.equal(scripts.length, 1);
  const bundle = readFileSync(join(work, "shop.bundle"));
  assert.ok(bundle.indexOf(0x0a) > 0, "a bundle: JWS line, newline, plan");
});

/** Runs README code in Node in the reader's directory; `origin` replaces the README's origin URL. */
function runInNode(i, block, origin) {
  // Inside the package directory, "promo-edge" resolves to this package itself.
  const file = join(OUT, `readme-${i}.mjs`);
  const code = origin ? block.code.replaceAll(README_ORIGIN, origin) : block.code;
  writeFileSync(file, withAssertions(code));
  // Async: a synchronous child would block this process, and with it the origin's pipes.
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file], { cwd: work, encoding: "utf8", timeout: 60_000 }, (e, stdout, stderr) =>
      e ? reject(new Error(`README example at line ${block.line}:\n${stdout}${stderr}`)) : resolve());
  });
}

for (const [i, block] of blocks.entries()) {
  if (block.worker || block.origin) continue;
  test(`README example at line ${block.line} runs in Node`, () => runInNode(i, block));
}

test("README origin examples run against the README's `promo-origin serve`", async () => {
  assert.equal(serves.length, 1);
  const [bin, verb, ...args] = serves[0].split(/\s+/);
  assert.deepEqual([bin, verb], ["promo-origin", "serve"], serves[0]);
  const server = await serveOrigin(BIN, [...args, "--listen", "127.0.0.1:0"], { cwd: work });
  try {
    const examples = [...blocks.entries()].filter(([, b]) => b.origin);
    assert.ok(examples.length >= 1);
    for (const [i, block] of examples) await runInNode(i, block, server.url);
  } finally {
    await server.stop();
  }
});

const mfs = [];
after(() => Promise.all(mfs.map((mf) => mf.dispose())));

for (const [i, block] of blocks.entries()) {
  if (!block.worker) continue;
  test(`README worker example at line ${block.line} runs in workerd`, async () => {
    // workerd has no package resolution; point the two specifiers at the files.
    const code = block.code
      .replaceAll('"promo-edge/promo_edge_bg.wasm"', '"../../wasm/promo_edge_bg.wasm"')
      .replaceAll('"promo-edge"', '"../../dist/index.js"');
    const file = join(OUT, `readme-worker-${i}.mjs`);
    writeFileSync(file, code);
    const mf = new Miniflare({
      modules: true,
      scriptPath: file,
      modulesRoot: PKG_ROOT,
      modulesRules: [
        { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
        { type: "CompiledWasm", include: ["**/*.wasm"] },
      ],
      compatibilityDate: "2025-01-01",
      cf: false,
      kvNamespaces: ["PROMO_KV"],
      bindings: { PROMO_JWKS: readFileSync(join(work, "keys/jwks.json"), "utf8") },
    });
    mfs.push(mf);
    // What the README's deploy step does: the published file into KV.
    await (await mf.getKVNamespace("PROMO_KV")).put("shop.bundle", new Uint8Array(readFileSync(join(work, "shop.bundle"))));
    const cart = { redeemables: [{ object: "voucher", id: "SUMMER10" }], order: { items: [{ product_id: "p", price: 2500, quantity: 2 }] } };
    const res = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify(cart) });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.equal(body.valid, true);
    assert.equal(body.order.total_amount, 4500, "SUMMER10 from the published bundle");
    const bad = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify({ order: { items: 3 } }) });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).code, "INVALID_JSON");
  });
}

test("the README's error table lists every code", () => {
  for (const code of PROMO_ERROR_CODES) assert.ok(README.includes(`\`${code}\``), `README lacks ${code}`);
});

test("README TypeScript examples type-check", () => {
  const tsBlocks = [...README.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  assert.ok(tsBlocks.length >= 1);
  for (const [i, code] of tsBlocks.entries()) {
    const file = join(OUT, `readme-${i}.ts`);
    writeFileSync(file, code);
    try {
      execFileSync(
        join(PKG_ROOT, "node_modules/.bin/tsc"),
        ["--ignoreConfig", "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext",
          "--moduleResolution", "nodenext", "--lib", "es2022,dom", "--types", "node", file],
        { cwd: PKG_ROOT, encoding: "utf8", stdio: "pipe", timeout: 120_000 },
      );
    } catch (e) {
      assert.fail(`${e.stdout}${e.stderr}`);
    }
  }
});
