// The npm package in Deno: the default init() (Deno's fetch reads file:
// URLs), the typed API, and every spec vector vs expected and vs native bytes.
import { PromoEngine, PromoError, type ValidationResponse } from "../../dist/index.js";
// @ts-types="./spec.d.ts"
import { compare, expectedReport, nativeReport, runDump } from "../support/spec.mjs";

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
  console.log(`${result.count} spec cases`);
  const first: ValidationResponse | { error: string } = JSON.parse(outputs[0][0]);
  assert(typeof first === "object", "outputs are JSON");
  await t.step("byte-for-byte equal to the native engine", () => {
    assert(result.notNative.length === 0, nativeReport(result));
  });
  await t.step("match expected", () => {
    assert(result.notExpected.length === 0, expectedReport(result));
  });
});
