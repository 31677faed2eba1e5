//! The unique-code table: one dense sorted array of fixed-size entries,
//! searched in place.
//!
//! Each entry is the first [`DIGEST_BYTES`] bytes of the code's salted
//! SHA-256 ([`crate::codes::code_digest`]) followed by the position of its
//! redeemable as a little-endian `u32`. 100,000 codes are 2 MB of plan,
//! copied once at load and binary-searched per lookup: no map is built.
//! A 128-bit prefix keeps a false match among a million codes below 2⁻⁸⁸.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes of digest kept per code.
pub const DIGEST_BYTES: usize = 16;
/// Bytes per entry: the digest prefix and a `u32` position.
pub const ENTRY_BYTES: usize = DIGEST_BYTES + 4;

/// Sorted, fixed-size entries (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeTable {
    entries: Vec<u8>,
}

impl CodeTable {
    /// A table of `(digest, redeemable)` pairs; `None` when two codes share
    /// a digest prefix (the publisher refuses such a catalogue).
    pub fn new(mut codes: Vec<([u8; 32], u32)>) -> Option<CodeTable> {
        codes.sort_unstable();
        let mut entries = Vec::with_capacity(codes.len() * ENTRY_BYTES);
        let mut last: Option<&[u8]> = None;
        for (digest, pos) in &codes {
            let prefix = digest.get(..DIGEST_BYTES)?;
            if last == Some(prefix) {
                return None;
            }
            last = Some(prefix);
            entries.extend_from_slice(prefix);
            entries.extend_from_slice(&pos.to_le_bytes());
        }
        Some(CodeTable { entries })
    }

    /// Number of codes.
    pub fn len(&self) -> usize {
        self.entries.len() / ENTRY_BYTES
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, i: usize) -> Option<(&[u8], u32)> {
        let e = self.entries.get(i * ENTRY_BYTES..(i + 1) * ENTRY_BYTES)?;
        let (digest, pos) = e.split_at(DIGEST_BYTES);
        let pos: [u8; 4] = pos.try_into().ok()?;
        Some((digest, u32::from_le_bytes(pos)))
    }

    /// The redeemable position of the code with this digest.
    pub fn find(&self, digest: &[u8; 32]) -> Option<usize> {
        let key = digest.get(..DIGEST_BYTES)?;
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (d, pos) = self.entry(mid)?;
            match d.cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return usize::try_from(pos).ok(),
            }
        }
        None
    }

    /// Whether the entries are whole, strictly increasing and point below
    /// `redeemables` (a decoded plan's check).
    pub fn is_well_formed(&self, redeemables: usize) -> bool {
        if self.entries.len() % ENTRY_BYTES != 0 {
            return false;
        }
        let mut prev: Option<&[u8]> = None;
        for i in 0..self.len() {
            let Some((d, pos)) = self.entry(i) else {
                return false;
            };
            if prev.is_some_and(|p| p >= d)
                || usize::try_from(pos).map_or(true, |p| p >= redeemables)
            {
                return false;
            }
            prev = Some(d);
        }
        true
    }
}

impl Serialize for CodeTable {
    /// Raw bytes in the binary plan; a person reading a plan as JSON sees
    /// only how many codes it holds.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            use serde::ser::SerializeStruct;
            let mut st = s.serialize_struct("CodeTable", 2)?;
            st.serialize_field("codes", &self.len())?;
            st.serialize_field("digest_bytes", &DIGEST_BYTES)?;
            st.end()
        } else {
            s.serialize_bytes(&self.entries)
        }
    }
}

impl<'de> Deserialize<'de> for CodeTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CodeTable, D::Error> {
        let entries = super::wire::bytes::deserialize(d)?;
        Ok(CodeTable { entries })
    }
}
