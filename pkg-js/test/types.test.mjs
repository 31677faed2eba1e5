// The TypeScript types against reality: every spec-vector snapshot and
// request, and every actual engine response and load report, is written as
// an object literal assigned to its declared type, then `tsc --noEmit`
// checks the file. Excess properties (a field the types lack) and missing
// required ones (a field the types wrongly require) both fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { PromoEngine } from "../dist/node.js";
import { loadDump, PKG_ROOT, WASM_PATH } from "./support/dump.mjs";
import { fromBase64Url, planOf } from "./support/spec.mjs";

const TYPES = {
  validate: ["ValidationRequest", "ValidationResponse"],
  qualify: ["QualificationRequest", "QualificationResponse"],
  price_products: ["PricingRequest", "PricingResponse"],
};
const OUT = join(PKG_ROOT, "test/.generated");
const TSC = join(PKG_ROOT, "node_modules/.bin/tsc");

function tsc(file) {
  try {
    execFileSync(
      TSC,
      ["--ignoreConfig", "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
        "--lib", "es2022,dom,esnext.disposable", "--types", "node", file],
      { cwd: PKG_ROOT, encoding: "utf8", stdio: "pipe", timeout: 300_000 },
    );
    return "";
  } catch (e) {
    return `${e.stdout}${e.stderr}`;
  }
}

test("spec snapshots, requests and engine responses fit the declared types", () => {
  const dump = loadDump();
  const wasm = new WebAssembly.Module(readFileSync(WASM_PATH));
  const lines = [
    `import type { Snapshot, ValidationRequest, ValidationResponse, QualificationRequest, QualificationResponse, PricingRequest, PricingResponse, LoadReport, EngineStatus } from "../../src/types.js";`,
  ];
  let counts = { snapshots: 0, requests: 0, responses: 0, skipped: 0 };
  const lit = (text) => JSON.stringify(JSON.parse(text), null, 1);
  dump.files.forEach((file, f) => {
    const snapshots = new Map();
    file.cases.forEach((c, i) => {
      const snapshot = c.snapshot ?? file.snapshot;
      const out = JSON.parse(c.output);
      // Inputs the engine refused are deliberately malformed: not typed.
      if (out.stage === "load") {
        counts.skipped++;
        return;
      }
      if (!snapshots.has(snapshot)) {
        const name = `snapshot_${f}_${i}`;
        snapshots.set(snapshot, name);
        const engine = PromoEngine.initSync(wasm);
        const report = engine.loadPlan(fromBase64Url(planOf(file, c)));
        const status = engine.status(c.now);
        engine.free();
        lines.push(`export const ${name}: Snapshot = ${lit(snapshot)};`);
        lines.push(`export const ${name}_report: LoadReport = ${JSON.stringify(report)};`);
        lines.push(`export const ${name}_status: EngineStatus = ${JSON.stringify(status)};`);
        counts.snapshots++;
      }
      if (typeof out.error === "string") {
        counts.skipped++;
        return;
      }
      lines.push(`// ${file.name} case ${i}`);
      const [req, res] = TYPES[c.call ?? "validate"];
      lines.push(`export const request_${f}_${i}: ${req} = ${lit(c.request)};`);
      lines.push(`export const response_${f}_${i}: ${res} = ${lit(c.output)};`);
      counts.requests++;
      counts.responses++;
    });
  });
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, "spec-types.ts");
  writeFileSync(file, lines.join("\n") + "\n");
  const errors = tsc(file);
  assert.equal(errors, "", `the types disagree with real data (${file}):\n${errors.split("\n").slice(0, 60).join("\n")}`);
  assert.ok(counts.responses > 0);
  console.log(`# typed ${counts.snapshots} snapshots, ${counts.requests} requests, ${counts.responses} responses (${counts.skipped} refused inputs skipped)`);
});

test("a consumer's view: exports, the code union, exhaustive switches", () => {
  const dump = loadDump();
  const file = join(OUT, "consumer.ts");
  writeFileSync(
    file,
    `import { PromoEngine, PromoError, PROMO_ERROR_CODES, isPromoError, type Jwks, type LoadReport, type PromoErrorCode,
  type PromoErrorDetails, type ValidationRequest, type ValidationResponse, type Nudge } from "promo-edge";
// The union equals the codes the engine reports (Error::ALL_CODES).
const engineCodes = ${JSON.stringify(dump.error_codes)} as const;
type EngineCode = (typeof engineCodes)[number];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const unionMatches: Same<EngineCode, PromoErrorCode> = true;
export const listMatches: Same<(typeof PROMO_ERROR_CODES)[number], EngineCode> = true;

export function describe(n: Nudge): string {
  switch (n.type) {
    case "ADD_AMOUNT": return \`add \${n.amount} more\`;
    case "ADD_ITEMS": return n.items.map((i) => \`\${i.quantity} × \${i.id}\`).join(", ");
    case "ADD_LINES": return \`add \${n.count} lines\`;
    case "WAIT_UNTIL": return \`from \${n.at}\`;
    default: { const never: never = n; return never; }
  }
}

export async function demo(bundle: Uint8Array, jwks: Jwks, buffer: ArrayBuffer): Promise<number> {
  const engine = await PromoEngine.init();
  try {
    const report: LoadReport = engine.loadBundle(bundle, jwks, { now: new Date(), graceMs: 60_000 });
    engine.loadBundle(buffer, JSON.stringify(jwks));
    engine.loadPlan(bundle);
    engine.loadPlan(buffer);
    // @ts-expect-error a bundle is bytes, not text
    engine.loadBundle("eyJ...", jwks);
    // @ts-expect-error snapshots are compiled by promo-origin publish: there is no load()
    engine.load({ schema: "promo-edge.snapshot/1" });
    const lean: ValidationRequest = { order: { items: [{ product_id: "p", price: 100 }] } };
    const expanded: ValidationRequest = { ...lean, options: { expand: ["order", "redeemable"] } };
    // @ts-expect-error not an expansion
    const wrong: ValidationRequest = { ...lean, options: { expand: ["everything"] } };
    const res: ValidationResponse = engine.validate(expanded);
    // Lean answers may leave these out, so the types make them optional.
    const lines: number = res.order.items?.length ?? 0;
    // @ts-expect-error items are only there with expand: ["order"]
    const first = res.order.items[0];
    const name: string | undefined = res.redeemables[0]?.campaign_name;
    return report.version + res.order.total_amount + lines + (name?.length ?? 0) + (wrong ? 0 : 1) + (first ? 0 : 1);
  } catch (e) {
    if (isPromoError(e, "SNAPSHOT_NOT_NEWER")) {
      const held: number = e.details.held;
      return held - e.details.offered;
    }
    if (isPromoError(e, "TOO_MANY_ORDER_ITEMS")) return e.details.limit;
    if (e instanceof PromoError) {
      const c: PromoErrorCode = e.code;
      const d: PromoErrorDetails = e.details;
      // @ts-expect-error details are only typed per code once the code is narrowed
      const nope: string = e.details.path;
      return c.length + Object.keys(d).length + nope.length;
    }
    throw e;
  }
}

export const made = new PromoError("INVALID_REQUEST", { path: "order", message: "no items" });
// @ts-expect-error the details must fit the code
export const wrongDetails = new PromoError("INVALID_REQUEST", { held: 1 });
`,
  );
  const errors = tsc(file);
  assert.equal(errors, "", errors);
});

test("the check has teeth: an unknown field or a missing required one fails", () => {
  const file = join(OUT, "negative.ts");
  writeFileSync(
    file,
    `import type { ValidationResponse, Snapshot } from "../../src/types.js";
export const extra: Snapshot["campaigns"] = [{ id: "c", campaign_type: "PROMOTION", surprise: 1 }];
export const missing: Pick<ValidationResponse, "valid" | "snapshot_version"> = { valid: true };
`,
  );
  const errors = tsc(file);
  assert.match(errors, /TS2353.*surprise/);
  assert.match(errors, /TS2741.*snapshot_version/);
});
