// Runtime-neutral spec-vector runner: no Node, Deno or DOM APIs, so the same
// file runs in Node, Deno, workerd and Chromium. It feeds the wasm build the
// exact input texts the native engine got (from examples/spec_dump.rs) and
// returns the exact output texts.

const CALLS = { validate: "validateJson", qualify: "qualifyJson", price_products: "priceProductsJson" };

/** The output of one case, in the native runner's format. */
export function runCase(engine, snapshot, call, request, now) {
  try {
    engine.load(snapshot);
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
 * Runs every case of a dump with a fresh engine each (`newEngine` may return
 * a promise); resolves to the outputs by file and case.
 */
export async function runDump(newEngine, dump) {
  const outputs = [];
  for (const file of dump.files) {
    const outs = [];
    for (const c of file.cases) {
      const engine = await newEngine();
      try {
        outs.push(runCase(engine, c.snapshot ?? file.snapshot, c.call, c.request, c.now));
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
 * Failure lines name the file, the case and the first mismatching path,
 * exactly like tests/spec.rs.
 */
export function compare(dump, outputs) {
  const notNative = [];
  const notExpected = [];
  let count = 0;
  dump.files.forEach((file, f) => {
    file.cases.forEach((c, i) => {
      count++;
      const out = outputs[f]?.[i];
      const label = `${file.name} case ${i} (${c.description})`;
      if (out !== c.output) {
        notNative.push(`${label}: wasm ${clip(out)} != native ${clip(c.output)}`);
      }
      let why;
      try {
        why = contains(JSON.parse(out), c.expected, "$");
      } catch (e) {
        why = `unparsable output: ${e}`;
      }
      if (why) notExpected.push(`${label}: ${why}`);
    });
  });
  return { count, notNative, notExpected };
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
