// @ts-self-types="./store.d.ts"
// Where the sync client keeps the last good bundle and the outbox keeps its
// redemptions: a tiny string key-value interface with four implementations.

/** A durable string key-value store. Every method may be async. */
export interface SyncStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Anything with get/put/delete, such as a Cloudflare Workers KV binding or a Map-like wrapper. */
export interface KeyValueLike {
  get(key: string): unknown;
  put(key: string, value: string): unknown;
  delete(key: string): unknown;
}

/** In memory: lost with the process. The default when nothing durable exists. */
export class MemoryStore implements SyncStore {
  readonly #map = new Map<string, string>();

  async get(key: string): Promise<string | null> {
    return this.#map.get(key) ?? null;
  }

  async put(key: string, value: string): Promise<void> {
    this.#map.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.#map.delete(key);
  }
}

/**
 * Adapts a user object with `get/put/delete` — for example a Workers KV
 * namespace (`env.PROMO_KV`) — to a {@link SyncStore}. `get` may return a
 * string, `null`/`undefined`, or a promise of one; other values are refused.
 * `prefix` namespaces the keys.
 */
export function fromKeyValue(target: KeyValueLike, prefix = ""): SyncStore {
  return {
    async get(key) {
      const value: unknown = await target.get(prefix + key);
      if (value === null || value === undefined) return null;
      if (typeof value !== "string") throw new TypeError(`store returned a ${typeof value} for ${prefix + key}, not a string`);
      return value;
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

  async get(key: string): Promise<string | null> {
    const db = await this.#open();
    const value: unknown = await request(db.transaction("kv", "readonly").objectStore("kv").get(key));
    return typeof value === "string" ? value : null;
  }

  put(key: string, value: string): Promise<void> {
    return this.#write((s) => s.put(value, key));
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

  async get(key: string): Promise<string | null> {
    const cache = await globalThis.caches.open(this.name);
    const hit = await cache.match(this.#url(key));
    return hit ? await hit.text() : null;
  }

  async put(key: string, value: string): Promise<void> {
    const cache = await globalThis.caches.open(this.name);
    await cache.put(this.#url(key), new Response(value, { headers: { "content-type": "text/plain; charset=utf-8" } }));
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
