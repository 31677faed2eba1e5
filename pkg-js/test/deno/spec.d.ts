// Types of ../support/spec.mjs for the Deno test's type-check.
export interface SpecDump {
  files: { name: string; snapshot: string; cases: { output: string; snapshot?: string; request: string; now: string; expected: unknown; description: string }[] }[];
}
export interface Comparison {
  count: number;
  notNative: string[];
  notExpected: string[];
}
export function runDump(newEngine: () => unknown, dump: SpecDump): Promise<string[][]>;
export function compare(dump: SpecDump, outputs: string[][]): Comparison;
export function expectedReport(result: Comparison): string;
export function nativeReport(result: Comparison): string;
