//! Code hashes. Unique (bulk) codes never travel in clear: the snapshot
//! holds `base64url(SHA-256(salt ‖ code))` per code, and the engine hashes
//! the code a shopper typed to look it up. Without the codes themselves a
//! bundle cannot be mined for them (the salt defeats precomputed tables;
//! codes should carry enough randomness that guessing is futile).
//!
//! ```
//! let h = promo_edge::codes::code_hash("s4lt", "UNIQUE-1");
//! assert_eq!(h.len(), 43);
//! assert_ne!(h, promo_edge::codes::code_hash("s4lt", "UNIQUE-2"));
//! ```

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The salted hash of `code` as stored in snapshots.
pub fn code_hash(salt: &str, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(code.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // SHA-256("abc") = ba7816bf…, base64url without padding.
        assert_eq!(
            code_hash("", "abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
        assert_eq!(
            code_hash("a", "bc"),
            code_hash("ab", "c"),
            "salt and code are concatenated"
        );
    }
}
