// The bad-input catalogue (tests/hostile/catalogue.json, written by
// tests/hostile_inputs.rs) through the wasm build: every hostile input gets
// its documented code, warning or rejection key — never a wasm trap — and a
// refused call changes neither the status nor a probe validation.
//
// Each entry's `snapshot` is loaded first as its compiled `plan`. `load`
// entries are source compiles, which only the native engine does now (the
// wasm has no compiler): they are counted, not run. `load_plan` entries
// (truncated, padded, bit-flipped, wrong-version plans) run here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PromoEngine, PROMO_ERROR_CODES, isPromoError } from "../dist/node.js";
import { REPO_ROOT } from "./support/dump.mjs";
import { fromBase64Url } from "./support/spec.mjs";

const NOW = "2026-06-01T12:00:00Z";
const CATALOGUE = JSON.parse(readFileSync(join(REPO_ROOT, "tests/hostile/catalogue.json"), "utf8"));
// The same probe as tests/hostile_inputs.rs.
const PROBE = JSON.stringify({
  redeemables: [{ object: "voucher", id: "TEN" }],
  order: { items: [{ product_id: "prod_a", price: 1000, quantity: 2 }] },
  customer: { source_id: "cust_1" },
});
const CALLS = {
  load_plan: (e, text) => JSON.stringify(e.loadPlan(fromBase64Url(text))),
  validate: (e, text, now) => e.validateJson(text, now),
  qualify: (e, text, now) => e.qualifyJson(text, now),
  price_products: (e, text, now) => e.priceProductsJson(text, now),
};

/** Status and probe answer (or its error code): what a refused call must not change. */
function state(engine) {
  let probe;
  try {
    probe = engine.validateJson(PROBE, NOW);
  } catch (e) {
    probe = isPromoError(e) ? e.code : `not a PromoError: ${e}`;
  }
  return { status: engine.status(NOW), probe };
}

function rejectionKeys(answer) {
  const keys = [];
  for (const r of answer.inapplicable_redeemables ?? []) {
    if (r?.result?.error?.key) keys.push(r.result.error.key);
  }
  for (const r of answer.skipped_redeemables ?? []) {
    if (r?.result?.details?.key) keys.push(r.result.details.key);
  }
  return keys;
}

/** Runs one entry on a fresh engine; returns why it failed, or null. */
function run(engine, c) {
  if (c.snapshot && !c.plan) return "has a snapshot but no plan";
  if (c.plan) engine.loadPlan(fromBase64Url(c.plan));
  const before = state(engine);
  let output;
  let error;
  try {
    output = CALLS[c.call](engine, c.input_text, c.now ?? NOW);
  } catch (e) {
    // A wasm trap is a RuntimeError, not a PromoError: a failure.
    if (!isPromoError(e)) return `threw ${e?.name}: ${e?.message}`;
    error = e;
  }
  const expected = c.expected_code;
  if (PROMO_ERROR_CODES.includes(expected)) {
    if (!error) return `succeeded, expected ${expected}`;
    if (error.code !== expected) return `failed with ${error.code} (${error.message}), expected ${expected}`;
    if (error.message.startsWith("{") || /undefined|\[object/.test(error.message)) return `a badly worded message: ${error.message}`;
    try {
      assert.deepEqual(state(engine), before);
    } catch {
      return "the refused call changed the engine's state";
    }
    return null;
  }
  if (error) return `failed with ${error.code} (${error.message}), expected ${expected}`;
  if (expected === "OK") return null;
  const answer = JSON.parse(output);
  const keys = rejectionKeys(answer);
  return keys.includes(expected) ? null : `rejection keys ${JSON.stringify(keys)}, expected ${expected}`;
}

test("the hostile-input catalogue through wasm: documented answers, no trap, no state change", async (t) => {
  assert.ok(CATALOGUE.length >= 40, `the catalogue has ${CATALOGUE.length} entries`);
  const failures = [];
  const ran = {};
  let nativeOnly = 0;
  for (const c of CATALOGUE) {
    if (c.call === "load") {
      nativeOnly++;
      continue;
    }
    if (!CALLS[c.call]) {
      failures.push(`${c.name}: unknown call ${c.call}`);
      continue;
    }
    ran[c.call] = (ran[c.call] ?? 0) + 1;
    const engine = await PromoEngine.init();
    try {
      const why = run(engine, c);
      if (why) failures.push(`${c.name}: ${why}`);
    } finally {
      engine.free();
    }
  }
  t.diagnostic(`${CATALOGUE.length} hostile entries: ran ${JSON.stringify(ran)}; ${nativeOnly} source compiles (\`load\`) native-only`);
  assert.equal(failures.length, 0, `${failures.length} of ${CATALOGUE.length} hostile inputs failed:\n${failures.join("\n")}`);
  assert.ok(ran.load_plan >= 10, "the hostile plans ran");
  assert.equal(Object.values(ran).reduce((a, b) => a + b, 0) + nativeOnly, CATALOGUE.length);
});

test("a lone surrogate in a JS string reaches the engine as U+FFFD, not a trap", async () => {
  const engine = await PromoEngine.init();
  engine.loadPlan(fromBase64Url(CATALOGUE.find((c) => c.plan).plan));
  const before = state(engine);
  const request = `{"redeemables": [{"object": "voucher", "id": "\ud800"}], "order": {"items": []}}`;
  const answer = JSON.parse(engine.validateJson(request, NOW));
  assert.equal(answer.valid, false);
  assert.equal(answer.inapplicable_redeemables[0].id, "\ufffd");
  assert.throws(() => engine.validateJson(PROBE, "\udc00"), { name: "PromoError", code: "INVALID_TIMESTAMP" });
  assert.deepEqual(state(engine), before);
  engine.free();
});
