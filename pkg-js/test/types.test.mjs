// The TypeScript types against reality: every spec-vector snapshot and
// request, and every actual engine response and load report, is written as
// an object literal assigned to its declared type, then `tsc --noEmit`
// checks the file. Excess properties (a field the types lack) and missing
// required ones (a field the types wrongly require) both fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, relative } from "node:path";
import { PromoEngine } from "../dist/node.js";
import { loadDump, PKG_ROOT, REPO_ROOT, WASM_PATH } from "./support/dump.mjs";
import { fromBase64Url, planOf } from "./support/spec.mjs";
import { makePublisher } from "./support/publish.mjs";
import { createVoucherify } from "../dist/voucherify.js";

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

// promo-edge/voucherify declares @voucherify/sdk 2.9.0's types as its own:
// each must be the SDK's type (mutually assignable with the SDK's own
// declaration), and the object must stand in for the SDK's server-side and
// client-side instances, SDK-typed requests in and SDK-typed answers out.
const SDK_DIST = join(REPO_ROOT, "origin/tests/sdk/node_modules/@voucherify/sdk/dist");
const SAME_AS_SDK = [
  "ValidationsValidateStackableParams", "ValidationValidateStackableResponse", "ValidationsValidateVoucherParams",
  "ValidationsValidateVoucherResponse", "ValidationsValidateCode", "ValidationsValidateContext",
  "QualificationsCheckEligibilityRequestBody", "QualificationsCheckEligibilityResponseBody",
  "PromotionsValidateParams", "PromotionsValidateQueryParams", "PromotionsValidateResponse",
  "RedemptionsRedeemStackableParams", "RedemptionsRedeemStackableResponse", "RedemptionsRollbackStackableResponse",
  "ClientSideValidateParams", "ClientSideValidateResponse", "ClientSideValidationsValidateStackableParams",
  "ClientSideRedemptionsRedeemStackableParams", "Discount", "DiscountAmount", "DiscountPercent", "DiscountUnit", "DiscountFixed",
  "OrdersCreate", "OrdersCreateResponse", "OrderCalculated", "CustomerRequest", "ApplicableToResultList",
  "StackableRedeemableResponse", "QualificationsRedeemable", "SimplePromotionTier", "VouchersResponse",
];

test("promo-edge/voucherify: its types are the SDK's, and it stands in for VoucherifyServerSide and VoucherifyClientSide",
  { skip: existsSync(SDK_DIST) ? false : `no ${SDK_DIST} (npm ci in origin/tests/sdk)` }, () => {
    const sdk = relative(OUT, SDK_DIST);
    const same = SAME_AS_SDK.map((n) => `export const same_${n}: Same<O.${n}, S.${n}> = true;`).join("\n");
    const file = join(OUT, "voucherify-sdk.ts");
    writeFileSync(file, `// promo-edge/voucherify against @voucherify/sdk 2.9.0's own declarations.
import type * as S from "${sdk}/types/index.js";
import type { ClientSide } from "${sdk}/ClientSide.js";
import type { Validations } from "${sdk}/Validations.js";
import type { Qualifications } from "${sdk}/Qualifications.js";
import type { Promotions } from "${sdk}/Promotions.js";
import type { Redemptions } from "${sdk}/Redemptions.js";
import type { Category as SdkCategory } from "${sdk}/types/Categories.js";
import type { VoucherifyError as SdkError } from "${sdk}/VoucherifyError.js";
import { PromoEngine } from "promo-edge";
import { createVoucherify, VoucherifyError, DiscountVouchersTypesEnum, type PromoVoucherify } from "promo-edge/voucherify";
import type * as O from "promo-edge/voucherify";

/** Mutually assignable: structurally the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

${same}
export const same_Category: Same<O.Category, SdkCategory> = true;
// @ts-expect-error the check has teeth: a field the SDK requires may not be optional
export const teeth: Same<O.OrdersCreateResponse, Omit<S.OrdersCreateResponse, "id"> & { id?: string }> = true;
export const enumFits: Same<O.DiscountVouchersTypesEnum.AMOUNT, S.DiscountVouchersTypesEnum.AMOUNT> = true;
// @ts-expect-error PERCENT is not AMOUNT, in either enum
export const enumTeeth: Same<O.DiscountVouchersTypesEnum.PERCENT, S.DiscountVouchersTypesEnum.AMOUNT> = true;

// The object stands in for a server-side and a client-side SDK instance.
declare const v: PromoVoucherify;
export const server: {
  validations: Pick<Validations, "validate" | "validateVoucher" | "validateStackable">;
  qualifications: Pick<Qualifications, "checkEligibility">;
  promotions: Pick<Promotions, "validate">;
  redemptions: Pick<Redemptions, "redeemStackable" | "rollbackStackable">;
} = v;
export const client: Pick<ClientSide, "setIdentity" | "validate" | "validateStackable" | "redeemStackable" | "qualifications"> = v;

// A storefront's SDK-typed calls, unchanged: SDK requests in, SDK responses out.
export async function storefront(
  engine: PromoEngine,
  stackable: S.ValidationsValidateStackableParams,
  context: S.ValidationsValidateContext,
  promo: S.PromotionsValidateParams,
  eligibility: S.QualificationsCheckEligibilityRequestBody,
  redeem: S.RedemptionsRedeemStackableParams,
  clientParams: S.ClientSideValidateParams,
): Promise<number> {
  const voucherify = createVoucherify({ engine, trackingId: "t", now: () => new Date() });
  const a: S.ValidationValidateStackableResponse = await voucherify.validations.validateStackable(stackable);
  const b: S.ValidationsValidateVoucherResponse = await voucherify.validations.validate("CODE", context);
  const c: S.PromotionsValidateResponse = await voucherify.validations.validate(promo);
  const d: S.ValidationsValidateVoucherResponse | S.PromotionsValidateResponse = await voucherify.validations.validate(Math.random() > 0.5 ? "CODE" : promo, context);
  const e: S.QualificationsCheckEligibilityResponseBody = await voucherify.qualifications.checkEligibility(eligibility);
  const f: S.QualificationsCheckEligibilityResponseBody = await voucherify.qualifications(eligibility);
  const g: S.PromotionsValidateResponse = await voucherify.promotions.validate(promo, { audienceRulesOnly: true });
  const h: S.RedemptionsRedeemStackableResponse = await voucherify.redemptions.redeemStackable(redeem);
  const i: S.RedemptionsRollbackStackableResponse = await voucherify.redemptions.rollbackStackable(h.parent_redemption.id);
  const j: S.ClientSideValidateResponse = await voucherify.validate(clientParams);
  const k: S.ClientSideValidateResponse = await voucherify.validate("CODE");
  const l: S.ValidationValidateStackableResponse = await voucherify.validateStackable(stackable);
  const m: S.RedemptionsRedeemStackableResponse = await voucherify.redeemStackable(redeem);
  voucherify.setIdentity("shopper");
  const type: S.DiscountVouchersTypesEnum | undefined = b.discount?.type;
  const mine: O.DiscountVouchersTypesEnum | undefined = b.discount?.type;
  const isPercent = mine === DiscountVouchersTypesEnum.PERCENT;
  try {
    await voucherify.redeemStackable(redeem);
  } catch (err) {
    if (err instanceof VoucherifyError) {
      const sdk: Pick<SdkError, "code" | "key" | "message" | "details" | "request_id" | "resource_id" | "resource_type" | "error"> = err;
      return sdk.code;
    }
  }
  // @ts-expect-error a code is a string or a promotions body
  await voucherify.validations.validate(42);
  return [a, b, c, d, e, f, g, h, i, j, k, l, m].length + (type ? 1 : 0) + (isPercent ? 1 : 0);
}
`);
    const errors = tsc(file);
    assert.equal(errors, "", errors);
  });

// Real answers through promo-edge/voucherify, against the SDK's own declared
// response types, as an SDK user receives them (not fresh literals, so extra
// fields are fine; missing required ones and wrong literals are not). The
// SDK types some `discount.type` fields as its string enum, which no JSON
// string literal satisfies: such a literal is typed as the enum member of
// the same value (what it is at run time).
test("promo-edge/voucherify: real answers fit the SDK's declared response types",
  { skip: existsSync(SDK_DIST) ? false : `no ${SDK_DIST} (npm ci in origin/tests/sdk)` }, async () => {
    const pub = makePublisher();
    const engine = await PromoEngine.init();
    try {
      engine.loadPlan(pub.plan({
        project: {
          project: "shop", channel: "web", currency: { code: "USD", exponent: 2 }, time_zone: "UTC",
          categories: [{ id: "cat_a", name: "A", hierarchy: 1 }],
          validation_rules: [{ id: "val_mug", applicable_to: { included: [{ object: "product", id: "prod_mug" }] } }],
        },
        campaigns: [
          { id: "camp_ten", name: "Ten off", campaign_type: "DISCOUNT_COUPONS", category_id: "cat_a",
            voucher: { discount: { type: "PERCENT", percent_off: 10 } }, vouchers: [{ code: "TEN" }] },
          { id: "camp_mug", name: "Mugs", campaign_type: "DISCOUNT_COUPONS", validation_rule_ids: ["val_mug"],
            voucher: { discount: { type: "AMOUNT", amount_off: 100, effect: "APPLY_TO_ITEMS" } }, vouchers: [{ code: "MUG" }] },
          { id: "camp_promo", name: "Promo", campaign_type: "PROMOTION",
            promotion_tiers: [{ id: "promo_five", name: "5 off", action: { discount: { type: "AMOUNT", amount_off: 500 } } }] },
        ],
      }));
    } finally {
      pub.cleanup();
    }
    const v = createVoucherify({ engine, now: "2026-06-01T12:00:00Z" });
    const items = [{ product_id: "prod_mug", price: 1999, quantity: 3 }];
    const answers = [
      ["ValidationValidateStackableResponse", await v.validations.validateStackable({
        redeemables: [{ object: "voucher", id: "TEN" }, { object: "voucher", id: "MUG" }, { object: "voucher", id: "NOPE" }], order: { items }, options: { expand: ["order", "redeemable"] } })],
      ["ValidationValidateStackableResponse", await v.validateStackable({ redeemables: [{ object: "promotion_tier", id: "promo_five" }], order: { items } })],
      ["QualificationsCheckEligibilityResponseBody", await v.qualifications.checkEligibility({ order: { items } })],
      ["ValidationsValidateVoucherResponse", await v.validations.validate("TEN", { order: { items } })],
      ["ValidationsValidateVoucherResponse", await v.validations.validate("MUG", { order: { items } })],
      ["ValidationsValidateVoucherResponse", await v.validations.validate("NOPE", { order: { items } })],
      ["PromotionsValidateResponse", await v.promotions.validate({ order: { items } })],
      ["ClientSideValidateResponse", await v.validate({ code: "TEN", items })],
      ["ClientSideValidateResponse", await v.validate({ amount: 3000 })],
    ];
    engine.free();
    const sdk = relative(OUT, SDK_DIST);
    const lines = [
      `import type * as S from "${sdk}/types/index.js";`,
      "type Json<T extends string> = T extends `${S.DiscountVouchersTypesEnum}` ? Extract<S.DiscountVouchersTypesEnum, T> : T;",
      "type DeepMutable<T> = T extends string ? (string extends T ? T : Json<T>) : T extends readonly unknown[] ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;",
      "declare function fromJson<T>(v: T): DeepMutable<T>;",
      ...answers.map(([type, value], i) => `export const a${i}: S.${type} = fromJson(${JSON.stringify(value)} as const);`),
    ];
    const file = join(OUT, "voucherify-answers.ts");
    writeFileSync(file, lines.join("\n") + "\n");
    const errors = tsc(file);
    assert.equal(errors, "", `answers that do not fit the SDK's types (${file}):\n${errors.split("\n").slice(0, 40).join("\n")}`);
  });
