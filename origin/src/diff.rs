//! Where the origin's answer differs from the one a client computed
//! locally, and why.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// One difference.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Difference {
    /// Where, e.g. `order.total_amount`, `redeemables[SUMMER-1].status`.
    pub path: String,
    /// The client's value.
    pub client: Value,
    /// The origin's value.
    pub origin: Value,
    /// Why, as a snake_case key: the origin's error or skip key for a
    /// status (`quantity_exceeded`, …), else `redeemable_status_differs`,
    /// `live_balance_differs`, `snapshot_version_differs`,
    /// `calculation_differs`.
    pub reason: String,
}

const ORDER_FIELDS: [&str; 9] = [
    "amount",
    "initial_amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "applied_discount_amount",
    "items_applied_discount_amount",
    "total_applied_discount_amount",
];

/// Per requested id: the first entry found in `redeemables`,
/// `inapplicable_redeemables` and `skipped_redeemables`.
fn entries(v: &Value) -> BTreeMap<String, &Value> {
    let mut out = BTreeMap::new();
    for list in [
        "redeemables",
        "inapplicable_redeemables",
        "skipped_redeemables",
    ] {
        for r in v.get(list).and_then(Value::as_array).into_iter().flatten() {
            if let Some(id) = r.get("id").and_then(Value::as_str) {
                out.entry(id.to_string()).or_insert(r);
            }
        }
    }
    out
}

fn reason_of(entry: &Value) -> String {
    let result = entry.get("result");
    result
        .and_then(|r| r.get("error"))
        .and_then(|e| e.get("key"))
        .or_else(|| {
            result
                .and_then(|r| r.get("details"))
                .and_then(|d| d.get("key"))
        })
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| "applicable_at_origin".into())
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

/// Compares a client's expected result with the origin's response (both as
/// JSON). Only what the client sent is compared.
pub fn differences(
    expected: Option<&Value>,
    origin: &Value,
    client_version: Option<u64>,
    origin_version: u64,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let version_differs = client_version.is_some_and(|v| v != origin_version);
    if let Some(v) = client_version.filter(|_| version_differs) {
        out.push(Difference {
            path: "snapshot_version".into(),
            client: v.into(),
            origin: origin_version.into(),
            reason: "snapshot_version_differs".into(),
        });
    }
    let Some(expected) = expected else {
        return out;
    };
    let theirs = entries(expected);
    let ours = entries(origin);
    let mut status_differs = false;
    let mut balance_differs = false;
    for (id, client) in &theirs {
        let Some(client_status) = client.get("status") else {
            continue;
        };
        let origin_entry = ours.get(id);
        let origin_status = origin_entry
            .and_then(|e| e.get("status"))
            .cloned()
            .unwrap_or(Value::Null);
        if *client_status != origin_status {
            status_differs = true;
            out.push(Difference {
                path: format!("redeemables[{id}].status"),
                client: client_status.clone(),
                origin: origin_status,
                reason: origin_entry
                    .map(|e| reason_of(e))
                    .unwrap_or_else(|| "not_in_origin_result".into()),
            });
            continue;
        }
        let Some(origin_entry) = origin_entry else {
            continue;
        };
        for (path, reason) in [
            (&["result", "gift", "credits"][..], "live_balance_differs"),
            (
                &["result", "loyalty_card", "points"][..],
                "live_balance_differs",
            ),
            (
                &["order", "total_applied_discount_amount"][..],
                "calculation_differs",
            ),
        ] {
            if let Some(c) = at(client, path) {
                let o = at(origin_entry, path).cloned().unwrap_or(Value::Null);
                if *c != o {
                    balance_differs |= reason == "live_balance_differs";
                    out.push(Difference {
                        path: format!("redeemables[{id}].{}", path.join(".")),
                        client: c.clone(),
                        origin: o,
                        reason: reason.into(),
                    });
                }
            }
        }
    }
    let general = if status_differs {
        "redeemable_status_differs"
    } else if balance_differs {
        "live_balance_differs"
    } else if version_differs {
        "snapshot_version_differs"
    } else {
        "calculation_differs"
    };
    if let (Some(c), o) = (expected.get("valid"), origin.get("valid")) {
        let o = o.cloned().unwrap_or(Value::Null);
        if *c != o {
            out.push(Difference {
                path: "valid".into(),
                client: c.clone(),
                origin: o,
                reason: general.into(),
            });
        }
    }
    for field in ORDER_FIELDS {
        if let Some(c) = at(expected, &["order", field]) {
            let o = at(origin, &["order", field])
                .cloned()
                .unwrap_or(Value::Null);
            if *c != o {
                out.push(Difference {
                    path: format!("order.{field}"),
                    client: c.clone(),
                    origin: o,
                    reason: general.into(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_used_up_code_is_explained() {
        let client = json!({"valid": true,
            "redeemables": [{"id": "ONCE", "status": "APPLICABLE"}],
            "order": {"total_amount": 900, "total_discount_amount": 100}});
        let origin = json!({"valid": false, "redeemables": [],
            "inapplicable_redeemables": [{"id": "ONCE", "status": "INAPPLICABLE",
               "result": {"error": {"key": "quantity_exceeded"}}}],
            "order": {"total_amount": 1000, "total_discount_amount": 0}});
        let d = differences(Some(&client), &origin, Some(3), 3);
        assert_eq!(d.len(), 4, "{d:?}");
        assert_eq!(d[0].path, "redeemables[ONCE].status");
        assert_eq!(d[0].reason, "quantity_exceeded");
        assert_eq!(d[1].path, "valid");
        assert_eq!(d[3].path, "order.total_amount");
        assert_eq!(d[2].reason, "redeemable_status_differs");
        assert!(differences(Some(&origin), &origin, Some(3), 3).is_empty());
        assert_eq!(
            differences(None, &origin, Some(2), 3)[0].reason,
            "snapshot_version_differs"
        );
    }
}
