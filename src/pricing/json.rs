//! The pricing answer as JSON text, written directly: exactly the bytes
//! serde would write for [`PricingResponse`] (a test holds them equal),
//! without a serializer call per field name. A page of 1,000 products is
//! half a megabyte of JSON; writing it is most of the call.

use super::{PriceSource, PricingResponse, ProductPrice};
use crate::money::Money;
use crate::time::Rfc3339;

/// The last `valid_until` written and its JSON text: a page's products
/// mostly share one (the end of the promotions or the plan).
#[derive(Default)]
struct LastInstant {
    at: Option<Rfc3339>,
    text: String,
}

impl LastInstant {
    fn write(&mut self, at: Rfc3339, out: &mut String) {
        if self.at != Some(at) {
            self.text.clear();
            at.write_json(&mut self.text);
            self.at = Some(at);
        }
        out.push_str(&self.text);
    }
}

/// Appends the JSON text of `response` to `out`.
pub fn write(response: &PricingResponse<'_>, out: &mut String) {
    out.push_str("{\"products\":[");
    let mut last = LastInstant::default();
    let mut sources = SourceTexts::default();
    for (i, p) in response.products.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        product(p, &mut last, &mut sources, out);
    }
    out.push_str("],\"snapshot_version\":");
    out.push_str(itoa::Buffer::new().format(response.snapshot_version));
    out.push('}');
}

fn product(
    p: &ProductPrice<'_>,
    last: &mut LastInstant,
    sources: &mut SourceTexts,
    out: &mut String,
) {
    out.push_str("{\"key\":");
    string(&p.key, out);
    money(",\"price\":", p.price, out);
    out.push_str(",\"quantity\":");
    out.push_str(itoa::Buffer::new().format(p.quantity));
    money(",\"amount\":", p.amount, out);
    money(",\"discounted_amount\":", p.discounted_amount, out);
    money(",\"discounted_price\":", p.discounted_price, out);
    money(",\"discount_amount\":", p.discount_amount, out);
    out.push_str(",\"applied\":[");
    for (i, s) in p.applied.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        sources.write(s, out);
    }
    out.push_str("],\"valid_until\":");
    last.write(p.valid_until, out);
    out.push('}');
}

/// Each promotion's text up to its discount, by plan position: a page's
/// thousands of applied promotions come from a few dozen, and everything
/// but the amount is the same each time within one answer.
#[derive(Default)]
struct SourceTexts {
    texts: Vec<Option<String>>,
}

impl SourceTexts {
    fn write(&mut self, s: &PriceSource<'_>, out: &mut String) {
        if self.texts.len() <= s.position {
            self.texts.resize(s.position + 1, None);
        }
        let head = || {
            let mut text = String::new();
            source_head(s, &mut text);
            text
        };
        match self.texts.get_mut(s.position) {
            Some(slot) => out.push_str(slot.get_or_insert_with(head)),
            // Not reached: the vector was just grown to hold the position.
            None => source_head(s, out),
        }
        money(",\"discount_amount\":", s.discount_amount, out);
        out.push('}');
    }
}

/// A promotion's object up to (not including) its discount.
fn source_head(s: &PriceSource<'_>, out: &mut String) {
    out.push_str("{\"id\":");
    string(s.id, out);
    // `voucher` or `promotion_tier`: nothing to escape.
    out.push_str(",\"object\":\"");
    out.push_str(s.object);
    out.push('"');
    let optional: [(&str, Option<&str>); 3] = [
        (",\"name\":", s.name),
        (",\"banner\":", s.banner),
        (",\"campaign_id\":", s.campaign_id),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            out.push_str(name);
            string(v, out);
        }
    }
}

fn money(name: &str, m: Money, out: &mut String) {
    out.push_str(name);
    out.push_str(itoa::Buffer::new().format(m.0));
}

/// A JSON string: copied when nothing in it needs escaping, else escaped by serde_json.
fn string(s: &str, out: &mut String) {
    // One pass without branches: the common id needs no escaping.
    let plain = !s.bytes().fold(false, |bad, b| {
        bad | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}
