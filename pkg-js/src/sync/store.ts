// @ts-self-types="./store.d.ts"
// Where the sync client keeps the last good bundle (bytes) and the outbox
// keeps its redemptions (JSON text): a tiny key-value interface with four
// implementations.
//
// A value is bytes or text, and text is its UTF-8: whatever was put can be
// read either way (`get` decodes, `getBytes` encodes). That is how Workers
// KV, the Cache API and files behave, so an adapter never has to remember
// which kind it stored, and a bundle written into KV by a deploy script
// (`wrangler kv key put --path web.bundle`) is read back as it is.

/** A durable key-value store of text and bytes. Every method returns a promise. */
export interface SyncStore {
  /** The value as text (bytes are decoded as UTF-8), or `null` when absent. */
  get(key: string): Promise<string | null>;
  /** The value as bytes (text is encoded as UTF-8), or `null` when absent. */
  getBytes(key: string): Promise<Uint8Array | null>;
  put(key: string, value: string | Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Anything with get/put/delete, such as a Cloudflare Workers KV binding or a
 * Map-like wrapper. `get(key)` should give text and `get(key, "arrayBuffer")`
 * bytes (KV's own signature); a store that ignores the second argument and
 * returns what was put also works.
 */
export interface KeyValueLike {
  get(key: string, type?: "arrayBuffer"): unknown;
  put(key: string, value: string | ArrayBuffer | Uint8Array): unknown;
  delete(key: string): unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `value` as text, if it is text or bytes; `undefined` otherwise. */
function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const bytes = asBytes(value);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

/** `value` as a fresh Uint8Array, if it is bytes or text; `undefined` otherwise. */
function asBytes(value: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (typeof value === "string") return encoder.encode(value);
  // Copies: a caller mutating what it got (or put) must not change the store.
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) {
    const copy = new Uint8Array(value.byteLength);
    copy.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return copy;
  }
  return undefined;
}

/** In memory: lost with the process. The default when nothing durable exists. */
export class MemoryStore implements SyncStore {
  readonly #map = new Map<string, string | Uint8Array>();

  async get(key: string): Promise<string | null> {
    const v = this.#map.get(key);
    return v === undefined ? null : (asText(v) ?? null);
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    const v = this.#map.get(key);
    return v === undefined ? null : (asBytes(v) ?? null);
  }

  async put(key: string, value: string | Uint8Array): Promise<void> {
    this.#map.set(key, typeof value === "string" ? value : (asBytes(value) ?? value));
  }

  async delete(key: string): Promise<void> {
    this.#map.delete(key);
  }
}

/**
 * Adapts a user object with `get/put/delete` — for example a Workers KV
 * namespace (`env.PROMO_KV`) — to a {@link SyncStore}. `get` may return
 * text, an `ArrayBuffer` or a typed array, `null`/`undefined`, or a promise
 * of one; other values are refused with a `TypeError`. `prefix` namespaces
 * the keys.
 */
export function fromKeyValue(target: KeyValueLike, prefix = ""): SyncStore {
  const refuse = (key: string, value: unknown): never => {
    throw new TypeError(`store returned a ${typeof value} for ${prefix + key}, not text or bytes`);
  };
  return {
    async get(key) {
      const value: unknown = await target.get(prefix + key);
      if (value === null || value === undefined) return null;
      return asText(value) ?? refuse(key, value);
    },
    async getBytes(key) {
      const value: unknown = await target.get(prefix + key, "arrayBuffer");
      if (value === null || value === undefined) return null;
      return asBytes(value) ?? refuse(key, value);
    },
    async put(key, value) {
      await target.put(prefix + key, value);
    },
    async delete(key) {
      await target.delete(prefix + key);
    },
  };
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

/**
 * IndexedDB (browsers, service workers): one object store `kv` in database
 * `name`. Each write is its own transaction, resolved once durable
 * (`durability: "strict"` where supported).
 */
export class IndexedDBStore implements SyncStore {
  readonly name: string;
  #db: Promise<IDBDatabase> | undefined;

  constructor(name = "promo-edge") {
    this.name = name;
  }

  /** Whether this realm has IndexedDB. */
  static available(): boolean {
    return typeof globalThis.indexedDB !== "undefined";
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = globalThis.indexedDB.open(this.name, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains("kv")) req.result.createObjectStore("kv");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error(`cannot open IndexedDB ${this.name}`));
      req.onblocked = () => reject(new Error(`IndexedDB ${this.name} is blocked by another connection`));
    }).catch((e: unknown) => {
      this.#db = undefined;
      throw e;
    });
    return this.#db;
  }

  async #write(run: (store: IDBObjectStore) => void): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction("kv", "readwrite", { durability: "strict" });
    run(tx.objectStore("kv"));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB write failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB write aborted"));
    });
  }

  async #read(key: string): Promise<unknown> {
    const db = await this.#open();
    return request(db.transaction("kv", "readonly").objectStore("kv").get(key));
  }

  async get(key: string): Promise<string | null> {
    return asText(await this.#read(key)) ?? null;
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    return asBytes(await this.#read(key)) ?? null;
  }

  /** Text is stored as a string, bytes as a `Uint8Array` (structured clone keeps both as they are). */
  put(key: string, value: string | Uint8Array): Promise<void> {
    const stored = typeof value === "string" ? value : (asBytes(value) ?? value);
    return this.#write((s) => s.put(stored, key));
  }

  delete(key: string): Promise<void> {
    return this.#write((s) => s.delete(key));
  }

  /** Closes the connection (a later call reopens it). */
  close(): void {
    void this.#db?.then((db) => db.close(), () => undefined);
    this.#db = undefined;
  }
}

/**
 * The Cache API (browsers, service workers, Deno): each key is a synthetic
 * request in cache `name`, its value the response body. Handy when a service
 * worker already manages caches; IndexedDB is the better default for the outbox.
 */
export class CacheStore implements SyncStore {
  readonly name: string;

  constructor(name = "promo-edge") {
    this.name = name;
  }

  /** Whether this realm has the Cache API. */
  static available(): boolean {
    return typeof globalThis.caches !== "undefined";
  }

  #url(key: string): string {
    return `https://promo-edge.invalid/kv/${encodeURIComponent(key)}`;
  }

  async #match(key: string): Promise<Response | undefined> {
    const cache = await globalThis.caches.open(this.name);
    return cache.match(this.#url(key));
  }

  async get(key: string): Promise<string | null> {
    const hit = await this.#match(key);
    return hit ? await hit.text() : null;
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    const hit = await this.#match(key);
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  }

  async put(key: string, value: string | Uint8Array): Promise<void> {
    const cache = await globalThis.caches.open(this.name);
    // The body is the value's bytes either way; the type is only for a person looking in DevTools.
    const body = typeof value === "string" ? value : (asBytes(value) ?? null);
    const type = typeof value === "string" ? "text/plain; charset=utf-8" : "application/octet-stream";
    await cache.put(this.#url(key), new Response(body, { headers: { "content-type": type } }));
  }

  async delete(key: string): Promise<void> {
    const cache = await globalThis.caches.open(this.name);
    await cache.delete(this.#url(key));
  }
}

/** IndexedDB where it exists, else memory (Node, workers without a binding). */
export function defaultStore(name = "promo-edge"): SyncStore {
  return IndexedDBStore.available() ? new IndexedDBStore(name) : new MemoryStore();
}
