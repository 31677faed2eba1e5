// PromoSync against a real `promo-origin serve` (and a small stub/proxy for
// the bundles the origin would never serve): fetch as bytes, 304, load,
// persist the binary bundle, restore; offline cold start; refusals that
// change nothing; a record of the JSON-bundle era; 500 then 200 with
// bounded backoff and jitter.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import * as jose from "jose";
import { PromoEngine, PromoSync, MemoryStore, fromKeyValue, backoffDelay } from "../dist/node.js";
import { NOW, skip, makeEnv, startOrigin, httpServer, forward, reply, FileKV, fakeTimers } from "./support/origin.mjs";
import { splitBundle } from "./support/publish.mjs";

const b64u = (data) => Buffer.from(data).toString("base64url");
const concat = (...parts) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));

const now = () => new Date(NOW);
const cart = {
  redeemables: [{ object: "voucher", id: "ONCE" }],
  order: { items: [{ product_id: "prod_mug", quantity: 2, price: 1000 }] },
};

/**
 * A format-1 bundle (a JWS whose payload is snapshot JSON), signed by `jose`
 * with a key of its own that `jwks` (the origin's keys plus that one, kid
 * "old") trusts.
 */
async function formatOneBundle(env, version) {
  const { privateKey, publicKey } = await jose.generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwks = { keys: [...env.jwks.keys, { ...(await jose.exportJWK(publicKey)), kid: "old", use: "sig" }] };
  const payload = new TextEncoder().encode(JSON.stringify({ schema: "promo-edge.snapshot/1", version }));
  const jws = await new jose.CompactSign(payload).setProtectedHeader({ alg: "EdDSA", kid: "old" }).sign(privateKey);
  return { jws, jwks };
}

/** Resolves with the next `type` event's detail, or rejects after `ms`. */
function nextEvent(target, type, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms`)), ms);
    target.addEventListener(type, (e) => { clearTimeout(t); resolve(e.detail); }, { once: true });
  });
}

function record(sync) {
  const events = [];
  for (const type of ["update", "stale", "error"]) sync.addEventListener(type, (e) => events.push({ type, ...e.detail }));
  return events;
}

describe("PromoSync with a real origin", { skip }, () => {
  let env;
  let origin;
  before(async () => {
    env = makeEnv();
    origin = await startOrigin(env);
  });
  after(async () => {
    await origin?.stop();
    env?.cleanup();
  });

  test("fetch, 304 with If-None-Match, load, persist, restore; then an offline cold start serves the cached bundle", async () => {
    const kvPath = join(env.dir, "kv.json");
    const seen = [];
    const recordingFetch = async (url, init) => {
      const r = await fetch(url, init);
      seen.push({ inm: init.headers["if-none-match"] ?? null, status: r.status });
      return r;
    };
    const engine = await PromoEngine.init();
    const url = `${origin.url}/v1/bundles/web`;
    const sync = new PromoSync({ engine, url, jwks: env.jwks, store: fromKeyValue(new FileKV(kvPath)), now, fetch: recordingFetch });
    const events = record(sync);

    const first = await sync.refresh();
    assert.equal(first.kind, "updated");
    assert.equal(engine.status(NOW).version, first.version);
    assert.equal(engine.validate(cart, NOW).order.total_amount, 1500);
    assert.match(sync.etag, /^"/);
    assert.deepEqual(events.map((e) => [e.type, e.source]), [["update", "network"]]);

    const second = await sync.refresh();
    assert.deepEqual(second, { kind: "not-modified", version: first.version });
    assert.deepEqual(seen, [{ inm: null, status: 200 }, { inm: sync.etag, status: 304 }]);

    // The bundle is stored as the origin served it (bytes), the ETag beside it.
    const key = `promo-edge/bundle/${url}`;
    const served = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const kv = new FileKV(kvPath);
    assert.deepEqual(new Uint8Array(kv.get(key, "arrayBuffer")), served);
    assert.equal(typeof kv.raw(key).base64, "string", "kept as bytes, not text");
    assert.deepEqual(JSON.parse(kv.get(`${key}.meta`)), { etag: sync.etag, version: first.version });

    // A restart with the origin up: the stored bundle is restored (and verified) first.
    const engine2 = await PromoEngine.init();
    const seen2 = [];
    const sync2 = new PromoSync({ engine: engine2, url, jwks: env.jwks, store: fromKeyValue(new FileKV(kvPath)), now,
      fetch: async (u, init) => { const r = await fetch(u, init); seen2.push({ inm: init.headers["if-none-match"] ?? null, status: r.status }); return r; } });
    assert.equal(await sync2.restore(), first.version);
    assert.equal(sync2.etag, sync.etag);
    assert.equal(engine2.validate(cart, NOW).order.total_amount, 1500);
    assert.equal((await sync2.refresh()).kind, "not-modified");
    assert.deepEqual(seen2, [{ inm: sync.etag, status: 304 }], "the restored ETag is sent and answered 304");

    // Offline cold start: origin down, a new engine still evaluates from the store.
    await origin.stop();
    const engine3 = await PromoEngine.init();
    const timers = fakeTimers();
    const sync3 = new PromoSync({ engine: engine3, url, jwks: env.jwks, store: fromKeyValue(new FileKV(kvPath)), now, timers });
    const events3 = record(sync3);
    const outcome = await sync3.start();
    sync3.stop();
    assert.equal(outcome.kind, "failed");
    assert.equal(outcome.code, "NETWORK_ERROR");
    assert.equal(engine3.status(NOW).version, first.version);
    assert.equal(engine3.validate(cart, NOW).order.total_amount, 1500);
    assert.deepEqual(events3.map((e) => [e.type, e.source ?? e.code]), [["update", "store"], ["error", "NETWORK_ERROR"]]);
    for (const e of [engine, engine2, engine3]) e.free();
  });
});

describe("refused bundles change nothing", { skip }, () => {
  let env;
  let stub;
  let current = { body: new Uint8Array(0), etag: "" };
  before(async () => {
    env = makeEnv();
    stub = await httpServer((req, _body, res) => {
      if (req.headers["if-none-match"] === current.etag) return res.writeHead(304).end();
      res.writeHead(200, { "content-type": "application/vnd.promo-edge.bundle", etag: current.etag }).end(Buffer.from(current.body));
    });
  });
  after(async () => {
    await stub?.close();
    env?.cleanup();
  });

  test("tampered, swapped, corrupted, unknown kid, rollback, expired, outdated: the engine's code; the last good plan keeps serving", async () => {
    const good5 = env.publish({ version: 5 });
    const six = splitBundle(env.publish({ version: 6, name: "v6" }));
    const seven = splitBundle(env.publish({ version: 7, name: "v7" }));
    const [h, p, sig] = six.jws.split(".");
    const manifest = JSON.parse(Buffer.from(p, "base64url").toString());
    const tampered = `${h}.${b64u(JSON.stringify({ ...manifest, version: 60 }))}.${sig}`;
    const flipped = six.plan.slice();
    flipped[flipped.length >> 1] ^= 0x10;
    // A format-1 bundle: a JWS whose payload is snapshot JSON, signed by a trusted key.
    const { jws: v1, jwks } = await formatOneBundle(env, 8);
    const variants = [
      ["BUNDLE_SIGNATURE_INVALID", concat(tampered, "\n", six.plan)],
      ["BUNDLE_PLAN_MISMATCH", concat(six.jws, "\n", seven.plan)],
      ["BUNDLE_PLAN_MISMATCH", concat(six.jws, "\n", flipped)],
      ["BUNDLE_PLAN_MISMATCH", concat(six.jws, "\n", six.plan.subarray(0, 40))],
      ["BUNDLE_KEY_UNKNOWN", env.publish({ version: 9, key: "keys2", name: "stranger" })],
      ["SNAPSHOT_NOT_NEWER", env.publish({ version: 3, name: "older" })],
      ["SNAPSHOT_EXPIRED", env.publish({ version: 9, now: "2026-01-01T00:00:00Z", lifetime: "P1D", name: "expired" })],
      ["BUNDLE_FORMAT_OUTDATED", concat(v1)],
      ["BUNDLE_MALFORMED", concat("not a bundle")],
    ];
    const store = new MemoryStore();
    const engine = await PromoEngine.init();
    const sync = new PromoSync({ engine, url: `${stub.url}/v1/bundles/web`, jwks, store, now });
    current = { body: good5, etag: '"five"' };
    assert.equal((await sync.refresh()).kind, "updated");
    const key = `promo-edge/bundle/${stub.url}/v1/bundles/web`;
    const stored = await store.getBytes(key);
    assert.deepEqual(stored, good5);
    const meta = await store.get(`${key}.meta`);

    for (const [code, bundle] of variants) {
      current = { body: bundle, etag: `"${code}-${bundle.length}"` };
      const errors = [];
      const updates = [];
      sync.addEventListener("error", (e) => errors.push(e.detail.code));
      sync.addEventListener("update", () => updates.push(1));
      const outcome = await sync.refresh();
      assert.equal(outcome.kind, "refused", code);
      assert.equal(outcome.code, code);
      assert.deepEqual(errors.slice(-1), [code]);
      assert.equal(updates.length, 0);
      assert.equal(engine.status(NOW).version, 5, `${code}: engine unchanged`);
      assert.equal(sync.version, 5);
      assert.equal(sync.etag, '"five"');
      assert.deepEqual(await store.getBytes(key), stored, `${code}: store unchanged`);
      assert.equal(await store.get(`${key}.meta`), meta);
      assert.equal(engine.validate(cart, NOW).order.total_amount, 1500);
    }

    // The client is not stuck: the next good version loads.
    current = { body: env.publish({ version: 10, name: "v10" }), etag: '"ten"' };
    assert.deepEqual([(await sync.refresh()).kind, engine.status(NOW).version], ["updated", 10]);
    engine.free();
  });

  test("a bundle within its grace period loads and is reported stale", async () => {
    const engine = await PromoEngine.init();
    current = { body: env.publish({ version: 11, now: "2026-05-30T00:00:00Z", lifetime: "P1D", name: "graced" }), etag: '"graced"' };
    const sync = new PromoSync({ engine, url: `${stub.url}/b`, jwks: env.jwks, now, graceMs: 7 * 86_400_000 });
    const stale = nextEvent(sync, "stale");
    const outcome = await sync.refresh();
    assert.equal(outcome.kind, "updated");
    assert.equal(outcome.report.stale, true);
    assert.equal((await stale).version, 11);
    engine.free();
  });
});

describe("what the store holds at start", { skip }, () => {
  let env;
  let stub;
  let served;
  const seen = [];
  before(async () => {
    env = makeEnv();
    served = env.publish({ version: 4 });
    stub = await httpServer((req, _body, res) => {
      seen.push(req.headers["if-none-match"] ?? null);
      if (req.headers["if-none-match"] === '"four"') return res.writeHead(304).end();
      res.writeHead(200, { "content-type": "application/vnd.promo-edge.bundle", etag: '"four"' }).end(Buffer.from(served));
    });
  });
  after(async () => {
    await stub?.close();
    env?.cleanup();
  });
  const url = () => `${stub.url}/v1/bundles/web`;
  const key = () => `promo-edge/bundle/${url()}`;

  test("a record of the JSON-bundle era (here with a broken JWS) is refused at restore, then replaced by the network", async () => {
    const store = new MemoryStore();
    await store.put(key(), JSON.stringify({ bundle: "eyJhbGciOiJFZERTQSJ9.eyJ9.c2ln", etag: '"old"', version: 3 }));
    const engine = await PromoEngine.init();
    const sync = new PromoSync({ engine, url: url(), jwks: env.jwks, store, now, timers: fakeTimers() });
    const events = record(sync);
    seen.length = 0;
    const outcome = await sync.start();
    sync.stop();
    assert.equal(outcome.kind, "updated");
    assert.deepEqual(events.map((e) => [e.type, e.code ?? e.source, e.phase]),
      [["error", "BUNDLE_MALFORMED", "restore"], ["update", "network", undefined]]);
    assert.deepEqual(seen, [null], "no ETag from the old record");
    assert.deepEqual(await store.getBytes(key()), served);
    engine.free();
  });

  test("an old record whose JWS is a format-1 bundle is named BUNDLE_FORMAT_OUTDATED", async () => {
    const { jws, jwks } = await formatOneBundle(env, 3);
    const store = new MemoryStore();
    await store.put(key(), JSON.stringify({ bundle: jws, etag: '"old"', version: 3 }));
    const engine = await PromoEngine.init();
    const sync = new PromoSync({ engine, url: url(), jwks, store, now });
    const events = record(sync);
    assert.equal(await sync.restore(), null);
    assert.deepEqual(events.map((e) => [e.type, e.code, e.phase]), [["error", "BUNDLE_FORMAT_OUTDATED", "restore"]]);
    assert.equal(engine.status(NOW), null);
    engine.free();
  });

  test("a bundle file put under the store key by a deploy restores as is; with no meta the first fetch is unconditional", async () => {
    const store = new MemoryStore();
    await store.put(key(), served);
    const engine = await PromoEngine.init();
    const sync = new PromoSync({ engine, url: url(), jwks: env.jwks, store, now });
    assert.equal(await sync.restore(), 4);
    assert.equal(sync.etag, null);
    seen.length = 0;
    assert.deepEqual(await sync.refresh(), { kind: "not-modified", version: 4 }, "the same bytes: nothing to load");
    assert.deepEqual(seen, [null]);
    assert.equal(sync.etag, '"four"', "the ETag is learnt");
    engine.free();
  });

  test("an ETag recorded for another version (a crash between the two writes) is not sent", async () => {
    const store = new MemoryStore();
    await store.put(key(), served);
    await store.put(`${key()}.meta`, JSON.stringify({ etag: '"four"', version: 3 }));
    const engine = await PromoEngine.init();
    const sync = new PromoSync({ engine, url: url(), jwks: env.jwks, store, now });
    assert.equal(await sync.restore(), 4);
    assert.equal(sync.etag, null);
    // With the matching version it is used.
    await store.put(`${key()}.meta`, JSON.stringify({ etag: '"four"', version: 4 }));
    const engine2 = await PromoEngine.init();
    const sync2 = new PromoSync({ engine: engine2, url: url(), jwks: env.jwks, store, now });
    assert.equal(await sync2.restore(), 4);
    seen.length = 0;
    assert.equal((await sync2.refresh()).kind, "not-modified");
    assert.deepEqual(seen, ['"four"']);
    for (const e of [engine, engine2]) e.free();
  });

  test("a store without getBytes (the text-only interface) is refused at once", async () => {
    const engine = await PromoEngine.init();
    const textOnly = { get: async () => null, put: async () => undefined, delete: async () => undefined };
    assert.throws(() => new PromoSync({ engine, url: url(), jwks: env.jwks, store: textOnly }), (e) => e instanceof TypeError && /getBytes/.test(e.message));
    engine.free();
  });
});

describe("polling", { skip }, () => {
  test("origin answering 500 then 200: exponential backoff with jitter, then the normal interval", async () => {
    const env = makeEnv();
    const origin = await startOrigin(env);
    let failuresLeft = 2;
    const proxy = await httpServer(async (req, body, res) => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        return res.writeHead(500, { "content-type": "application/json" }).end('{"code":"INTERNAL","message":"boom"}');
      }
      reply(res, await forward(origin.url, req, body));
    });
    try {
      const engine = await PromoEngine.init();
      const timers = fakeTimers();
      const sync = new PromoSync({
        engine, url: `${proxy.url}/v1/bundles/web`, jwks: env.jwks, now, timers, random: () => 0.5,
        pollIntervalMs: 60_000, backoff: { baseMs: 100, maxMs: 1_000 }, requestTimeoutMs: 1_000_000,
      });
      const errors = record(sync);
      const first = await sync.start();
      assert.deepEqual([first.kind, first.code, first.status], ["failed", "HTTP_ERROR", 500]);
      const updated = nextEvent(sync, "update");
      // Each fire runs the scheduled poll (request timeouts are left alone).
      let bounded = 0;
      while (engine.status(NOW) === null && bounded++ < 10) {
        assert.equal(timers.fireAll(1_000_000), 1, "exactly one poll scheduled");
        await new Promise((r) => setTimeout(r, 200));
      }
      await updated;
      const polls = timers.delays.filter((d) => d < 1_000_000);
      // failure 1 → ~100 ms, failure 2 → ~200 ms (equal jitter at 0.5), success → 60 s ± 10 %.
      assert.deepEqual(polls, [backoffDelay(0, { baseMs: 100, maxMs: 1_000 }, () => 0.5), backoffDelay(1, { baseMs: 100, maxMs: 1_000 }, () => 0.5), 60_000]);
      assert.ok(polls[0] >= 50 && polls[0] <= 100 && polls[1] >= 100 && polls[1] <= 200, String(polls));
      assert.deepEqual(errors.filter((e) => e.type === "error").map((e) => e.status), [500, 500]);
      assert.equal(sync.failures, 0);
      sync.stop();
      assert.equal(timers.size, 0, "stop clears the poll timer");
      engine.free();
    } finally {
      await proxy.close();
      await origin.stop();
      env.cleanup();
    }
  });
});

test("backoff is bounded, never zero, and jittered", () => {
  const opts = { baseMs: 100, maxMs: 5_000 };
  for (let attempt = 0; attempt < 60; attempt += 1) {
    for (const r of [0, 0.3, 0.999999, 1, -1, Number.NaN]) {
      const d = backoffDelay(attempt, opts, () => r);
      assert.ok(Number.isInteger(d) && d >= 1 && d <= 5_000, `${attempt} ${r} → ${d}`);
    }
  }
  assert.ok(backoffDelay(10, opts, () => 0) < backoffDelay(10, opts, () => 0.99));
  assert.equal(backoffDelay(0, opts, () => 0), 50);
  assert.equal(backoffDelay(3, opts, () => 0), 400);
});
