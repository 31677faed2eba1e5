//! The client SDK's `validate` sends its request in the query string, in
//! `qs` bracket notation with every value a string: `code=…`,
//! `item[0][product_id]=…&item[0][quantity]=2`, `amount=…`,
//! `metadata[k]=…`, `order[metadata][k]=…`, `customer[source_id]=…`,
//! `customer[metadata][k]=…`, `tracking_id=…`. This turns it into the
//! JSON context the server routes take.

use serde_json::{Map, Value};

use crate::api_error::ApiError;

/// Most query parameters read (a bound on work per request).
const MAX_PARAMS: usize = 2_000;
/// Most items (`item[i]`) a query may name.
const MAX_ITEMS: usize = 500;
/// Item fields that are integers (minor units or counts).
const INTEGER_FIELDS: [&str; 3] = ["quantity", "price", "amount"];

fn bad(message: String) -> ApiError {
    ApiError::new(400, "INVALID_QUERY_PARAMS", message)
}

/// `a[b][c]` → `["a", "b", "c"]`.
fn path(key: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = key.split_once('[').map_or((key, ""), |(h, r)| (h, r));
    let mut out = vec![head];
    while !rest.is_empty() {
        let (seg, after) = rest.split_once(']')?;
        out.push(seg);
        rest = after.strip_prefix('[').unwrap_or(after);
        if !after.is_empty() && !after.starts_with('[') {
            return None;
        }
    }
    Some(out)
}

fn integer(name: &str, text: &str) -> Result<Value, ApiError> {
    text.trim().parse::<i64>().map(Value::from).map_err(|_| {
        bad(format!(
            "`{name}` must be an integer (minor units or a count)"
        ))
    })
}

fn set(map: &mut Map<String, Value>, keys: &[&str], value: Value) {
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut cur = map;
    for k in parents {
        let entry = cur
            .entry((*k).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else { return };
        cur = next;
    }
    cur.insert((*last).to_string(), value);
}

/// The validation context of a client `validate` query.
pub fn context(query: &str) -> Result<Value, ApiError> {
    let mut ctx = Map::new();
    let mut items: Vec<Map<String, Value>> = Vec::new();
    for (n, (key, value)) in form_urlencoded::parse(query.as_bytes()).enumerate() {
        if n >= MAX_PARAMS {
            return Err(bad(format!("more than {MAX_PARAMS} query parameters")));
        }
        let keys = path(&key).ok_or_else(|| bad(format!("`{key}` is not a parameter name")))?;
        match keys.as_slice() {
            ["item", index, field] => {
                let i: usize = index
                    .parse()
                    .ok()
                    .filter(|i| *i < MAX_ITEMS)
                    .ok_or_else(|| bad(format!("`{key}`: item index must be below {MAX_ITEMS}")))?;
                if items.len() <= i {
                    items.resize_with(i + 1, Map::new);
                }
                let v = if INTEGER_FIELDS.contains(field) {
                    integer(&key, &value)?
                } else {
                    Value::String(value.into_owned())
                };
                if let Some(item) = items.get_mut(i) {
                    item.insert((*field).to_string(), v);
                }
            }
            ["amount"] => set(&mut ctx, &["order", "amount"], integer("amount", &value)?),
            ["order", "metadata", k] => set(
                &mut ctx,
                &["order", "metadata", k],
                value.into_owned().into(),
            ),
            ["metadata", k] => set(&mut ctx, &["metadata", k], value.into_owned().into()),
            ["customer", "metadata", k] => set(
                &mut ctx,
                &["customer", "metadata", k],
                value.into_owned().into(),
            ),
            ["customer", field] => set(&mut ctx, &["customer", field], value.into_owned().into()),
            [name @ ("code" | "tracking_id" | "session_type" | "session_key" | "session_ttl"
            | "session_ttl_unit")] => {
                set(&mut ctx, &[name], value.into_owned().into());
            }
            _ => return Err(bad(format!("`{key}` is not a parameter of validate"))),
        }
    }
    if !items.is_empty() {
        let items: Vec<Value> = items.into_iter().map(Value::Object).collect();
        set(&mut ctx, &["order", "items"], Value::Array(items));
    }
    Ok(Value::Object(ctx))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn the_sdk_query_becomes_a_context() {
        let q = "code=WELCOME&item%5B0%5D%5Bproduct_id%5D=prod_mug&item%5B0%5D%5Bquantity%5D=2\
                 &item%5B1%5D%5Bproduct_id%5D=prod_tee&item%5B1%5D%5Bprice%5D=2500\
                 &customer%5Bsource_id%5D=c1&customer%5Bmetadata%5D%5Btier%5D=gold\
                 &order%5Bmetadata%5D%5Bnote%5D=a+b&metadata%5Bch%5D=web";
        assert_eq!(
            context(q).unwrap(),
            json!({
                "code": "WELCOME",
                "customer": {"source_id": "c1", "metadata": {"tier": "gold"}},
                "order": {
                    "metadata": {"note": "a b"},
                    "items": [{"product_id": "prod_mug", "quantity": 2}, {"product_id": "prod_tee", "price": 2500}],
                },
                "metadata": {"ch": "web"},
            })
        );
    }

    #[test]
    fn bad_queries_are_coded() {
        for q in [
            "item%5B0%5D%5Bquantity%5D=two",
            "item%5B9999%5D%5Bquantity%5D=1",
            "nope=1",
            "amount=1.5",
            "a%5Bb=1",
        ] {
            assert_eq!(context(q).unwrap_err().code, "INVALID_QUERY_PARAMS", "{q}");
        }
    }
}
