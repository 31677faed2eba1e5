//! Request limits checked before any work.

use crate::error::Error;
use crate::limits::{MAX_METADATA_BYTES, MAX_REDEEMABLES};
use crate::plan::{Metadata, Plan};
use crate::request::ValidationRequest;

fn metadata_size(m: &Metadata) -> usize {
    if m.is_empty() {
        return 0;
    }
    serde_json::to_string(m)
        .map(|s| s.len())
        .unwrap_or(usize::MAX)
}

/// Rejects requests over a limit.
pub fn check(snap: &Plan, req: &ValidationRequest) -> Result<(), Error> {
    let limit = MAX_REDEEMABLES
        .min(usize::try_from(snap.stacking.redeemables_limit).unwrap_or(MAX_REDEEMABLES));
    if req.redeemables.len() > limit {
        return Err(Error::TooManyRedeemables {
            count: req.redeemables.len(),
            limit,
        });
    }
    let mut sizes = vec![
        metadata_size(&req.metadata),
        metadata_size(&req.order.metadata),
    ];
    if let Some(c) = &req.customer {
        sizes.push(metadata_size(&c.metadata));
    }
    for item in &req.order.items {
        sizes.push(metadata_size(&item.metadata));
    }
    if let Some(bytes) = sizes.into_iter().find(|s| *s > MAX_METADATA_BYTES) {
        return Err(Error::MetadataTooLarge {
            bytes,
            limit: MAX_METADATA_BYTES,
        });
    }
    for (i, r) in req.redeemables.iter().enumerate() {
        if r.id.is_empty() || r.id.len() > 256 {
            return Err(Error::invalid_request(
                format!("redeemables[{i}].id"),
                "an id is 1 to 256 bytes",
            ));
        }
        if let Some(c) = r.gift.as_ref().and_then(|g| g.credits) {
            if !(0..=crate::limits::MAX_AMOUNT).contains(&c.0) {
                return Err(Error::AmountOutOfRange {
                    path: format!("redeemables[{i}].gift.credits"),
                    value: c.0.to_string(),
                });
            }
        }
        if let Some(p) = r.reward.as_ref().and_then(|r| r.points) {
            if !(0..=crate::limits::MAX_AMOUNT).contains(&p) {
                return Err(Error::AmountOutOfRange {
                    path: format!("redeemables[{i}].reward.points"),
                    value: p.to_string(),
                });
            }
        }
    }
    Ok(())
}
