// Plans and bundles for the tests, made the way users make them: the real
// `promo-origin` binary compiles a campaign source (project.json +
// campaigns/*.json) and signs it. The wasm has no compiler, so this is the
// only way a test gets a plan for a source of its own (the spec vectors
// come with theirs in the native dump).
//
// `make test-wasm-js` and `make test-sync` build the binary first
// (`make origin-build`); PROMO_ORIGIN_BIN overrides where it is.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./dump.mjs";

export const BIN = process.env.PROMO_ORIGIN_BIN ?? join(REPO_ROOT, "target/debug/promo-origin");

/** Runs `promo-origin ARGS`; returns stdout. Fails with its stderr. */
export function origin(args, options = {}) {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`make origin-build\` (the wasm cannot compile campaigns)`);
  try {
    return execFileSync(BIN, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000, ...options });
  } catch (e) {
    throw new Error(`promo-origin ${args.join(" ")} failed: ${e.stderr ?? e.message}`);
  }
}

/** Writes a campaign source directory: `project` as project.json, `campaigns` as campaigns/c.json. */
export function writeSource(dir, { project, campaigns = [] }) {
  mkdirSync(join(dir, "campaigns"), { recursive: true });
  writeFileSync(join(dir, "project.json"), JSON.stringify(project));
  writeFileSync(join(dir, "campaigns/c.json"), JSON.stringify({ campaigns }));
  return dir;
}

/** A bundle's two parts: the JWS line (text) and the plan (bytes). */
export function splitBundle(bytes) {
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) throw new Error("not a promo-edge.bundle/2: no newline after the JWS");
  return { jws: Buffer.from(bytes.subarray(0, nl)).toString("utf8"), plan: new Uint8Array(bytes.subarray(nl + 1)) };
}

/**
 * A temp dir with a signing key (`keys/`) and a stranger's (`keys2/`).
 * `publish(source, opts)` compiles and signs `source` ({project, campaigns})
 * and returns the bundle's bytes; `plan(source, opts)` returns only its plan.
 */
export function makePublisher() {
  const dir = mkdtempSync(join(tmpdir(), "promo-publish-"));
  origin(["keygen", "--out", join(dir, "keys")]);
  origin(["keygen", "--out", join(dir, "keys2")]);
  let n = 0;
  const publisher = {
    dir,
    jwks: JSON.parse(readFileSync(join(dir, "keys/jwks.json"), "utf8")),
    strangerJwks: JSON.parse(readFileSync(join(dir, "keys2/jwks.json"), "utf8")),
    /** The signing key's private JWK (for tests that sign manifests themselves). */
    privateJwk: JSON.parse(readFileSync(join(dir, "keys/signing-key.jwk.json"), "utf8")),
    /**
     * `promo-origin publish`; `source` is {project, campaigns} or a
     * directory. Each call has its own state file, so any version may be
     * published in any order (rollbacks included).
     */
    publish(source, { version = 1, now = "2026-01-01T00:00:00Z", lifetime = "P365D", key = "keys" } = {}) {
      n += 1;
      const src = typeof source === "string" ? source : writeSource(join(dir, `src-${n}`), source);
      const out = join(dir, `bundle-${n}.bin`);
      origin(["publish", "--source", src, "--key", join(dir, key, "signing-key.jwk.json"), "--out", out,
        "--version", String(version), "--now", now, "--lifetime", lifetime, "--state", join(dir, `state-${n}.json`)]);
      return new Uint8Array(readFileSync(out));
    },
    plan(source, options) {
      return splitBundle(publisher.publish(source, options)).plan;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return publisher;
}
