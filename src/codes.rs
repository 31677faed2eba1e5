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

/// The salted SHA-256 digest of `code`.
pub fn code_digest(salt: &str, code: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(code.as_bytes());
    h.finalize().into()
}

/// The salted hash of `code` as stored in snapshots (base64url, no padding).
pub fn code_hash(salt: &str, code: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(code_digest(salt, code))
}

/// A code hash in binary form; on the wire, the base64url text of
/// [`code_hash`]. Bulk codes are kept as 32 bytes each, not as strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodeHash(pub [u8; 32]);

impl CodeHash {
    /// Decodes the base64url text form.
    pub fn parse(text: &str) -> Option<CodeHash> {
        let mut out = [0u8; 32];
        let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode_slice(text, &mut out)
            .ok()?;
        (n == 32).then_some(CodeHash(out))
    }
}

impl serde::Serialize for CodeHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for CodeHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CodeHash, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = CodeHash;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a base64url SHA-256 code hash (43 characters)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CodeHash, E> {
                CodeHash::parse(v)
                    .ok_or_else(|| E::custom(format!("`{v}` is not a base64url SHA-256 code hash")))
            }
        }
        d.deserialize_str(Visitor)
    }
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
