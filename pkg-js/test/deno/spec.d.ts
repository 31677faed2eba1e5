// Types of ../support/spec.mjs for the Deno test's type-check.
export interface SpecCase {
  output: string;
  snapshot?: string;
  /** The case's own snapshot's plan (base64url), `null` when the compiler refused it. */
  plan?: string | null;
  request: string;
  now: string;
  expected: unknown;
  description: string;
}
export interface SpecDump {
  files: { name: string; snapshot: string; plan: string | null; cases: SpecCase[] }[];
}
export interface Comparison {
  count: number;
  ran: number;
  nativeOnly: number;
  notNative: string[];
  notExpected: string[];
}
export function fromBase64Url(text: string): Uint8Array;
export function runDump(newEngine: () => unknown, dump: SpecDump): Promise<(string | null)[][]>;
export function compare(dump: SpecDump, outputs: (string | null)[][]): Comparison;
export function summary(result: Comparison): string;
export function expectedReport(result: Comparison): string;
export function nativeReport(result: Comparison): string;
