// The workload's coupon eligibility rules, translated into json-rules-engine
// rules, and the facts of a cart for them. Used by wasm-bench.mjs to compare
// json-rules-engine with the wasm engine's validate on the same carts.
//
// The generated coupon rules (benches/workload/mod.rs) have the form
//   1: order.amount $more_than_or_equal [X]
//   2: order.items.any $is [product P] with order.items.quantity >= 1
//   3: customer.segment $in [seg_vip, seg_new]
//   logic: "1 and (2 or 3)"
// Anything else throws: the comparison must not silently drop a condition.
import { Engine } from "json-rules-engine";

function condition(rule) {
  const cond = rule.conditions ?? {};
  switch (rule.name) {
    case "order.amount": {
      const [x] = cond.$more_than_or_equal ?? [];
      if (typeof x !== "number") throw new Error(`untranslated order.amount rule ${JSON.stringify(rule)}`);
      return { fact: "amount", operator: "greaterThanInclusive", value: x };
    }
    case "order.items.any": {
      const targets = cond.$is ?? [];
      if (targets.length !== 1 || targets[0].object !== "product") {
        throw new Error(`untranslated order.items.any rule ${JSON.stringify(rule)}`);
      }
      const nested = Object.values(rule.rules ?? {});
      const min = nested.length === 0 ? 1 : nested[0].conditions?.$more_than_or_equal?.[0];
      if (nested.length > 1 || nested[0]?.name !== "order.items.quantity" || typeof min !== "number") {
        throw new Error(`untranslated nested item rule ${JSON.stringify(rule)}`);
      }
      // Quantity of that product in the cart (a JSONPath into the quantities fact).
      return { fact: "quantities", path: `$.${targets[0].id}`, operator: "greaterThanInclusive", value: min };
    }
    case "customer.segment": {
      const segs = cond.$in;
      if (!Array.isArray(segs)) throw new Error(`untranslated customer.segment rule ${JSON.stringify(rule)}`);
      // The customer is in any of these segments.
      return { any: segs.map((s) => ({ fact: "segments", operator: "contains", value: s })) };
    }
    default:
      throw new Error(`untranslated rule ${rule.name}`);
  }
}

// "1 and (2 or 3)" -> { all: [c1, { any: [c2, c3] }] }
function logic(text, conds) {
  const tokens = text.match(/\(|\)|and|or|\d+/gi) ?? [];
  let i = 0;
  function primary() {
    const t = tokens[i++];
    if (t === "(") {
      const e = expr();
      if (tokens[i++] !== ")") throw new Error(`unbalanced logic ${text}`);
      return e;
    }
    const c = conds[t];
    if (!c) throw new Error(`logic ${text} names no rule ${t}`);
    return c;
  }
  function term() {
    const parts = [primary()];
    while (tokens[i]?.toLowerCase() === "and") {
      i++;
      parts.push(primary());
    }
    return parts.length === 1 ? parts[0] : { all: parts };
  }
  function expr() {
    const parts = [term()];
    while (tokens[i]?.toLowerCase() === "or") {
      i++;
      parts.push(term());
    }
    return parts.length === 1 ? parts[0] : { any: parts };
  }
  const e = expr();
  if (i !== tokens.length) throw new Error(`trailing logic in ${text}`);
  // json-rules-engine wants an all/any at the top.
  return e.all || e.any ? e : { all: [e] };
}

export function translateRule(rules) {
  const conds = {};
  for (const [k, r] of Object.entries(rules)) if (k !== "logic") conds[k] = condition(r);
  const text = rules.logic ?? Object.keys(conds).join(" and ");
  return logic(text, conds);
}

/** Coupon code -> json-rules-engine conditions, for every coupon with order rules. */
export function couponRules(snapshot) {
  const byId = new Map(snapshot.validation_rules.map((v) => [v.id, v]));
  const out = new Map();
  for (const c of snapshot.campaigns) {
    if (c.campaign_type !== "DISCOUNT_COUPONS" || !c.vouchers) continue;
    const ruleSets = (c.validation_rule_ids ?? []).map((id) => byId.get(id)).filter((v) => v?.rules);
    if (ruleSets.length === 0) continue;
    const conditions = ruleSets.length === 1 ? translateRule(ruleSets[0].rules) : { all: ruleSets.map((v) => translateRule(v.rules)) };
    for (const v of c.vouchers) out.set(v.code, conditions);
  }
  return out;
}

function newEngine() {
  // Unknown paths (a product not in the cart) are simply false.
  return new Engine([], { allowUndefinedFacts: true });
}

/**
 * An evaluator over the snapshot's coupon rules: `eligible(cart)` returns the
 * cart's codes whose rules hold (what validate decides for order rules), and
 * `all(cart)` the codes of every coupon whose rules hold.
 */
export function evaluator(snapshot) {
  const rules = couponRules(snapshot);
  const prices = new Map(snapshot.products.map((p) => [p.id, p.price]));
  const perCode = new Map();
  const everything = newEngine();
  for (const [code, conditions] of rules) {
    const e = newEngine();
    e.addRule({ conditions, event: { type: code } });
    perCode.set(code, e);
    everything.addRule({ conditions, event: { type: code } });
  }
  // Facts of a cart: the order amount at catalog prices, quantity per product, segments.
  function facts(cart) {
    let amount = 0;
    const quantities = {};
    for (const it of cart.order.items) {
      const q = it.quantity ?? 1;
      amount += (it.price ?? prices.get(it.product_id) ?? 0) * q;
      quantities[it.product_id] = (quantities[it.product_id] ?? 0) + q;
    }
    return { amount, quantities, segments: cart.customer?.segments ?? [] };
  }
  return {
    size: rules.size,
    async eligible(cart) {
      const f = facts(cart);
      const ok = [];
      for (const r of cart.redeemables ?? []) {
        const e = perCode.get(r.id);
        if (!e) continue;
        const { events } = await e.run(f);
        if (events.length > 0) ok.push(r.id);
      }
      return ok;
    },
    async all(cart) {
      const { events } = await everything.run(facts(cart));
      return events.map((e) => e.type);
    },
    codesWithRules: new Set(rules.keys()),
  };
}
