// Runtime-neutral spec-vector runner: no Node, Deno or DOM APIs beyond
// `atob`, so the same file runs in Node, Deno, workerd and Chromium. The
// wasm has no compiler: it loads each snapshot's compiled plan from the
// native dump (examples/spec_dump.rs), gets the exact input texts the
// native engine got, and returns the exact output texts.
//
// A case whose snapshot the compiler refused has no plan (`null`): it is
// native-only, and its native output must be the `stage: load` error.

const CALLS = { validate: "validateJson", qualify: "qualifyJson", price_products: "priceProductsJson" };
const LOAD_ERROR = /^\{"error":"[A-Z_]+","stage":"load"\}$/;

/** base64url text to bytes. */
export function fromBase64Url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The plan (base64url) a case runs on: its own snapshot's, else its file's; `null` when refused. */
export function planOf(file, c) {
  return Object.prototype.hasOwnProperty.call(c, "plan") ? c.plan : file.plan;
}

/** The output of one case, in the native runner's format. */
export function runCase(engine, plan, call, request, now) {
  try {
    engine.loadPlan(fromBase64Url(plan));
  } catch (e) {
    if (e?.name !== "PromoError") throw e;
    return JSON.stringify({ error: e.code, stage: "load" });
  }
  try {
    const method = CALLS[call ?? "validate"];
    if (!method) throw new Error(`unknown call ${call}`);
    return engine[method](request, now);
  } catch (e) {
    if (e?.name !== "PromoError") throw e;
    return JSON.stringify({ error: e.code });
  }
}

/**
 * Runs every case of a dump that has a plan, each with a fresh engine
 * (`newEngine` may return a promise); resolves to the outputs by file and
 * case, `null` for the native-only ones.
 */
export async function runDump(newEngine, dump) {
  const outputs = [];
  for (const file of dump.files) {
    const outs = [];
    for (const c of file.cases) {
      const plan = planOf(file, c);
      if (plan === null) {
        outs.push(null);
        continue;
      }
      const engine = await newEngine();
      try {
        outs.push(runCase(engine, plan, c.call, c.request, c.now));
      } finally {
        engine.free();
      }
    }
    outputs.push(outs);
  }
  return outputs;
}

/**
 * `actual` contains `expected` (tests/support/mod.rs `contains`): every key
 * of an expected object must match (`"$absent"` demands absence), arrays
 * match element by element with equal length, scalars are equal. Returns the
 * first mismatch as `path: message`, or null.
 */
export function contains(actual, expected, path) {
  const show = (v) => JSON.stringify(v);
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    for (const [k, v] of Object.entries(expected)) {
      const p = `${path}.${k}`;
      const present = Object.prototype.hasOwnProperty.call(actual, k);
      if (v === "$absent") {
        if (present) return `${p}: expected absent, found ${show(actual[k])}`;
        continue;
      }
      if (!present) return `${p}: missing (expected ${show(v)})`;
      const why = contains(actual[k], v, p);
      if (why) return why;
    }
    return null;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      return `${path}: expected ${expected.length} elements, found ${actual.length}: ${show(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const why = contains(actual[i], expected[i], `${path}[${i}]`);
      if (why) return why;
    }
    return null;
  }
  if (deepEqual(expected, actual)) return null;
  return `${path}: expected ${show(expected)}, found ${show(actual)}`;
}

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

/**
 * Compares wasm outputs with the native bytes and with `expected`.
 * Native-only cases (no plan) are counted, their native output must be the
 * `stage: load` error and must match `expected`; every other case must have
 * run. Failure lines name the file, the case and the first mismatching
 * path, exactly like tests/spec.rs.
 */
export function compare(dump, outputs) {
  const notNative = [];
  const notExpected = [];
  let count = 0;
  let ran = 0;
  let nativeOnly = 0;
  dump.files.forEach((file, f) => {
    file.cases.forEach((c, i) => {
      count++;
      const out = outputs[f]?.[i];
      const label = `${file.name} case ${i} (${c.description})`;
      let checked = out;
      if (planOf(file, c) === null) {
        nativeOnly++;
        checked = c.output;
        if (!LOAD_ERROR.test(c.output)) notNative.push(`${label}: no plan, but the native output is ${clip(c.output)}`);
        if (out !== null) notNative.push(`${label}: no plan, yet a wasm output ${clip(out)}`);
      } else {
        ran++;
        if (out !== c.output) notNative.push(`${label}: wasm ${clip(out)} != native ${clip(c.output)}`);
      }
      let why;
      try {
        why = contains(JSON.parse(checked), c.expected, "$");
      } catch (e) {
        why = `unparsable output: ${e}`;
      }
      if (why) notExpected.push(`${label}: ${why}`);
    });
  });
  return { count, ran, nativeOnly, notNative, notExpected };
}

/** One line for the test log: how many cases ran where. */
export function summary({ count, ran, nativeOnly }) {
  return `${count} spec cases: ${ran} through the wasm, ${nativeOnly} native-only (the compiler refuses their snapshot; native output is the stage-load error)`;
}

function clip(text) {
  if (typeof text !== "string") return String(text);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} bytes)` : text;
}

/** The failure message of the expected-match check, as the Rust runner words it. */
export function expectedReport({ count, notExpected }) {
  return `${notExpected.length} of ${count} spec cases failed:\n${notExpected.join("\n")}`;
}

/** The failure message of the byte-for-byte check. */
export function nativeReport({ count, notNative }) {
  return `${notNative.length} of ${count} spec cases differ from the native engine:\n${notNative.join("\n")}`;
}
