//! Where the origin's answer differs from the one a client computed
//! locally: what differs (`reason`) and, for amounts, why (`cause`).

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
    /// What differs, as a snake_case key: for a status, the origin's error
    /// or skip key (`quantity_exceeded`, …; `not_in_origin_result`,
    /// `applicable_at_origin`); else `total_changed`, `discount_changed`,
    /// `amount_changed` (the order's amount before discounts),
    /// `points_changed`, `balance_changed`, `valid_changed`, or
    /// `snapshot_version_differs`.
    pub reason: String,
    /// Why an amount differs, as far as the origin can tell:
    /// `redeemable_status_differs`, `live_balance_differs`,
    /// `snapshot_version_differs` or `calculation_differs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<&'static str>,
}

/// What a redemption does when the origin's result differs from the
/// client's `expected` (the request's `on_difference`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDifference {
    /// Redeem at the origin's result and report the differences (default).
    #[default]
    Accept,
    /// Redeem nothing when anything the client expected differs (the
    /// snapshot version alone does not count): `409
    /// REDEMPTION_RESULT_CHANGED`, so the shopper can confirm.
    Reject,
}

impl OnDifference {
    /// Parses the request field (`ACCEPT` / `REJECT`; absent or null is
    /// `ACCEPT`).
    pub fn parse(v: Option<&Value>) -> Option<OnDifference> {
        match v {
            None | Some(Value::Null) => Some(OnDifference::Accept),
            Some(Value::String(s)) if s == "ACCEPT" => Some(OnDifference::Accept),
            Some(Value::String(s)) if s == "REJECT" => Some(OnDifference::Reject),
            Some(_) => None,
        }
    }
}

/// Whether the differences touch anything the shopper saw: everything
/// but the snapshot version itself (a newer bundle that computes the same
/// result changes nothing for the shopper).
pub fn changes_what_the_shopper_saw(differences: &[Difference]) -> bool {
    differences.iter().any(|d| d.path != "snapshot_version")
}

/// The order's amounts, each with what a difference in it means.
const ORDER_FIELDS: [(&str, &str); 9] = [
    ("amount", "amount_changed"),
    ("initial_amount", "amount_changed"),
    ("discount_amount", "discount_changed"),
    ("items_discount_amount", "discount_changed"),
    ("total_discount_amount", "discount_changed"),
    ("total_amount", "total_changed"),
    ("applied_discount_amount", "discount_changed"),
    ("items_applied_discount_amount", "discount_changed"),
    ("total_applied_discount_amount", "discount_changed"),
];

/// A redeemable's amounts, each with what a difference in it means. What
/// stays on a card afterwards (`gift.balance`, `loyalty_card.balance`) is
/// not compared: a client previews with the published balance, which the
/// ledger has moved on from after the first use, so it would differ on
/// nearly every redemption; what the card pays (`credits`, `points`) is
/// what the shopper's total depends on.
const REDEEMABLE_FIELDS: [(&[&str], &str); 3] = [
    (&["result", "gift", "credits"], "balance_changed"),
    (&["result", "loyalty_card", "points"], "points_changed"),
    (
        &["order", "total_applied_discount_amount"],
        "discount_changed",
    ),
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

/// A value difference, its cause filled in later.
fn changed(path: String, client: &Value, origin: Value, reason: &str) -> Difference {
    Difference {
        path,
        client: client.clone(),
        origin,
        reason: reason.into(),
        cause: None,
    }
}

/// Status differences first, then each redeemable's amounts.
fn redeemable_differences(expected: &Value, origin: &Value, out: &mut Vec<Difference>) {
    let ours = entries(origin);
    for (id, client) in entries(expected) {
        let Some(client_status) = client.get("status") else {
            continue;
        };
        let origin_entry = ours.get(&id);
        let origin_status = origin_entry
            .and_then(|e| e.get("status"))
            .cloned()
            .unwrap_or(Value::Null);
        if *client_status != origin_status {
            out.push(Difference {
                path: format!("redeemables[{id}].status"),
                client: client_status.clone(),
                origin: origin_status,
                reason: origin_entry
                    .map(|e| reason_of(e))
                    .unwrap_or_else(|| "not_in_origin_result".into()),
                cause: None,
            });
            continue;
        }
        let Some(origin_entry) = origin_entry else {
            continue;
        };
        for (path, reason) in REDEEMABLE_FIELDS {
            if let Some(c) = at(client, path) {
                let o = at(origin_entry, path).cloned().unwrap_or(Value::Null);
                if *c != o {
                    let path = format!("redeemables[{id}].{}", path.join("."));
                    out.push(changed(path, c, o, reason));
                }
            }
        }
    }
}

/// Points earned per loyalty campaign (a campaign missing on one side
/// earns 0 there), when the client sent `earned_points` or a whole engine
/// response: the engine leaves an empty `earned_points` out, and a whole
/// response always carries `snapshot_version`.
fn earned_differences(expected: &Value, origin: &Value, out: &mut Vec<Difference>) {
    let none = Vec::new();
    let theirs = match expected.get("earned_points").and_then(Value::as_array) {
        Some(list) => list,
        None if expected.get("snapshot_version").is_some() => &none,
        None => return,
    };
    let points = |list: &[Value]| -> BTreeMap<String, Value> {
        list.iter()
            .filter_map(|e| {
                let id = e.get("campaign_id")?.as_str()?;
                Some((id.to_string(), e.get("points").cloned().unwrap_or(0.into())))
            })
            .collect()
    };
    let theirs = points(theirs);
    let ours = points(
        origin
            .get("earned_points")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice),
    );
    let campaigns: std::collections::BTreeSet<&String> = theirs.keys().chain(ours.keys()).collect();
    for c in campaigns {
        let zero = Value::from(0);
        let (t, o) = (theirs.get(c).unwrap_or(&zero), ours.get(c).unwrap_or(&zero));
        if t != o {
            let path = format!("earned_points[{c}].points");
            out.push(changed(path, t, o.clone(), "points_changed"));
        }
    }
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
            cause: None,
        });
    }
    let Some(expected) = expected else {
        return out;
    };
    let first_value = out.len();
    redeemable_differences(expected, origin, &mut out);
    if let (Some(c), o) = (expected.get("valid"), origin.get("valid")) {
        let o = o.cloned().unwrap_or(Value::Null);
        if *c != o {
            out.push(changed("valid".into(), c, o, "valid_changed"));
        }
    }
    for (field, reason) in ORDER_FIELDS {
        if let Some(c) = at(expected, &["order", field]) {
            let o = at(origin, &["order", field])
                .cloned()
                .unwrap_or(Value::Null);
            if *c != o {
                out.push(changed(format!("order.{field}"), c, o, reason));
            }
        }
    }
    earned_differences(expected, origin, &mut out);
    let cause = cause_of(out.get(first_value..).unwrap_or(&[]), version_differs);
    for d in out.iter_mut().skip(first_value) {
        if !d.path.ends_with(".status") {
            d.cause = Some(cause);
        }
    }
    out
}

/// Why amounts differ, as far as the origin can tell: a redeemable that
/// did not do what the client expected, a balance that moved since the
/// client's preview, a newer snapshot, or none of those.
fn cause_of(differences: &[Difference], version_differs: bool) -> &'static str {
    let live = |d: &&Difference| {
        d.path.starts_with("redeemables[")
            && (d.path.contains(".result.gift.") || d.path.contains(".result.loyalty_card."))
    };
    if differences.iter().any(|d| d.path.ends_with(".status")) {
        "redeemable_status_differs"
    } else if differences.iter().any(|d| live(&d)) {
        "live_balance_differs"
    } else if version_differs {
        "snapshot_version_differs"
    } else {
        "calculation_differs"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(d: &[Difference]) -> Vec<(&str, &str, Option<&str>)> {
        d.iter()
            .map(|d| (d.path.as_str(), d.reason.as_str(), d.cause))
            .collect()
    }

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
        assert_eq!(
            summary(&d),
            [
                ("redeemables[ONCE].status", "quantity_exceeded", None),
                ("valid", "valid_changed", Some("redeemable_status_differs")),
                (
                    "order.total_discount_amount",
                    "discount_changed",
                    Some("redeemable_status_differs")
                ),
                (
                    "order.total_amount",
                    "total_changed",
                    Some("redeemable_status_differs")
                ),
            ]
        );
        assert!(differences(Some(&origin), &origin, Some(3), 3).is_empty());
        let d = differences(None, &origin, Some(2), 3);
        assert_eq!(
            summary(&d),
            [("snapshot_version", "snapshot_version_differs", None)]
        );
        assert!(!changes_what_the_shopper_saw(&d));
    }

    #[test]
    fn amounts_are_labelled_by_what_differs_and_why() {
        let client = json!({"redeemables": [{"id": "G", "status": "APPLICABLE",
                "result": {"gift": {"credits": 500, "balance": 0}}},
              {"id": "L", "status": "APPLICABLE", "result": {"loyalty_card": {"points": 200, "balance": 0}}}],
            "order": {"amount": 4500, "total_amount": 2000},
            "earned_points": [{"campaign_id": "camp_l", "points": 20}]});
        let origin = json!({"redeemables": [{"id": "G", "status": "APPLICABLE",
                "result": {"gift": {"credits": 300, "balance": 0}}},
              {"id": "L", "status": "APPLICABLE", "result": {"loyalty_card": {"points": 200, "balance": 0}}}],
            "order": {"amount": 4300, "total_amount": 2000},
            "earned_points": [{"campaign_id": "camp_l", "points": 18}, {"campaign_id": "camp_m", "points": 5}]});
        let d = differences(Some(&client), &origin, Some(1), 2);
        let live = Some("live_balance_differs");
        assert_eq!(
            summary(&d),
            [
                ("snapshot_version", "snapshot_version_differs", None),
                (
                    "redeemables[G].result.gift.credits",
                    "balance_changed",
                    live
                ),
                ("order.amount", "amount_changed", live),
                ("earned_points[camp_l].points", "points_changed", live),
                ("earned_points[camp_m].points", "points_changed", live),
            ]
        );
        assert_eq!(d[4].client, 0);
        assert!(changes_what_the_shopper_saw(&d));
        // A price that moved with a new bundle.
        let d = differences(
            Some(&json!({"order": {"total_amount": 4500}})),
            &json!({"order": {"total_amount": 4300}}),
            Some(1),
            2,
        );
        assert_eq!(d[1].cause, Some("snapshot_version_differs"));
        assert_eq!(d[1].reason, "total_changed");
        // A whole preview that earned nothing (the engine leaves the empty
        // list out) against an origin that earns points.
        let d = differences(
            Some(&json!({"valid": true, "snapshot_version": 1})),
            &json!({"valid": true, "earned_points": [{"campaign_id": "camp_l", "points": 7}]}),
            None,
            1,
        );
        assert_eq!(
            summary(&d),
            [(
                "earned_points[camp_l].points",
                "points_changed",
                Some("calculation_differs")
            )]
        );
        assert!(differences(
            Some(&json!({"valid": true})),
            &json!({"valid": true,
            "earned_points": [{"campaign_id": "camp_l", "points": 7}]}),
            None,
            1
        )
        .is_empty());
    }

    #[test]
    fn the_choice_is_accept_or_reject() {
        assert_eq!(OnDifference::parse(None), Some(OnDifference::Accept));
        assert_eq!(
            OnDifference::parse(Some(&Value::Null)),
            Some(OnDifference::Accept)
        );
        assert_eq!(
            OnDifference::parse(Some(&json!("ACCEPT"))),
            Some(OnDifference::Accept)
        );
        assert_eq!(
            OnDifference::parse(Some(&json!("REJECT"))),
            Some(OnDifference::Reject)
        );
        assert_eq!(OnDifference::parse(Some(&json!("reject"))), None);
        assert_eq!(OnDifference::parse(Some(&json!(true))), None);
    }
}
