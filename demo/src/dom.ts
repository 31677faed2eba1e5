// DOM helpers: element construction and small view formatting.
import type { RedeemableResult } from "promo-edge";

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** "Grid fleece" → "GF": the product's monogram on its swatch. */
export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((w) => /^[A-Za-z]/.test(w))
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join("");
}

/** Sorts nudges: the smallest amount to add first; others keep their order. */
export function nudgeAmount(r: RedeemableResult): number {
  const n = r.nudges?.find((x) => x.type === "ADD_AMOUNT");
  return n?.type === "ADD_AMOUNT" ? n.amount : Number.MAX_SAFE_INTEGER;
}

export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el;
}
