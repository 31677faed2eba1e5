// Writes the seed corpus of every fuzz target (fuzz/corpus/<target>/) from
// the spec vectors in tests/spec/*.json and their compiled plans.
// Deterministic: the same vectors give the same files (the compiler is
// deterministic and so are Ed25519 signatures), so the committed corpus can
// be regenerated and diffed:
//
//   node fuzz/gen-corpus.mjs [SPEC_DUMP]      (make fuzz-corpus)
//
// The engine reads only compiled plans and the compiler is native Rust, so
// the plans come from the spec dump (`cargo run --example spec_dump`, i.e.
// `make wasm-spec-dump`: per snapshot its plan as base64url); it is run
// when SPEC_DUMP (default target/promo-edge-spec/native.json) is missing.
//
// Framing (fuzz/src/lib.rs and each target's doc): request targets get
// byte 0 = the spec file's index, then `now`, "\n", the request JSON;
// `bundle` and `plan` get a mode byte.
import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, sign } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const FUZZ = dirname(fileURLToPath(import.meta.url));
const ROOT = join(FUZZ, "..");
const SPEC = join(ROOT, "tests", "spec");
const OUT = join(FUZZ, "corpus");
const DUMP = resolve(process.argv[2] ?? join(ROOT, "target", "promo-edge-spec", "native.json"));
// Inputs larger than this are left out (libFuzzer mutates small inputs
// best, and the corpus stays well under 2 MB; the fuzz runs' -max_len is
// 16 KiB).
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
const b64 = (bytes) => Buffer.from(bytes).toString("base64url");

function jws(payload, header = { alg: "EdDSA", kid: "dev-1" }) {
  const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), KEY).toString("base64url")}`;
}

// ---------------------------------------------------------------- plans
// A plan (src/plan/encoding.rs): b"PEPLAN\0\2", u32 LE body length, the
// first 8 bytes of the body's SHA-256, then the body in postcard, which
// starts with project (string), channel (string), version (varint),
// issued_at and expires_at (zigzag varint milliseconds).
const PLAN_HEAD = 20;

function varint(buf, pos) {
  let value = 0n;
  for (let shift = 0n; pos < buf.length && shift < 70n; shift += 7n) {
    const b = buf[pos++];
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value, pos];
  }
  throw new Error("bad varint in plan");
}

/** The manifest fields of a plan, read from the start of its body. */
function planIdentity(plan) {
  let pos = PLAN_HEAD;
  const str = () => {
    const [len, p] = varint(plan, pos);
    pos = p + Number(len);
    return plan.subarray(p, pos).toString("utf8");
  };
  const instant = () => {
    const [z, p] = varint(plan, pos);
    pos = p;
    const ms = z & 1n ? -((z + 1n) >> 1n) : z >> 1n;
    return new Date(Number(ms)).toISOString(); // RFC 3339 with milliseconds, as the engine writes it
  };
  const project = str();
  const channel = str();
  const [version, p] = varint(plan, pos);
  pos = p;
  return { project, channel, version: Number(version), issued_at: instant(), expires_at: instant() };
}

/** The signed manifest (promo-edge.bundle/2) of a plan, as src/bundle.rs writes it. */
function manifestOf(plan, overrides = {}) {
  return {
    schema: "promo-edge.bundle/2",
    ...planIdentity(plan),
    plan: { schema: "promo-edge.plan/2", bytes: plan.length, sha256: createHash("sha256").update(plan).digest("base64url") },
    ...overrides,
  };
}

const bundleOf = (manifest, plan, header) => Buffer.concat([Buffer.from(jws(JSON.stringify(manifest), header)), Buffer.from("\n"), plan]);

if (!existsSync(DUMP)) {
  console.log(`no ${DUMP}: running the spec dump`);
  execFileSync("cargo", ["run", "--locked", "--quiet", "--example", "spec_dump", "--", DUMP], { cwd: ROOT, stdio: "inherit" });
}
const dump = JSON.parse(readFileSync(DUMP, "utf8"));
/** Compiled plans by the corpus name of their snapshot. */
const plans = new Map();

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
const dumped = new Map(dump.files.map((f) => [f.name, f]));
const planOf = (text) => (typeof text === "string" ? Buffer.from(text, "base64url") : null);
files.forEach(({ name, spec }, index) => {
  const stem = name.replace(/\.json$/, "");
  const fileDump = dumped.get(name);
  if (!fileDump) throw new Error(`${DUMP} has no ${name}: run \`make wasm-spec-dump\``);
  snapshots.set(`${stem}`, JSON.stringify(spec.snapshot));
  if (planOf(fileDump.plan)) plans.set(stem, planOf(fileDump.plan));
  collectFormulas(spec.snapshot);
  const keep = spaced(spec.cases.length);
  spec.cases.forEach((c, i) => {
    const call = c.call ?? "validate";
    const id = `${stem}-case${String(i).padStart(2, "0")}`;
    if (keep.has(i)) {
      add(call, id, framed(index, c.now, c.request));
      // The same request with every optional part of the answer asked for.
      if (call === "validate" && i % 4 === 0) {
        add(call, `${id}-expand`, framed(index, c.now, { ...c.request, options: { ...c.request.options, expand: ["order", "redeemable"] } }));
      }
    }
    if (c.snapshot && i % 2 === 0) {
      snapshots.set(id, JSON.stringify(c.snapshot));
      collectFormulas(c.snapshot);
      const own = planOf(fileDump.cases[i]?.plan);
      if (own) plans.set(id, own);
    }
  });
});

for (const [name, text] of snapshots) add("snapshot", name, text);
[...formulas].sort().forEach((f, i) => add("formula", `formula-${String(i).padStart(3, "0")}`, f));

// Plans: mode 0 (raw bytes) with every compiled plan small enough; mode 1
// (structured, fuzz_targets/plan.rs) with each operation on a few plans.
const mode = (m, ...parts) => Buffer.concat([Buffer.from([m]), ...parts.map((p) => Buffer.from(p))]);
for (const [name, plan] of plans) add("plan", `raw-${name}`, mode(0, plan));
const OPS = ["truncate", "pad", "flip", "version", "flip-resealed", "edit-resealed"];
for (let which = 0; which < 4; which++) {
  OPS.forEach((op, k) => {
    const params = Buffer.from([17 * which + 3, k + 1, 0x5a, 40 + which, 1, 0x01, 2, 9, 0x80, 0, 77, 3]);
    add("plan", `op-${op}-${which}`, mode(1, [which * 5, k], params));
  });
}
add("plan", "empty", mode(0, []));
add("plan", "header-only", mode(0, Buffer.from("PEPLAN\x00\x02", "latin1")));
add("plan", "v1-json", mode(0, snapshots.values().next().value));

// Bundles (promo-edge.bundle/2): the smallest plans signed with their real
// manifest (the engine under test holds a version-0 plan, so each is newer).
const small = [...plans.entries()]
  .map(([name, plan]) => ({ name, plan }))
  .sort((a, b) => a.plan.length - b.plan.length || (a.name < b.name ? -1 : 1))
  .slice(0, 6);
for (const { name, plan } of small) {
  const manifest = JSON.stringify(manifestOf(plan));
  add("bundle", `signed-${name}`, mode(0, bundleOf(manifestOf(plan), plan)));
  add("bundle", `manifest-${name}`, mode(1, `${manifest}\n`, plan));
  add("bundle", `sealed-${name}`, mode(1, `!${manifest}\n`, plan));
  add("bundle", `jwks-${name}`, mode(2, `${JWKS}\n`, bundleOf(manifestOf(plan), plan)));
}
const { plan: tiny } = small[0];
const flipped = Buffer.from(tiny);
flipped[flipped.length - 1] ^= 1;
const v1 = JSON.stringify({ ...JSON.parse(snapshots.values().next().value), version: 2 });
const hostile = {
  "alg-none": Buffer.concat([Buffer.from(`${b64('{"alg":"none","kid":"dev-1"}')}.${b64(JSON.stringify(manifestOf(tiny)))}.\n`), tiny]),
  "alg-hs256": bundleOf(manifestOf(tiny), tiny, { alg: "HS256", kid: "dev-1" }),
  "kid-unknown": bundleOf(manifestOf(tiny), tiny, { alg: "EdDSA", kid: "other" }),
  crit: bundleOf(manifestOf(tiny), tiny, { alg: "EdDSA", kid: "dev-1", crit: ["exp"] }),
  "two-segments": Buffer.concat([Buffer.from(`${b64('{"alg":"EdDSA","kid":"dev-1"}')}.${b64(JSON.stringify(manifestOf(tiny)))}\n`), tiny]),
  "bad-base64": Buffer.concat([Buffer.from("eyJhbGciOiJFZERTQSJ9.!!!.AAAA\n"), tiny]),
  "no-plan-line": Buffer.from(jws(JSON.stringify(manifestOf(tiny)))),
  expired: bundleOf(manifestOf(tiny, { expires_at: "2020-01-01T00:00:00.000Z" }), tiny),
  older: bundleOf(manifestOf(tiny, { version: 0 }), tiny),
  "plan-tampered": bundleOf(manifestOf(tiny), flipped),
  "plan-padded": Buffer.concat([bundleOf(manifestOf(tiny), tiny), Buffer.from([0])]),
  "manifest-version-mismatch": bundleOf(manifestOf(tiny, { version: 999 }), tiny),
  "manifest-other-schema": bundleOf(manifestOf(tiny, { schema: "promo-edge.bundle/3" }), tiny),
  "v1-snapshot-bundle": Buffer.from(jws(v1)),
};
for (const [name, bytes] of Object.entries(hostile)) add("bundle", name, mode(0, bytes));

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
