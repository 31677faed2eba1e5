// The README's examples, executed: every ```js block runs in Node against
// this package (by its own name), every ```js worker block runs in workerd.
// `console.log(x); // y` lines become assertions that x deep-equals y.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { PROMO_ERROR_CODES } from "../dist/node.js";
import { PKG_ROOT } from "./support/dump.mjs";

const README = readFileSync(join(PKG_ROOT, "README.md"), "utf8");
const OUT = join(PKG_ROOT, "test/.generated");
mkdirSync(OUT, { recursive: true });

const blocks = [...README.matchAll(/^```js( worker)?\n([\s\S]*?)^```$/gm)].map((m) => ({
  worker: Boolean(m[1]),
  code: m[2],
  line: README.slice(0, m.index).split("\n").length,
}));

function withAssertions(code) {
  const lines = code.split("\n").map((l) => {
    const m = l.match(/^(\s*)console\.log\((.*)\);\s*\/\/\s*(.+?)(\s{2,}\(.*\))?\s*$/);
    return m ? `${m[1]}__expect((${m[2]}), (${m[3]}));` : l;
  });
  return `import { deepStrictEqual as __expect } from "node:assert/strict";\n${lines.join("\n")}`;
}

test("the README has runnable examples", () => {
  assert.ok(blocks.filter((b) => !b.worker).length >= 2);
  assert.ok(blocks.some((b) => b.worker));
});

for (const [i, block] of blocks.entries()) {
  if (block.worker) continue;
  test(`README example at line ${block.line} runs in Node`, () => {
    // Inside the package directory, "promo-edge" resolves to this package itself.
    const file = join(OUT, `readme-${i}.mjs`);
    writeFileSync(file, withAssertions(block.code));
    execFileSync(process.execPath, [file], { cwd: PKG_ROOT, stdio: "pipe", timeout: 60_000 });
  });
}

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
    });
    mfs.push(mf);
    const cart = { order: { items: [{ product_id: "p", price: 2500, quantity: 2 }] } };
    const res = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify(cart) });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.equal(body.order.total_amount, 5000, "no redeemable requested: nothing applies");
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
