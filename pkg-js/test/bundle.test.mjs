// Signed bundles (promo-edge.bundle/2) through the wasm build, with real
// Ed25519 signatures: bundles from `promo-origin publish`, and manifests
// re-signed here by an independent JOSE implementation (the npm `jose`
// package), then every way a bundle can be wrong. Each refusal has its
// code and its details, and changes nothing: the last good plan keeps
// serving.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { PromoEngine, PromoError, describeError, isPromoError } from "../dist/node.js";
import { makePublisher, splitBundle } from "./support/publish.mjs";

const b64u = (data) => Buffer.from(data).toString("base64url");
const NOW = "2026-06-01T00:00:00Z";
const SOURCE = {
  project: { project: "shop", channel: "web", currency: { code: "USD", exponent: 2 }, time_zone: "UTC" },
  campaigns: [{
    id: "camp_1", name: "Five off", campaign_type: "DISCOUNT_COUPONS",
    voucher: { discount: { type: "AMOUNT", amount_off: 500 } }, vouchers: [{ code: "FIVE" }],
  }],
};
const CART = { redeemables: [{ object: "voucher", id: "FIVE" }], order: { items: [{ product_id: "p", price: 2000 }] } };

const pub = makePublisher();
after(() => pub.cleanup());

/** A signer for the tests: `kid` and its private key; `jwk` is the public half. */
async function keypair(kid) {
  const { publicKey, privateKey } = await jose.generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { kid, privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, use: "sig" } };
}

/** A compact JWS over `payload` (object or text), signed by `jose`. */
function jws(payload, key, header = { alg: "EdDSA", kid: key.kid }) {
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  return new jose.CompactSign(new TextEncoder().encode(text)).setProtectedHeader(header).sign(key.privateKey);
}

/** `<jws>\n<plan>` */
function bundleOf(line, plan) {
  return new Uint8Array(Buffer.concat([Buffer.from(`${line}\n`), Buffer.from(plan)]));
}

/** The signed manifest of a published bundle. */
function manifestOf(bundle) {
  const { jws: line } = splitBundle(bundle);
  return JSON.parse(Buffer.from(line.split(".")[1], "base64url").toString("utf8"));
}

/** What a refusal must not change: the status and a probe answer (or its code). */
function stateOf(engine) {
  let probe;
  try {
    probe = engine.validateJson(CART, NOW);
  } catch (e) {
    probe = isPromoError(e) ? e.code : String(e);
  }
  return [engine.status(NOW), probe];
}

function refused(engine, fn, code, details) {
  const before = stateOf(engine);
  assert.throws(fn, (e) => {
    assert.ok(e instanceof PromoError, `not a PromoError: ${e?.stack ?? e}`);
    assert.equal(e.code, code, e.message);
    if (details) assert.deepEqual(e.details, details);
    assert.ok(e.message.length > 0 && !e.message.startsWith("{"), `a worded message: ${e.message}`);
    return true;
  }, code);
  assert.deepEqual(stateOf(engine), before, `${code} changed the engine`);
}

test("a bundle from promo-origin publish loads; its plan alone loads with loadPlan", async () => {
  const bundle = pub.publish(SOURCE, { version: 3 });
  const engine = await PromoEngine.init();
  const report = engine.loadBundle(bundle, pub.jwks, { now: NOW });
  assert.deepEqual(report, { version: 3, campaigns: 1, redeemables: 1, disabled: 0, warnings: [], kid: pub.jwks.keys[0].kid, stale: false });
  assert.equal(engine.validate(CART, NOW).order.total_amount, 1500);
  // An ArrayBuffer and JWKS text work too.
  const other = await PromoEngine.init();
  const copy = bundle.slice().buffer;
  assert.equal(other.loadBundle(copy, JSON.stringify(pub.jwks), { now: new Date(NOW) }).version, 3);
  // The unsigned path: the plan after the JWS line.
  const bare = await PromoEngine.init();
  const planReport = bare.loadPlan(splitBundle(bundle).plan);
  assert.equal(planReport.version, 3);
  assert.equal("kid" in planReport, false, "a bare plan has no signer");
  assert.equal(bare.validateJson(CART, NOW), engine.validateJson(CART, NOW));
  for (const e of [engine, other, bare]) e.free();
});

test("a manifest signed by another JOSE signer loads; every broken bundle is refused and changes nothing", async (t) => {
  const mine = await keypair("test-key-1");
  const stranger = await keypair("test-key-2");
  // An HMAC key, for a bundle jose signs with another algorithm.
  const hmac = { kid: "test-key-1", privateKey: new Uint8Array(32).fill(7) };
  const jwks = { keys: [mine.jwk] };
  const v2 = pub.publish(SOURCE, { version: 2 });
  const v4 = pub.publish(SOURCE, { version: 4 });
  const m4 = manifestOf(v4);
  const plan4 = splitBundle(v4).plan;
  const plan2 = splitBundle(v2).plan;

  const engine = await PromoEngine.init();
  // Re-signed here: the origin's manifest of v2 under this test's key.
  const report = engine.loadBundle(bundleOf(await jws(manifestOf(v2), mine), plan2), jwks, { now: NOW });
  assert.equal(report.version, 2);
  assert.equal(report.kid, "test-key-1");

  const good4 = await jws(m4, mine);
  const [h, , s] = good4.split(".");
  const flipped = plan4.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 0x01;
  const truncated = plan4.subarray(0, plan4.length - 1);
  const signedTruncated = { ...m4, plan: { ...m4.plan, bytes: truncated.length, sha256: b64u(await crypto.subtle.digest("SHA-256", truncated)) } };
  const snapshotV1 = {
    schema: "promo-edge.snapshot/1", project: "shop", channel: "web", version: 9,
    issued_at: "2026-01-01T00:00:00Z", expires_at: "2027-01-01T00:00:00Z",
    currency: { code: "USD", exponent: 2 }, time_zone: { name: "UTC", offsets: [{ offset_seconds: 0 }] },
  };
  const v1 = pub.publish(SOURCE, { version: 1 });
  const rollback = bundleOf(await jws(manifestOf(v1), mine), splitBundle(v1).plan);
  const v1Jws = await jws(snapshotV1, mine);
  const cases = [
    ["tampered manifest (version raised, same signature)",
      bundleOf(`${h}.${b64u(JSON.stringify({ ...m4, version: 40 }))}.${s}`, plan4), "BUNDLE_SIGNATURE_INVALID", { kid: "test-key-1" }],
    ["a signed manifest that lies about the version", bundleOf(await jws({ ...m4, version: 5 }, mine), plan4), "BUNDLE_PLAN_MISMATCH", { what: "version" }],
    ["another plan under the manifest (swapped)", bundleOf(good4, plan2), "BUNDLE_PLAN_MISMATCH",
      { what: plan2.length === plan4.length ? "digest" : "size" }],
    ["a bit flipped in the plan", bundleOf(good4, flipped), "BUNDLE_PLAN_MISMATCH", { what: "digest" }],
    ["the plan truncated by a byte", bundleOf(good4, truncated), "BUNDLE_PLAN_MISMATCH", { what: "size" }],
    ["the plan padded by a byte", bundleOf(good4, Buffer.concat([plan4, Buffer.from([0])])), "BUNDLE_PLAN_MISMATCH", { what: "size" }],
    ["no plan at all", bundleOf(good4, new Uint8Array(0)), "BUNDLE_PLAN_MISMATCH", { what: "size" }],
    ["a truncated plan whose digest was signed", bundleOf(await jws(signedTruncated, mine), truncated), "PLAN_TRUNCATED", {}],
    ["a v1 bundle (the snapshot as payload)", new TextEncoder().encode(v1Jws), "BUNDLE_FORMAT_OUTDATED", {}],
    ["a v1 bundle with a trailing newline", new TextEncoder().encode(`${v1Jws}\n`), "BUNDLE_FORMAT_OUTDATED", {}],
    ["signed by a key not in the JWKS", bundleOf(await jws(m4, stranger), plan4), "BUNDLE_KEY_UNKNOWN", { kid: "test-key-2" }],
    ["another algorithm", bundleOf(await jws(m4, hmac, { alg: "HS256", kid: "test-key-1" }), plan4), "BUNDLE_ALGORITHM_UNSUPPORTED", { alg: "HS256" }],
    ["no JWS line", new TextEncoder().encode("hello"), "BUNDLE_MALFORMED", undefined],
    ["two segments", bundleOf(`${h}.${s}`, plan4), "BUNDLE_MALFORMED", undefined],
    ["another schema in the manifest", bundleOf(await jws({ ...m4, schema: "promo-edge.bundle/9" }, mine), plan4), "BUNDLE_MALFORMED", undefined],
    ["a rollback to version 1", rollback, "SNAPSHOT_NOT_NEWER", { held: 2, offered: 1 }],
    ["the same version again", bundleOf(await jws(manifestOf(v2), mine), plan2), "SNAPSHOT_NOT_NEWER", { held: 2, offered: 2 }],
  ];
  for (const [name, bundle, code, details] of cases) {
    await t.test(name, () => refused(engine, () => engine.loadBundle(bundle, jwks, { now: NOW }), code, details));
  }
  refused(engine, () => engine.loadBundle(bundleOf(good4, plan4), "{", { now: NOW }), "JWKS_INVALID");
  refused(engine, () => engine.loadBundle(bundleOf(good4, plan4), { keys: [{ ...mine.jwk, use: "enc" }] }, { now: NOW }), "JWKS_INVALID");
  refused(engine, () => engine.loadBundle(bundleOf(good4, plan4), jwks, { now: "yesterday" }), "INVALID_TIMESTAMP", { value: "yesterday" });
  assert.throws(() => engine.loadBundle(42, jwks), TypeError, "a number is not bytes");
  assert.equal(engine.status(NOW).version, 2, "the last good plan keeps serving");

  // And the good one still loads after all that.
  assert.equal(engine.loadBundle(bundleOf(good4, plan4), jwks, { now: NOW }).version, 4);
  engine.free();
});

test("the origin's own signing key works as a JWK for any signer", async () => {
  const key = { kid: pub.privateJwk.kid, privateKey: await jose.importJWK(pub.privateJwk, "EdDSA") };
  const v6 = pub.publish(SOURCE, { version: 6 });
  const engine = await PromoEngine.init();
  const line = await jws(manifestOf(v6), key);
  assert.equal(engine.loadBundle(bundleOf(line, splitBundle(v6).plan), pub.jwks, { now: NOW }).kid, pub.privateJwk.kid);
  // And what the origin signed, jose verifies with the origin's JWKS.
  const { protectedHeader } = await jose.compactVerify(splitBundle(v6).jws, jose.createLocalJWKSet(pub.jwks), { algorithms: ["EdDSA"] });
  assert.equal(protectedHeader.kid, pub.privateJwk.kid);
  engine.free();
});

test("expiry: refused past expires_at, accepted as stale within the grace period", async () => {
  const expired = pub.publish(SOURCE, { version: 5, now: "2026-05-01T00:00:00Z", lifetime: "P1D" });
  const engine = await PromoEngine.init();
  engine.loadBundle(pub.publish(SOURCE, { version: 1 }), pub.jwks, { now: NOW });
  refused(engine, () => engine.loadBundle(expired, pub.jwks, { now: NOW }), "SNAPSHOT_EXPIRED", { expires_at: "2026-05-02T00:00:00.000Z" });
  refused(engine, () => engine.loadBundle(expired, pub.jwks, { now: NOW, graceMs: 30 * 86_400_000 - 1 }), "SNAPSHOT_EXPIRED");
  const late = engine.loadBundle(expired, pub.jwks, { now: NOW, graceMs: 30 * 86_400_000 });
  assert.equal(late.stale, true);
  assert.equal(late.version, 5);
  assert.equal(engine.status(NOW).stale, true);
  assert.equal(engine.status("2026-05-01T12:00:00Z").stale, false);
  // Before expiry it is fresh, whatever the grace.
  const fresh = await PromoEngine.init();
  assert.equal(fresh.loadBundle(expired, pub.jwks, { now: "2026-05-01T12:00:00Z" }).stale, false);
  for (const e of [engine, fresh]) e.free();
});

test("load(snapshot) is gone; snapshot JSON handed to loadPlan or loadBundle is named for what it is", async () => {
  const engine = await PromoEngine.init();
  assert.equal(engine.load, undefined, "plans are compiled at publish: the engine reads no snapshot JSON");
  const json = new TextEncoder().encode(JSON.stringify({ schema: "promo-edge.snapshot/1", version: 1 }));
  refused(engine, () => engine.loadPlan(json), "BUNDLE_FORMAT_OUTDATED", {});
  assert.match(describeError("BUNDLE_FORMAT_OUTDATED", {}), /promo-origin publish/);
  assert.equal(engine.status(NOW), null);
  engine.free();
});
