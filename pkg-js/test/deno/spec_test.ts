// The npm package in Deno: the default init() (Deno's fetch reads file:
// URLs), the typed API, and every spec vector vs expected and vs native bytes.
import { PromoEngine, PromoError, type ValidationResponse } from "../../dist/index.js";
// @ts-types="./spec.d.ts"
import { compare, expectedReport, fromBase64Url, nativeReport, runDump, summary } from "../support/spec.mjs";

const dumpPath = Deno.env.get("PROMO_SPEC_DUMP") ?? new URL("../../../target/promo-edge-spec/native.json", import.meta.url).pathname;

function assert(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

Deno.test("init() fetches the .wasm next to the glue", async () => {
  const engine = await PromoEngine.init();
  assert(engine.status() === null, "a fresh engine holds no snapshot");
  try {
    engine.validate({}, "2026-01-01T00:00:00Z");
    assert(false, "expected NO_SNAPSHOT");
  } catch (e) {
    assert(e instanceof PromoError && e.code === "NO_SNAPSHOT", `unexpected ${e}`);
  }
  engine.free();
});

Deno.test("a plan loads; a corrupted one is refused with its code and details", async () => {
  const dump = JSON.parse(await Deno.readTextFile(dumpPath));
  const plan = fromBase64Url(dump.files[0].plan);
  const engine = await PromoEngine.init();
  const flipped = plan.slice();
  flipped[flipped.length - 1] ^= 0x01;
  try {
    engine.loadPlan(flipped);
    assert(false, "expected PLAN_CHECKSUM_MISMATCH");
  } catch (e) {
    assert(e instanceof PromoError && e.code === "PLAN_CHECKSUM_MISMATCH", `unexpected ${e}`);
    assert(JSON.stringify(e.details) === "{}" && e.message.includes("checksum"), e.message);
  }
  assert(engine.status() === null, "a refused plan changes nothing");
  const report = engine.loadPlan(plan.buffer as ArrayBuffer);
  assert(report.version === engine.status(dump.files[0].cases[0].now)?.version, "loaded");
  engine.free();
});

Deno.test("spec vectors through the wasm build in Deno", async (t) => {
  const dump = JSON.parse(await Deno.readTextFile(dumpPath));
  const onDisk: string[] = [];
  for await (const e of Deno.readDir(new URL("../../../tests/spec/", import.meta.url))) {
    if (e.name.endsWith(".json")) onDisk.push(e.name);
  }
  onDisk.sort();
  const inDump = dump.files.map((f: { name: string }) => f.name);
  assert(JSON.stringify(onDisk) === JSON.stringify(inDump), `stale spec dump ${dumpPath}`);
  const outputs = await runDump(() => PromoEngine.init(), dump);
  const result = compare(dump, outputs);
  console.log(summary(result));
  assert(result.ran + result.nativeOnly === result.count && result.ran > 0, "every case with a plan ran");
  const first: ValidationResponse | { error: string } = JSON.parse(outputs[0][0] ?? "null");
  assert(typeof first === "object", "outputs are JSON");
  await t.step("byte-for-byte equal to the native engine", () => {
    assert(result.notNative.length === 0, nativeReport(result));
  });
  await t.step("match expected", () => {
    assert(result.notExpected.length === 0, expectedReport(result));
  });
});
