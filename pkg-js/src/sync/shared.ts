// @ts-self-types="./shared.d.ts"
// Pieces shared by the sync client and the redemption outbox: injectable
// timers and randomness (so tests drive time), bounded exponential backoff
// with jitter, and a small typed EventTarget.

/** The timer functions the sync module uses; pass fakes in tests. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The global timers. */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Exponential backoff: attempt n waits about `min(maxMs, baseMs × 2^n)`. */
export interface BackoffOptions {
  /** The first retry's delay (default 1 s). */
  baseMs?: number;
  /** The ceiling (default 5 min). */
  maxMs?: number;
}

/**
 * The delay before retry number `attempt` (0-based): "equal jitter" — half
 * the capped exponential delay plus a random part of the other half, so
 * clients spread out but never retry at once. `random` returns [0, 1).
 * Always an integer number of milliseconds in `[1, maxMs]`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const base = Math.max(1, Math.floor(options.baseMs ?? 1_000));
  const max = Math.max(base, Math.floor(options.maxMs ?? 300_000));
  // 2^30 × base is far past any ceiling; clamping the exponent keeps it finite.
  const capped = Math.min(max, base * 2 ** Math.min(Math.max(0, Math.floor(attempt)), 30));
  const half = Math.floor(capped / 2);
  const r = unit(random);
  return Math.max(1, half + Math.floor(r * (capped - half + 1)));
}

/** `random()` clamped to [0, 1); a broken source (NaN, out of range) cannot break a delay. */
export function unit(random: () => number): number {
  const r = random();
  return Number.isFinite(r) ? Math.min(Math.max(r, 0), 0.999_999) : 0;
}

/** An event carrying `detail` (Node, browsers and workers all have `Event`). */
export class SyncEvent<T> extends Event {
  readonly detail: T;
  constructor(type: string, detail: T) {
    super(type);
    this.detail = detail;
  }
}

/** An EventTarget whose `addEventListener` knows each event's detail type. */
export class TypedEventTarget<M extends Record<string, unknown>> extends EventTarget {
  /** Dispatches a {@link SyncEvent}. */
  protected emit<K extends keyof M & string>(type: K, detail: M[K]): void {
    this.dispatchEvent(new SyncEvent<M[K]>(type, detail));
  }

  on<K extends keyof M & string>(type: K, listener: (event: SyncEvent<M[K]>) => void): () => void {
    const wrapped = (event: Event): void => listener(event as SyncEvent<M[K]>);
    this.addEventListener(type, wrapped);
    return () => this.removeEventListener(type, wrapped);
  }
}

/** A message from anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
