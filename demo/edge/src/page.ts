// The product page, with today's prices written in at the edge.
//
// The HTML is the storefront's own: it carries the shelf price of each
// product in `data-product-id` / `data-price` attributes and knows nothing
// about promotions. The worker streams it through HTMLRewriter and replaces
// each marked price with the strikethrough original, the promotional price
// and the promotion's banner. Here the template is an inline string; in a
// real deployment it is `fetch(request)` to the storefront's origin, and
// nothing else changes.
import { PromoError, formatMoney, type Currency, type ProductPrice, type PromoEngine } from "promo-edge";

export const PRODUCTS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Northwind Outfitters</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  ul { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; }
  li { border: 1px solid #ddd; border-radius: .5rem; padding: 1rem; }
  .was { color: #777; }
  .now { color: #b00020; font-weight: 700; }
  .badge { display: inline-block; background: #b00020; color: #fff; border-radius: .25rem; padding: 0 .4rem; font-size: .8rem; }
</style>
</head>
<body>
<h1>Northwind Outfitters</h1>
<ul>
  <li><h2>Storm rain jacket</h2><p class="price" data-product-id="prod_jacket_rain" data-price="12900">€129.00</p></li>
  <li><h2>Grid fleece</h2><p class="price" data-product-id="prod_fleece" data-price="6900">€69.00</p></li>
  <li><h2>House Blend beans 250 g</h2><p class="price" data-product-id="prod_coffee_house" data-price="1290">€12.90</p></li>
  <li><h2>Espresso Roast 500 g</h2><p class="price" data-product-id="prod_coffee_espresso" data-price="2490">€24.90</p></li>
  <li><h2>Stoneware mug</h2><p class="price" data-product-id="prod_mug_ceramic" data-price="1490">€14.90</p></li>
  <li><h2>Daypack 24 L</h2><p class="price" data-product-id="prod_backpack" data-price="8900">€89.00</p></li>
</ul>
</body>
</html>
`;

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Campaign names and banners are data from the origin: never trusted as markup. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Prices each marked element as it streams past. One engine call per
 * product: HTMLRewriter cannot look ahead, and pricing one product is a
 * synchronous call of well under a millisecond, so the page starts flowing
 * before its end has been read.
 */
export class PriceRewriter implements HTMLRewriterElementContentHandlers {
  constructor(
    private readonly engine: PromoEngine,
    private readonly currency: Currency,
    private readonly now: string,
  ) {}

  element(el: Element): void {
    const productId = el.getAttribute("data-product-id");
    const priceText = el.getAttribute("data-price");
    // A malformed attribute leaves the shelf price alone: a promotion
    // problem must never break the page.
    if (!productId || priceText === null || !/^\d{1,15}$/.test(priceText)) return;
    let priced: ProductPrice | undefined;
    try {
      priced = this.engine.priceProducts({ products: [{ product_id: productId, price: Number(priceText) }] }, this.now)
        .products[0];
    } catch (e) {
      if (e instanceof PromoError) return;
      throw e;
    }
    if (priced === undefined || priced.discounted_price >= priced.price) return;
    const promo = priced.applied[0];
    const badge = promo?.banner ?? promo?.name ?? "Sale";
    el.setAttribute("data-discounted-price", String(priced.discounted_price));
    el.setInnerContent(
      `<s class="was">${escapeHtml(formatMoney(priced.price, this.currency))}</s> ` +
        `<strong class="now">${escapeHtml(formatMoney(priced.discounted_price, this.currency))}</strong> ` +
        `<span class="badge">${escapeHtml(badge)}</span>`,
      { html: true },
    );
  }
}
