// A storefront's use of the installed package, bundled by Vite or esbuild.
import { PromoEngine, PromoError } from "promo-edge";

const snapshot = {
  schema: "promo-edge.snapshot/1",
  version: 1,
  issued_at: "2026-01-01T00:00:00Z",
  expires_at: "2027-01-01T00:00:00Z",
  currency: { code: "USD", exponent: 2 },
  time_zone: { name: "UTC", offsets: [{ offset_seconds: 0 }] },
  campaigns: [
    {
      id: "camp_1",
      campaign_type: "DISCOUNT_COUPONS",
      voucher: { discount: { type: "AMOUNT", amount_off: 250 } },
      vouchers: [{ code: "TAKE250" }],
    },
  ],
};

export async function run() {
  const engine = await PromoEngine.init();
  engine.load(snapshot);
  const res = engine.validate(
    { redeemables: [{ object: "voucher", id: "TAKE250" }], order: { items: [{ product_id: "p", price: 1000, quantity: 2 }] } },
    "2026-06-01T00:00:00Z",
  );
  let code = "";
  try {
    engine.validate({}, "never");
  } catch (e) {
    code = e instanceof PromoError ? e.code : String(e);
  }
  return `${res.valid} ${res.order.total_amount} ${code}`;
}

if (typeof window !== "undefined") {
  run().then(
    (r) => (window.__ready = r),
    (e) => (window.__ready = `error: ${e}`),
  );
}
