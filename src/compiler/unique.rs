//! Unique codes written in clear (a voucher with `unique: true`, a
//! campaign's `unique_codes`) leave the compiler only as salted digests:
//! the plan, and so every bundle, never carries them.

use super::source::Snapshot;
use crate::codes::{code_digest, code_hash, CodeHash};
use crate::error::Error;

/// Replaces every unique code in clear by its hash under the snapshot's salt.
pub(super) fn seal(snap: &mut Snapshot) -> Result<(), Error> {
    let salt = snap.code_salt.as_str();
    for (ci, camp) in snap.campaigns.iter_mut().enumerate() {
        for (vi, v) in camp.vouchers.iter_mut().enumerate() {
            if !v.unique {
                continue;
            }
            let path = format!("campaigns[{ci}].vouchers[{vi}]");
            if v.code_hash.is_some() {
                return Err(Error::snapshot_invalid(
                    format!("{path}.code_hash"),
                    "a unique code is given in clear (`code`) or as its hash, not both",
                ));
            }
            let code = v.code.take().ok_or_else(|| {
                Error::snapshot_invalid(format!("{path}.code"), "a unique voucher needs its code")
            })?;
            v.code_hash = Some(code_hash(salt, &code));
        }
        let clear = std::mem::take(&mut camp.unique_codes);
        camp.code_hashes
            .extend(clear.iter().map(|c| CodeHash(code_digest(salt, c))));
    }
    Ok(())
}
