// JOSE interoperability of signed bundles, against the real binary:
// - a bundle from `promo-origin publish` verifies with the npm `jose` package;
// - a bundle signed by `jose` (EdDSA, Ed25519) loads in the engine
//   (`promo-origin verify` runs the core's Engine::load_bundle), and a
//   tampered one does not.
// PROMO_ORIGIN_BIN names the binary (the make target sets it).

import { test } from "node:test";
import assert from "node:assert/strict";
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

test("a published bundle verifies with jose", async (t) => {
  const dir = tempDir(t);
  origin(["keygen", "--out", join(dir, "keys")]);
  origin(["publish", "--source", source, "--key", join(dir, "keys/signing-key.jwk.json"),
          "--out", join(dir, "bundle.jws"), "--now", NOW, "--version", "7"]);
  const bundle = readFileSync(join(dir, "bundle.jws"), "utf8");
  const jwks = JSON.parse(readFileSync(join(dir, "keys/jwks.json"), "utf8"));

  const { payload, protectedHeader } = await jose.compactVerify(bundle, jose.createLocalJWKSet(jwks), {
    algorithms: ["EdDSA"],
  });
  assert.equal(protectedHeader.alg, "EdDSA");
  assert.equal(protectedHeader.kid, jwks.keys[0].kid);
  // The kid is the key's RFC 7638 thumbprint.
  assert.equal(protectedHeader.kid, await jose.calculateJwkThumbprint(jwks.keys[0], "sha256"));
  const snapshot = JSON.parse(new TextDecoder().decode(payload));
  assert.equal(snapshot.schema, "promo-edge.snapshot/1");
  assert.equal(snapshot.version, 7);
  assert.equal(snapshot.channel, "web");

  // jose refuses it under another key, like the engine.
  const other = await jose.generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const otherJwk = { ...(await jose.exportJWK(other.publicKey)), kid: protectedHeader.kid };
  await assert.rejects(jose.compactVerify(bundle, jose.createLocalJWKSet({ keys: [otherJwk] })));
});

test("a bundle signed by jose loads in the engine", async (t) => {
  const dir = tempDir(t);
  // A valid snapshot: what publish builds, re-signed by jose with its own key.
  origin(["keygen", "--out", join(dir, "keys")]);
  origin(["publish", "--source", source, "--key", join(dir, "keys/signing-key.jwk.json"),
          "--out", join(dir, "bundle.jws"), "--now", NOW]);
  const published = readFileSync(join(dir, "bundle.jws"), "utf8").trim();
  const snapshot = JSON.parse(Buffer.from(published.split(".")[1], "base64url").toString("utf8"));
  snapshot.version = 42;

  const { publicKey, privateKey } = await jose.generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  jwk.kid = "jose-key-1";
  jwk.alg = "EdDSA";
  jwk.use = "sig";
  writeFileSync(join(dir, "jose-jwks.json"), JSON.stringify({ keys: [jwk] }));

  const jws = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(snapshot)))
    .setProtectedHeader({ alg: "EdDSA", kid: "jose-key-1" })
    .sign(privateKey);
  writeFileSync(join(dir, "jose.jws"), jws);

  const ok = verify(join(dir, "jose.jws"), join(dir, "jose-jwks.json"));
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal(ok.version, 42);
  assert.equal(ok.kid, "jose-key-1");
  assert.equal(ok.channel, "web");

  // Tampered payload, same signature: refused.
  const [h, , s] = jws.split(".");
  snapshot.version = 43;
  const tampered = [h, Buffer.from(JSON.stringify(snapshot)).toString("base64url"), s].join(".");
  writeFileSync(join(dir, "tampered.jws"), tampered);
  assert.equal(verify(join(dir, "tampered.jws"), join(dir, "jose-jwks.json")).code, "BUNDLE_SIGNATURE_INVALID");

  // Signed by jose but with a kid the engine does not trust: refused.
  writeFileSync(join(dir, "origin-jwks.json"), readFileSync(join(dir, "keys/jwks.json")));
  assert.equal(verify(join(dir, "jose.jws"), join(dir, "origin-jwks.json")).code, "BUNDLE_KEY_UNKNOWN");
});
