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

/// The base64url alphabet's value of each byte (`INVALID` for the rest).
const INVALID: u8 = 0xFF;
// Evaluated at compile time: an index out of range fails the build, not a call.
#[allow(clippy::indexing_slicing)]
const BASE64URL: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

impl CodeHash {
    /// Decodes the base64url text form: exactly 43 characters, no padding,
    /// and the last one's unused low bits zero (so every digest has one
    /// spelling). A snapshot holds up to a hundred thousand of these, so
    /// this is a table lookup per character rather than a general decoder.
    pub fn parse(text: &str) -> Option<CodeHash> {
        let bytes: &[u8; 43] = text.as_bytes().try_into().ok()?;
        let sextet = |c: u8| {
            let v = BASE64URL.get(usize::from(c)).copied().unwrap_or(INVALID);
            (v != INVALID).then_some(u32::from(v))
        };
        let mut out = [0u8; 32];
        // 10 groups of 4 characters → 30 bytes, then 3 characters → 2 bytes.
        let (groups, tail) = bytes.split_at(40);
        for (chunk, dst) in groups.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
            let [a, b, c, d] = *chunk else { return None };
            let n = sextet(a)? << 18 | sextet(b)? << 12 | sextet(c)? << 6 | sextet(d)?;
            dst.copy_from_slice(&n.to_be_bytes()[1..]);
        }
        let [a, b, c] = *tail else { return None };
        let n = sextet(a)? << 12 | sextet(b)? << 6 | sextet(c)?;
        // 18 bits: 2 bytes and 2 bits that must be zero.
        if n & 0b11 != 0 {
            return None;
        }
        let [_, _, hi, lo] = (n >> 2).to_be_bytes();
        let [.., last_but_one, last] = &mut out;
        (*last_but_one, *last) = (hi, lo);
        Some(CodeHash(out))
    }
}

impl std::fmt::Display for CodeHash {
    /// The base64url text form (43 characters).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl serde::Serialize for CodeHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
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
    fn parse_reads_what_code_hash_writes_and_nothing_else() {
        for code in ["", "abc", "UNIQUE-1", "ŻÓŁW-42"] {
            let text = code_hash("s4lt", code);
            assert_eq!(
                CodeHash::parse(&text),
                Some(CodeHash(code_digest("s4lt", code)))
            );
            assert_eq!(CodeHash(code_digest("s4lt", code)).to_string(), text);
        }
        let good = code_hash("", "abc");
        assert_eq!(CodeHash::parse(&good[..42]), None, "too short");
        assert_eq!(CodeHash::parse(&format!("{good}=")), None, "padding");
        assert_eq!(
            CodeHash::parse(&good.replace('-', "+")),
            None,
            "base64, not base64url"
        );
        // The last character carries 2 unused bits: `1` spells the same
        // digest as the `0` there, with an unused bit set.
        let mut bad = good[..42].to_string();
        bad.push('1');
        assert_eq!(CodeHash::parse(&bad), None, "non-canonical last character");
    }

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
