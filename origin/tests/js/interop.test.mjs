// JOSE interoperability of signed bundles (promo-edge.bundle/2: a compact
// JWS over a manifest, a newline, the plan), against the real binary:
// - the JWS line of a bundle from `promo-origin publish` verifies with the
//   npm `jose` package, and its manifest describes the plan after it (size
//   and SHA-256);
// - a bundle whose manifest `jose` signed (EdDSA, Ed25519) loads in the
//   engine (`promo-origin verify` runs the core's Engine::load_bundle), and
//   a tampered, re-keyed or re-planned one does not.
// PROMO_ORIGIN_BIN names the binary (the make target sets it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as jose from "jose";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.PROMO_ORIGIN_BIN ?? join(here, "../../../target/debug/promo-origin");
const source = join(here, "../fixtures/source");
const NOW = "2026-06-01T10:00:00Z";

function origin(args) {
  return execFileSync(bin, args, { encoding: "utf8", timeout: 60_000 });
}

function verify(bundlePath, jwksPath) {
  const r = spawnSync(bin, ["verify", "--bundle", bundlePath, "--jwks", jwksPath, "--now", "2026-06-02T00:00:00Z"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(r.stdout);
}

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), "promo-origin-jose-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A bundle's JWS line (text) and plan (bytes). */
function split(bytes) {
  const nl = bytes.indexOf(0x0a);
  assert.ok(nl > 0, "a bundle is a JWS line, a newline and the plan");
  return { jws: bytes.subarray(0, nl).toString("utf8"), plan: bytes.subarray(nl + 1) };
}

function publish(dir, version) {
  const out = join(dir, `published-${version}.bundle`);
  origin(["publish", "--source", source, "--key", join(dir, "keys/signing-key.jwk.json"),
          "--out", out, "--now", NOW, "--version", String(version), "--state", `${out}.state.json`]);
  return readFileSync(out);
}

test("a published bundle's JWS verifies with jose, and its manifest describes the plan", async (t) => {
  const dir = tempDir(t);
  origin(["keygen", "--out", join(dir, "keys")]);
  const { jws, plan } = split(publish(dir, 7));
  const jwks = JSON.parse(readFileSync(join(dir, "keys/jwks.json"), "utf8"));

  const { payload, protectedHeader } = await jose.compactVerify(jws, jose.createLocalJWKSet(jwks), {
    algorithms: ["EdDSA"],
  });
  assert.equal(protectedHeader.alg, "EdDSA");
  assert.equal(protectedHeader.kid, jwks.keys[0].kid);
  // The kid is the key's RFC 7638 thumbprint.
  assert.equal(protectedHeader.kid, await jose.calculateJwkThumbprint(jwks.keys[0], "sha256"));
  const manifest = JSON.parse(new TextDecoder().decode(payload));
  assert.equal(manifest.schema, "promo-edge.bundle/2");
  assert.equal(manifest.project, "proj_test");
  assert.equal(manifest.channel, "web");
  assert.equal(manifest.version, 7);
  assert.equal(manifest.issued_at, "2026-06-01T10:00:00.000Z");
  assert.equal(manifest.expires_at, "2026-07-01T10:00:00.000Z", "the default lifetime is 30 days");
  // What the signature vouches for: the plan's format, size and SHA-256.
  assert.deepEqual(manifest.plan, {
    schema: "promo-edge.plan/2",
    bytes: plan.length,
    sha256: createHash("sha256").update(plan).digest("base64url"),
  });
  assert.deepEqual([...plan.subarray(0, 8)], [...Buffer.from("PEPLAN\x00\x02", "latin1")], "the plan's magic and format");

  // jose refuses it under another key, like the engine.
  const other = await jose.generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const otherJwk = { ...(await jose.exportJWK(other.publicKey)), kid: protectedHeader.kid };
  await assert.rejects(jose.compactVerify(jws, jose.createLocalJWKSet({ keys: [otherJwk] })));
});

test("a bundle whose manifest jose signed loads in the engine; tampered, re-keyed or re-planned ones do not", async (t) => {
  const dir = tempDir(t);
  origin(["keygen", "--out", join(dir, "keys")]);
  // What publish built at version 42; its manifest re-signed by jose with jose's own key.
  const published = split(publish(dir, 42));
  const manifest = JSON.parse(Buffer.from(published.jws.split(".")[1], "base64url").toString("utf8"));

  const { publicKey, privateKey } = await jose.generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  jwk.kid = "jose-key-1";
  jwk.alg = "EdDSA";
  jwk.use = "sig";
  writeFileSync(join(dir, "jose-jwks.json"), JSON.stringify({ keys: [jwk] }));

  const sign = (m) => new jose.CompactSign(new TextEncoder().encode(JSON.stringify(m)))
    .setProtectedHeader({ alg: "EdDSA", kid: "jose-key-1" })
    .sign(privateKey);
  const write = (name, jws, plan) => {
    writeFileSync(join(dir, name), Buffer.concat([Buffer.from(`${jws}\n`), plan]));
    return join(dir, name);
  };
  const jws = await sign(manifest);
  const good = write("jose.bundle", jws, published.plan);

  const ok = verify(good, join(dir, "jose-jwks.json"));
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal(ok.version, 42);
  assert.equal(ok.kid, "jose-key-1");
  assert.equal(ok.channel, "web");
  assert.equal(ok.project, "proj_test");

  // Tampered manifest, same signature: refused.
  const [h, , s] = jws.split(".");
  const raised = Buffer.from(JSON.stringify({ ...manifest, version: 43 })).toString("base64url");
  assert.equal(verify(write("tampered.bundle", `${h}.${raised}.${s}`, published.plan), join(dir, "jose-jwks.json")).code,
    "BUNDLE_SIGNATURE_INVALID");

  // Signed by jose but with a kid the engine does not trust: refused.
  assert.equal(verify(good, join(dir, "keys/jwks.json")).code, "BUNDLE_KEY_UNKNOWN");

  // Another plan under jose's signature: the manifest's digest no longer holds.
  const other = split(publish(dir, 43));
  const swapped = verify(write("swapped.bundle", jws, other.plan), join(dir, "jose-jwks.json"));
  assert.equal(swapped.code, "BUNDLE_PLAN_MISMATCH");
  assert.match(swapped.message, /size|digest/);
  const flipped = Buffer.from(published.plan);
  flipped[flipped.length >> 1] ^= 0x01;
  const corrupted = verify(write("flipped.bundle", jws, flipped), join(dir, "jose-jwks.json"));
  assert.deepEqual([corrupted.code, corrupted.message], ["BUNDLE_PLAN_MISMATCH", "the signed manifest and the plan disagree on digest"]);

  // A manifest jose signed that lies about the plan's version: signed, yet refused.
  const lying = await sign({ ...manifest, version: 41 });
  assert.equal(verify(write("lying.bundle", lying, published.plan), join(dir, "jose-jwks.json")).code, "BUNDLE_PLAN_MISMATCH");
});
