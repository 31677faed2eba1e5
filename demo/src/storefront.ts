// The storefront: state, engine calls (prices; the cart preview through
// `promo-edge/voucherify`, the official SDK's calls answered locally;
// checkout through the outbox) and rendering.
import {
  formatMoney,
  type PromoEngine,
  type PromoSync,
  type RedemptionOutbox,
  type EngineStatus,
  type Nudge,
  type OrderItemInput,
  type OutboxItem,
  type PricingResponse,
  type ProductPrice,
  type RedeemableRef,
  type RedeemableResult,
  type RedemptionSettlement,
  type PromotionTierInfo,
  type ValidationRequest,
  type ValidationResponse,
} from "promo-edge";
import type { PromoVoucherify, ValidationsValidateStackableParams } from "promo-edge/voucherify";
import {
  CART_KEY,
  CUSTOMERS,
  ORDERS_KEY,
  POINTS_REWARD,
  isCart,
  isOrders,
  loadJson,
  type CartState,
  type Catalog,
  type CatalogProduct,
  type Config,
  type DemoCustomer,
  type OrderRecord,
} from "./data.js";
import { byId, h, initials, nudgeAmount } from "./dom.js";

/** What a cart preview asks the engine to spell out (`options.expand`). */
export const PREVIEW_EXPAND = ["order", "redeemable"] as const;

export interface Preview {
  request: ValidationRequest;
  response: ValidationResponse;
}

declare global {
  interface Window {
    __ready?: boolean | string;
    __demo?: {
      pending: () => Promise<OutboxItem[]>;
      settled: RedemptionSettlement[];
      preview: () => Promise<Preview | null>;
      prices: () => PricingResponse | null;
    };
  }
}

export class Storefront {
  readonly settled: RedemptionSettlement[] = [];
  #cart: CartState;
  #orders: OrderRecord[];
  #prices: PricingResponse | null = null;
  #preview: Preview | null = null;
  /** Counts preview runs, so that only the latest one is shown. */
  #previewRun = 0;
  #tiers: PromotionTierInfo[] = [];
  #pending = 0;
  #syncNote = "";
  #timeZone = "UTC";

  constructor(
    readonly engine: PromoEngine,
    readonly catalog: Catalog,
    readonly config: Config,
    readonly sync: PromoSync,
    readonly outbox: RedemptionOutbox,
    readonly voucherify: PromoVoucherify,
  ) {
    this.#cart = loadJson(CART_KEY, { lines: [], codes: [], customer: "guest", points: 0 }, isCart);
    this.#orders = loadJson(ORDERS_KEY, [], isOrders);
  }

  now(): Date {
    return this.config.now ? new Date(this.config.now) : new Date();
  }

  money(minor: number): string {
    return formatMoney(minor, this.catalog.currency);
  }

  product(id: string | undefined): CatalogProduct | undefined {
    return this.catalog.products.find((p) => p.id === id);
  }

  customer(): DemoCustomer {
    return CUSTOMERS.find((c) => c.id === this.#cart.customer) ?? CUSTOMERS[0] ?? { id: "guest", label: "Guest", customer: {} };
  }

  saveCart(): void {
    localStorage.setItem(CART_KEY, JSON.stringify(this.#cart));
  }

  saveOrders(): void {
    localStorage.setItem(ORDERS_KEY, JSON.stringify(this.#orders));
  }

  /** A (newer) verified bundle is held: its automatic promotions go with every cart preview. */
  onSnapshot(): void {
    const status = this.status();
    if (status) {
      this.#tiers = this.engine.promotionTiers();
      this.#timeZone = status.time_zone;
    }
    this.render();
  }

  // --- engine calls -------------------------------------------------------

  status(): EngineStatus | null {
    return this.engine.status(this.now());
  }

  price(): PricingResponse | null {
    if (!this.status()) return null;
    return this.engine.priceProducts(
      { products: this.catalog.products.map((p) => ({ key: p.id, product_id: p.id })), customer: this.customer().customer },
      this.now(),
    );
  }

  request(): ValidationRequest {
    const c = this.customer();
    const redeemables: RedeemableRef[] = [
      ...this.#tiers.map((t): RedeemableRef => ({ object: "promotion_tier", id: t.id })),
      ...this.#cart.codes.map((code): RedeemableRef => ({ object: "voucher", id: code })),
    ];
    if (c.card && this.#cart.points > 0) {
      redeemables.push({ object: "voucher", id: c.card, reward: { id: POINTS_REWARD, points: this.#cart.points } });
    }
    const items: OrderItemInput[] = this.#cart.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity }));
    if (items.length > 0) items.push({ product_id: this.catalog.shipping_product, quantity: 1 });
    // The cart shows per-line discounts (the order's items), each applied
    // redeemable's own contribution (its order snapshot) and tier names and
    // campaigns (the redeemable's details): Voucherify's expansions, which a
    // lean answer leaves out.
    return { redeemables, order: { items }, customer: c.customer, options: { expand: [...PREVIEW_EXPAND] } };
  }

  /**
   * The cart preview, asked as a storefront written against Voucherify asks
   * it: `validations.validateStackable`. The answer is the engine's as it is;
   * its declared type is the SDK's, which does not name what this cart also
   * shows (nudges, counters assumed), hence the engine's type here.
   */
  async validate(): Promise<Preview | null> {
    if (!this.status() || this.#cart.lines.length === 0) return null;
    const request = this.request();
    const params: ValidationsValidateStackableParams = {
      redeemables: request.redeemables ?? [],
      order: request.order,
      customer: request.customer,
      options: { expand: [...PREVIEW_EXPAND] },
    };
    const answer = await this.voucherify.validations.validateStackable(params);
    return { request, response: answer as unknown as ValidationResponse };
  }

  // --- actions ------------------------------------------------------------

  add(productId: string): void {
    const line = this.#cart.lines.find((l) => l.product_id === productId);
    if (line) line.quantity += 1;
    else this.#cart.lines.push({ product_id: productId, quantity: 1 });
    this.saveCart();
    this.render();
  }

  setQuantity(productId: string, quantity: number): void {
    this.#cart.lines = this.#cart.lines
      .map((l) => (l.product_id === productId ? { ...l, quantity } : l))
      .filter((l) => l.quantity > 0);
    this.saveCart();
    this.render();
  }

  addCode(raw: string): void {
    const code = raw.trim().toUpperCase();
    if (code === "" || this.#cart.codes.includes(code)) return;
    this.#cart.codes.push(code);
    this.saveCart();
    this.render();
  }

  removeCode(code: string): void {
    this.#cart.codes = this.#cart.codes.filter((c) => c !== code);
    this.saveCart();
    this.render();
  }

  setCustomer(id: string): void {
    this.#cart.customer = id;
    this.#cart.points = 0;
    this.saveCart();
    this.render();
  }

  setPoints(points: number): void {
    this.#cart.points = Number.isSafeInteger(points) && points > 0 ? points : 0;
    this.saveCart();
    this.render();
  }

  async checkout(): Promise<void> {
    const preview = await this.validate();
    if (!preview) return;
    // Redeem what applies: the automatic promotions and codes the preview
    // accepted (an inapplicable or skipped one is not sent).
    const applicable = new Set(preview.response.redeemables.map((r) => r.id));
    const request: ValidationRequest = {
      ...preview.request,
      redeemables: (preview.request.redeemables ?? []).filter((r) => applicable.has(r.id)),
    };
    const { key } = await this.outbox.enqueue(request, { now: this.now() });
    this.#orders.unshift({
      key,
      placed_at: this.now().toISOString(),
      total: preview.response.order.total_amount,
      status: "QUEUED",
      detail: navigator.onLine ? "sending…" : "offline: queued, sent when the network is back",
    });
    this.saveOrders();
    this.#cart = { ...this.#cart, lines: [], codes: [], points: 0 };
    this.saveCart();
    await this.refreshPending();
    this.render();
    void this.flushAndCount();
  }

  onSettled(s: RedemptionSettlement): void {
    this.settled.push(s);
    let order = this.#orders.find((o) => o.key === s.key);
    if (!order) {
      order = { key: s.key, placed_at: this.now().toISOString(), total: 0, status: "QUEUED" };
      this.#orders.unshift(order);
    }
    if (s.ok) {
      order.status = s.redemption.status;
      order.redemption_id = s.redemption.id;
      order.total = s.redemption.result.order.total_amount;
      order.detail =
        s.differences.length === 0
          ? "the origin agrees with the preview"
          : s.differences.map((d) => `${d.path}: ${JSON.stringify(d.client)} → ${JSON.stringify(d.origin)} (${d.reason})`).join("; ");
    } else {
      order.status = "REFUSED";
      order.detail = `${s.status} ${s.error.code}: ${s.error.message}`;
    }
    this.saveOrders();
    this.render();
    // The outbox removes the item right after this event; a flush call joins
    // the running one and resolves once it has.
    void this.flushAndCount();
  }

  async flushAndCount(): Promise<void> {
    await this.outbox.flush();
    await this.refreshPending();
    this.render();
  }

  async refreshPending(): Promise<void> {
    this.#pending = (await this.outbox.pending()).length;
  }

  setSyncNote(text: string): void {
    this.#syncNote = text;
    this.renderHeader();
  }

  // --- rendering ----------------------------------------------------------

  render(): void {
    this.#prices = this.price();
    this.renderHeader();
    this.renderCatalog();
    this.renderOrders();
    void this.refreshPreview();
  }

  /** Previews the cart and shows it (a later render's preview wins). */
  async refreshPreview(): Promise<void> {
    const run = ++this.#previewRun;
    let preview: Preview | null;
    try {
      preview = await this.validate();
    } catch (e) {
      console.warn("cart preview failed", e);
      preview = null;
    }
    if (run !== this.#previewRun) return;
    this.#preview = preview;
    this.renderCart();
  }

  renderHeader(): void {
    const online = navigator.onLine;
    const status = this.status();
    const indicator = h("span", { class: `pill ${online ? "ok" : "off"}`, "data-testid": "online", "data-online": String(online) }, online ? "● online" : "○ offline");
    let bundle: HTMLElement;
    if (status) {
      const ageMin = Math.max(0, Math.floor((this.now().getTime() - Date.parse(status.issued_at)) / 60_000));
      const age = ageMin < 1 ? "just now" : ageMin < 120 ? `${ageMin} min ago` : `${Math.floor(ageMin / 60)} h ago`;
      bundle = h(
        "span",
        { class: `pill ${status.stale ? "off" : ""}`, "data-testid": "bundle", "data-version": String(status.version) },
        `prices v${status.version} · published ${age}${status.stale ? " · STALE" : ""}`,
      );
    } else {
      bundle = h("span", { class: "pill off", "data-testid": "bundle" }, "no prices yet");
    }
    const outbox = h("span", { class: "pill", "data-testid": "outbox", "data-pending": String(this.#pending) }, `outbox: ${this.#pending} pending`);
    const select = h("select", { "data-testid": "customer", "aria-label": "Customer" });
    for (const c of CUSTOMERS) {
      const opt = h("option", { value: c.id }, c.label);
      if (c.id === this.#cart.customer) opt.selected = true;
      select.append(opt);
    }
    select.addEventListener("change", () => this.setCustomer(select.value));
    byId("status").replaceChildren(indicator, bundle, outbox, this.#syncNote ? h("span", { class: "pill note" }, this.#syncNote) : "", select);
  }

  priceOf(id: string): ProductPrice | undefined {
    return this.#prices?.products.find((p) => p.key === id);
  }

  renderCatalog(): void {
    const root = byId("catalog");
    const sections: HTMLElement[] = [];
    for (const col of this.catalog.collections) {
      const cards = this.catalog.products
        .filter((p) => p.collection === col.key)
        .map((p) => {
          const pp = this.priceOf(p.id);
          const now = pp ? pp.discounted_price : p.price;
          const was = pp && pp.discounted_price < pp.price ? pp.price : null;
          const badges = (pp?.applied ?? []).map((a) => h("span", { class: "badge", "data-testid": "badge" }, a.banner ?? a.name ?? a.id));
          const button = h("button", { type: "button", "data-testid": "add" }, "Add to cart");
          button.addEventListener("click", () => this.add(p.id));
          return h(
            "article",
            { class: "card", "data-product": p.id, "data-price": String(now), "data-was": was === null ? undefined : String(was) },
            h("div", { class: `swatch ${p.collection}`, "aria-hidden": "true" }, initials(p.name)),
            h("h3", {}, p.name),
            h("div", { class: "badges" }, ...badges),
            h(
              "p",
              { class: "price" },
              h("span", { class: was === null ? "now" : "now sale", "data-testid": "price" }, this.money(now)),
              was === null ? null : h("s", { class: "was", "data-testid": "was" }, this.money(was)),
            ),
            button,
          );
        });
      sections.push(h("section", { class: "collection", "data-collection": col.id }, h("h2", {}, col.name), h("div", { class: "grid" }, ...cards)));
    }
    root.replaceChildren(...sections);
  }

  redeemableLabel(r: RedeemableResult): string {
    if (r.object === "promotion_tier") return r.name ?? this.#tiers.find((t) => t.id === r.id)?.name ?? r.id;
    return r.id;
  }

  nudgeText(n: Nudge): string {
    switch (n.type) {
      case "ADD_AMOUNT":
        return `add ${this.money(n.amount)} more`;
      case "ADD_ITEMS":
        return `add ${n.items
          .map((i) => `${i.quantity} × ${this.catalog.collections.find((c) => c.id === i.id)?.name ?? this.product(i.id)?.name ?? i.id}`)
          .join(" and ")}`;
      case "ADD_LINES":
        return `add ${n.count} more product${n.count === 1 ? "" : "s"}`;
      case "WAIT_UNTIL": {
        // In the shop's zone (where happy hours are defined), not the device's.
        const at = new Date(n.at).toLocaleString("en-GB", { timeZone: this.#timeZone, weekday: "short", hour: "2-digit", minute: "2-digit" });
        return `come back ${at} (${this.#timeZone} time)`;
      }
    }
  }

  contribution(r: RedeemableResult): number {
    return r.order?.total_applied_discount_amount ?? 0;
  }

  renderCart(): void {
    const root = byId("cart");
    const preview = this.#preview;
    if (this.#cart.lines.length === 0 || !preview) {
      root.replaceChildren(
        h("h2", {}, "Cart"),
        h("p", { class: "muted", "data-testid": "cart-empty" }, this.status() ? "Your cart is empty." : "Waiting for prices…"),
        this.codeForm(),
      );
      return;
    }
    const res = preview.response;
    const order = res.order;

    // Present: the preview asks for `expand: ["order"]` (PREVIEW_EXPAND).
    const lines = (order.items ?? []).map((item, i) => {
      const p = this.product(item.product_id);
      const editable = i < this.#cart.lines.length;
      const qty = editable
        ? (() => {
            const minus = h("button", { type: "button", "aria-label": "one less" }, "−");
            const plus = h("button", { type: "button", "aria-label": "one more" }, "+");
            const pid = item.product_id ?? "";
            minus.addEventListener("click", () => this.setQuantity(pid, item.quantity - 1));
            plus.addEventListener("click", () => this.setQuantity(pid, item.quantity + 1));
            return h("span", { class: "qty" }, minus, h("span", { "data-testid": "qty" }, String(item.quantity)), plus);
          })()
        : h("span", { class: "qty" }, String(item.quantity));
      return h(
        "tr",
        { "data-line": item.product_id, "data-amount": String(item.amount), "data-discount": String(item.discount_amount), "data-subtotal": String(item.subtotal_amount) },
        h("td", {}, item.product_id === this.catalog.shipping_product ? this.catalog.shipping_name : (p?.name ?? item.product_id ?? "")),
        h("td", {}, qty),
        h("td", { class: "num" }, this.money(item.price)),
        h("td", { class: "num discount" }, item.discount_amount > 0 ? `−${this.money(item.discount_amount)}` : ""),
        h("td", { class: "num" }, this.money(item.subtotal_amount)),
      );
    });
    const table = h(
      "table",
      { class: "lines" },
      h("thead", {}, h("tr", {}, h("th", {}, "Item"), h("th", {}, "Qty"), h("th", { class: "num" }, "Price"), h("th", { class: "num" }, "Discount"), h("th", { class: "num" }, "Subtotal"))),
      h("tbody", {}, ...lines),
    );

    // Applied redeemables with their own contribution.
    const applied = res.redeemables.map((r) =>
      h(
        "li",
        { "data-applied": r.id },
        h("span", {}, this.redeemableLabel(r)),
        r.result.gift ? h("span", { class: "muted" }, ` gift card: ${this.money(r.result.gift.credits)} used, ${this.money(r.result.gift.balance)} left`) : null,
        r.result.loyalty_card ? h("span", { class: "muted" }, ` ${r.result.loyalty_card.points} points used, ${r.result.loyalty_card.balance} left`) : null,
        h("span", { class: "num discount" }, `−${this.money(this.contribution(r))}`),
      ),
    );

    // Nudges from automatic promotions that do not apply yet: the nearest
    // step of each campaign (a tier ladder lists its next tier only).
    const seen = new Set<string>();
    const nudges = res.inapplicable_redeemables
      .filter((r) => r.object === "promotion_tier" && (r.nudges?.length ?? 0) > 0)
      .sort((a, b) => nudgeAmount(a) - nudgeAmount(b))
      .filter((r) => {
        const campaign = r.campaign_id ?? r.id;
        if (seen.has(campaign)) return false;
        seen.add(campaign);
        return true;
      })
      .map((r) => h("li", { "data-nudge": r.id }, `${(r.nudges ?? []).map((n) => this.nudgeText(n)).join(" and ")} for `, h("strong", {}, this.redeemableLabel(r))));

    const totals = h(
      "dl",
      { class: "totals" },
      h("dt", {}, "Subtotal"),
      h("dd", { "data-testid": "subtotal", "data-amount": String(order.amount) }, this.money(order.amount)),
      h("dt", {}, "Discounts"),
      h("dd", { "data-testid": "discount", "data-amount": String(order.total_discount_amount) }, `−${this.money(order.total_discount_amount)}`),
      h("dt", { class: "total" }, "Total"),
      h("dd", { class: "total", "data-testid": "total", "data-amount": String(order.total_amount) }, this.money(order.total_amount)),
    );

    const earned = (res.earned_points ?? []).reduce((sum, e) => sum + e.points, 0);
    const c = this.customer();
    const loyalty = h(
      "div",
      { class: "loyalty", "data-testid": "loyalty", "data-earned": String(earned) },
      h("h3", {}, "Trail Club"),
      c.card
        ? h("p", {}, `${c.label}: this order earns `, h("strong", {}, `${earned} points`), ".")
        : h("p", {}, `Members would earn `, h("strong", {}, `${earned} points`), " with this order (choose Anna or Ben above)."),
      c.card ? this.pointsForm(res) : null,
    );

    const checkout = h("button", { type: "button", class: "primary", "data-testid": "checkout" }, `Checkout · ${this.money(order.total_amount)}`);
    checkout.addEventListener("click", () => {
      checkout.disabled = true;
      void this.checkout();
    });

    root.replaceChildren(
      h("h2", {}, "Cart"),
      table,
      this.codeForm(res),
      applied.length ? h("div", {}, h("h3", {}, "Applied"), h("ul", { class: "applied" }, ...applied)) : "",
      nudges.length ? h("div", {}, h("h3", {}, "Almost there"), h("ul", { class: "nudges" }, ...nudges)) : "",
      totals,
      loyalty,
      checkout,
    );
  }

  pointsForm(res: ValidationResponse): HTMLElement {
    const c = this.customer();
    const input = h("input", { type: "number", min: "0", step: "100", value: String(this.#cart.points), "data-testid": "points", "aria-label": "Points to use" });
    input.addEventListener("change", () => this.setPoints(Number.parseInt(input.value, 10)));
    const card = [...res.redeemables, ...res.inapplicable_redeemables, ...res.skipped_redeemables].find((r) => r.id === c.card);
    const why = card && card.status !== "APPLICABLE" ? h("span", { class: "reason" }, ` ${card.result.error?.error?.message ?? card.result.error?.message ?? card.result.details?.message ?? ""}`) : null;
    return h("label", { class: "points" }, "Pay with points (100 points = €5.00): ", input, why);
  }

  codeForm(res?: ValidationResponse): HTMLElement {
    const input = h("input", { type: "text", placeholder: "Coupon, gift card or referral code", "data-testid": "code-input", "aria-label": "Code" });
    const form = h("form", { class: "code-form" }, input, h("button", { type: "submit", "data-testid": "code-apply" }, "Apply"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.addCode(input.value);
    });
    const rows = this.#cart.codes.map((code) => {
      const all = res ? [...res.redeemables, ...res.inapplicable_redeemables, ...res.skipped_redeemables] : [];
      const r = all.find((x) => x.id === code);
      const status = r?.status ?? "PENDING";
      let reason = "";
      if (r?.status === "APPLICABLE") reason = `−${this.money(this.contribution(r))}`;
      else if (r?.status === "INAPPLICABLE") {
        const e = r.result.error;
        reason = `${e?.error?.message ?? e?.message ?? "not applicable"} (${e?.key ?? "?"})`;
        if (r.nudges?.length) reason += ` — ${r.nudges.map((n) => this.nudgeText(n)).join(" and ")}`;
      } else if (r?.status === "SKIPPED") reason = `${r.result.details?.message ?? "skipped"} (${r.result.details?.key ?? "?"})`;
      const remove = h("button", { type: "button", class: "link", "aria-label": `remove ${code}` }, "×");
      remove.addEventListener("click", () => this.removeCode(code));
      return h(
        "li",
        { "data-code": code, "data-status": status },
        h("code", {}, code),
        h("span", { class: `chip ${status.toLowerCase()}` }, status === "APPLICABLE" ? "applied" : status.toLowerCase()),
        h("span", { class: "reason", "data-testid": "code-reason" }, reason),
        remove,
      );
    });
    return h("div", { class: "codes" }, form, rows.length ? h("ul", {}, ...rows) : "");
  }

  renderOrders(): void {
    const root = byId("orders");
    if (this.#orders.length === 0) {
      root.replaceChildren();
      return;
    }
    root.replaceChildren(
      h("h2", {}, "Orders"),
      h(
        "ul",
        {},
        ...this.#orders.slice(0, 8).map((o) =>
          h(
            "li",
            { "data-order-key": o.key, "data-status": o.status, "data-redemption-id": o.redemption_id },
            h("span", { class: `chip ${o.status.toLowerCase()}` }, o.status),
            ` ${this.money(o.total)} `,
            o.redemption_id ? h("code", {}, o.redemption_id) : h("code", {}, `key ${o.key.slice(0, 8)}…`),
            o.detail ? h("div", { class: "muted" }, o.detail) : null,
          ),
        ),
      ),
    );
  }
}
