// Writes the seed corpus of every fuzz target (fuzz/corpus/<target>/) from
// the spec vectors in tests/spec/*.json. Deterministic: the same vectors give
// the same files (the Ed25519 signatures are deterministic too), so the
// committed corpus can be regenerated and diffed:
//
//   node fuzz/gen-corpus.mjs            (make fuzz-corpus)
//
// Framing (fuzz/src/lib.rs): request targets get byte 0 = the spec file's
// index, then `now`, "\n", the request JSON; `bundle` gets a mode byte.
import { createHash, createPrivateKey, sign } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FUZZ = dirname(fileURLToPath(import.meta.url));
const SPEC = join(FUZZ, "..", "tests", "spec");
const OUT = join(FUZZ, "corpus");
// Inputs larger than this are left out (libFuzzer mutates small inputs
// best, and the corpus stays well under 2 MB).
const MAX_INPUT = 8 * 1024;
// At most this many cases per spec file and call, evenly spaced.
const PER_FILE = 16;
const spaced = (n) => {
  const step = Math.max(1, n / PER_FILE);
  const keep = new Set();
  for (let k = 0; k * step < n; k++) keep.add(Math.floor(k * step));
  return keep;
};

// RFC 8037 A.1 key; the fuzz targets trust it as `dev-1`.
const KEY = createPrivateKey({
  key: {
    kty: "OKP",
    crv: "Ed25519",
    d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
  },
  format: "jwk",
});
const JWKS = JSON.stringify({
  keys: [{ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "dev-1", use: "sig" }],
});
const b64 = (text) => Buffer.from(text).toString("base64url");

function jws(payload, header = { alg: "EdDSA", kid: "dev-1" }) {
  const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), KEY).toString("base64url")}`;
}

const files = readdirSync(SPEC)
  .filter((n) => n.endsWith(".json"))
  .sort()
  .map((name) => ({ name, spec: JSON.parse(readFileSync(join(SPEC, name), "utf8")) }));

const corpus = new Map();
function add(target, name, bytes) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  if (buf.length > MAX_INPUT) return;
  if (!corpus.has(target)) corpus.set(target, new Map());
  const seen = corpus.get(target);
  const digest = createHash("sha256").update(buf).digest("hex");
  if ([...seen.values()].some((b) => createHash("sha256").update(b).digest("hex") === digest)) return;
  seen.set(name, buf);
}
const framed = (index, now, request) =>
  Buffer.concat([Buffer.from([index]), Buffer.from(`${now}\n${JSON.stringify(request)}`)]);

const formulas = new Set([
  "IF(ORDER_ITEMS_QUANTITY > 4;IF(ORDER_AMOUNT > 200;25;15);10)",
  'ROUND(CUSTOMER_METADATA("lifetime_value") * 0.05;-1)',
  'SWITCH(ORDER_METADATA("store_city");SWITCH_CASE("Boston";10);SWITCH_CASE("New York";15);5)',
  "10 / ORDER_ITEMS_QUANTITY",
  "IF(ORDER_ITEMS_QUANTITY = 0;0;10 / ORDER_ITEMS_QUANTITY)",
  'DEFAULT_TO(ORDER_METADATA("a");1) % 0',
  "((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))",
  "POW(ORDER_AMOUNT;99)",
  "DAYS_SINCE(CUSTOMER_BIRTHDATE) × 2 ÷ 3 x 4",
]);
function collectFormulas(value, key = "") {
  if (typeof value === "string" && /formula/i.test(key)) formulas.add(value);
  else if (Array.isArray(value)) value.forEach((v) => collectFormulas(v, key));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) collectFormulas(v, k);
  }
}

const snapshots = new Map();
files.forEach(({ name, spec }, index) => {
  const stem = name.replace(/\.json$/, "");
  snapshots.set(`${stem}`, JSON.stringify(spec.snapshot));
  collectFormulas(spec.snapshot);
  const keep = spaced(spec.cases.length);
  spec.cases.forEach((c, i) => {
    const call = c.call ?? "validate";
    if (keep.has(i)) add(call, `${stem}-case${String(i).padStart(2, "0")}`, framed(index, c.now, c.request));
    if (c.snapshot && i % 2 === 0) {
      snapshots.set(`${stem}-case${String(i).padStart(2, "0")}`, JSON.stringify(c.snapshot));
      collectFormulas(c.snapshot);
    }
  });
});

for (const [name, text] of snapshots) add("snapshot", name, text);
[...formulas].sort().forEach((f, i) => add("formula", `formula-${String(i).padStart(3, "0")}`, f));

// Bundles: the smallest snapshots, raising their version so a load is newer
// than the version-1 base the target holds.
const small = [...snapshots.entries()]
  .map(([name, text]) => ({ name, snap: JSON.parse(text), size: text.length }))
  .sort((a, b) => a.size - b.size || (a.name < b.name ? -1 : 1))
  .slice(0, 6);
for (const { name, snap } of small) {
  const payload = JSON.stringify({ ...snap, version: 1000 });
  add("bundle", `signed-${name}`, Buffer.concat([Buffer.from([0]), Buffer.from(jws(payload))]));
  add("bundle", `payload-${name}`, Buffer.concat([Buffer.from([1]), Buffer.from(payload)]));
  add("bundle", `jwks-${name}`, Buffer.concat([Buffer.from([2]), Buffer.from(`${JWKS}\n${jws(payload)}`)]));
}
const tiny = JSON.stringify({ ...small[0].snap, version: 2 });
const hostile = {
  "alg-none": `${b64('{"alg":"none","kid":"dev-1"}')}.${b64(tiny)}.`,
  "alg-hs256": jws(tiny, { alg: "HS256", kid: "dev-1" }),
  "kid-unknown": jws(tiny, { alg: "EdDSA", kid: "other" }),
  "crit": jws(tiny, { alg: "EdDSA", kid: "dev-1", crit: ["exp"] }),
  "two-segments": `${b64('{"alg":"EdDSA","kid":"dev-1"}')}.${b64(tiny)}`,
  "bad-base64": "eyJhbGciOiJFZERTQSJ9.!!!.AAAA",
  "expired": jws(JSON.stringify({ ...small[0].snap, version: 3, expires_at: "2020-01-01T00:00:00Z" })),
  "older": jws(JSON.stringify({ ...small[0].snap, version: 1 })),
};
for (const [name, text] of Object.entries(hostile)) {
  add("bundle", name, Buffer.concat([Buffer.from([0]), Buffer.from(text)]));
}

rmSync(OUT, { recursive: true, force: true });
let total = 0;
for (const [target, entries] of [...corpus.entries()].sort()) {
  mkdirSync(join(OUT, target), { recursive: true });
  for (const [name, buf] of entries) {
    writeFileSync(join(OUT, target, name), buf);
    total += buf.length;
  }
  console.log(`${target}: ${entries.size} inputs`);
}
console.log(`total ${total} bytes`);
