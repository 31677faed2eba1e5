// Signed bundles through the wasm build: a compact JWS signed with Ed25519
// by Node's own crypto (no secret reaches the engine), and each refusal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { PromoEngine, PromoError } from "../dist/node.js";

const b64u = (data) => Buffer.from(data).toString("base64url");

function snapshot(version, expires_at = "2027-01-01T00:00:00Z") {
  return {
    schema: "promo-edge.snapshot/1",
    project: "shop",
    channel: "web",
    version,
    issued_at: "2026-01-01T00:00:00Z",
    expires_at,
    currency: { code: "USD", exponent: 2 },
    time_zone: { name: "UTC", offsets: [{ offset_seconds: 0 }] },
  };
}

function keypair(kid) {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, use: "sig" } };
}

function bundle(payload, key, header = { alg: "EdDSA", kid: key.kid }) {
  const signingInput = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${signingInput}.${b64u(sign(null, Buffer.from(signingInput), key.privateKey))}`;
}

const trusted = keypair("k1");
const stranger = keypair("k2");
const jwks = { keys: [trusted.jwk] };
const NOW = "2026-06-01T00:00:00Z";

function refused(fn, code) {
  assert.throws(fn, (e) => e instanceof PromoError && e.code === code, code);
}

test("a bundle signed by a trusted key loads; each failed check changes nothing", async () => {
  const engine = await PromoEngine.init();
  const report = engine.loadBundle(bundle(snapshot(1), trusted), jwks, { now: NOW });
  assert.equal(report.version, 1);
  assert.equal(report.kid, "k1");
  assert.equal(report.stale, false);

  const good = bundle(snapshot(2), trusted);
  const [h, p, s] = good.split(".");
  refused(() => engine.loadBundle(`${h}.${b64u(JSON.stringify(snapshot(3)))}.${s}`, jwks, { now: NOW }), "BUNDLE_SIGNATURE_INVALID");
  refused(() => engine.loadBundle(bundle(snapshot(2), stranger), jwks, { now: NOW }), "BUNDLE_KEY_UNKNOWN");
  refused(() => engine.loadBundle(bundle(snapshot(2), trusted, { alg: "HS256", kid: "k1" }), jwks, { now: NOW }), "BUNDLE_ALGORITHM_UNSUPPORTED");
  refused(() => engine.loadBundle(`${h}.${p}`, jwks, { now: NOW }), "BUNDLE_MALFORMED");
  refused(() => engine.loadBundle(good, "{", { now: NOW }), "JWKS_INVALID");
  refused(() => engine.loadBundle(bundle(snapshot(1), trusted), jwks, { now: NOW }), "SNAPSHOT_NOT_NEWER");
  const expired = bundle(snapshot(5, "2026-05-31T00:00:00Z"), trusted);
  refused(() => engine.loadBundle(expired, jwks, { now: NOW }), "SNAPSHOT_EXPIRED");
  assert.equal(engine.status(NOW).version, 1, "the last good snapshot keeps serving");

  // Within the grace period an expired bundle loads, reported stale.
  const late = engine.loadBundle(expired, JSON.stringify(jwks), { now: NOW, graceMs: 2 * 86_400_000 });
  assert.equal(late.stale, true);
  assert.equal(engine.status(NOW).stale, true);
  engine.free();
});
