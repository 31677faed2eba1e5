//! The binary plan: a 20-byte header, then the [`Plan`] in postcard.
//!
//! ```text
//! b"PEPLAN" 0x00 0x02   magic and format version 2 (promo-edge.plan/2)
//! <u32 little-endian>   the body's length
//! <8 bytes>             the first 8 bytes of the body's SHA-256
//! <postcard bytes>      the body: the plan
//! ```
//!
//! Decoding checks, in order: size, magic, format version, length (a
//! truncated or padded plan), checksum (a corrupted one), a complete decode
//! with nothing left over, nesting depth, and every reference and index
//! inside the plan. Each failure has its own code, and
//! none changes what an engine holds. A plan inside a signed bundle is
//! already held to the manifest's full SHA-256, so that path skips the
//! checksum ([`decode_covered`]). `benches/plan-encoding.md` measures postcard
//! against bitcode, bincode and JSON, and says why postcard.

use sha2::{Digest, Sha256};

use super::Plan;
use crate::error::Error;
use crate::limits::MAX_PLAN_BYTES;

/// The plan format this engine reads.
pub const SCHEMA: &str = "promo-edge.plan/2";
/// Magic and format version.
pub const HEADER: [u8; 8] = *b"PEPLAN\x00\x02";
const MAGIC_LEN: usize = 6;
const LENGTH_LEN: usize = 4;
const CHECKSUM_LEN: usize = 8;

fn checksum(body: &[u8]) -> [u8; CHECKSUM_LEN] {
    let d = Sha256::digest(body);
    let mut out = [0u8; CHECKSUM_LEN];
    out.copy_from_slice(d.get(..CHECKSUM_LEN).unwrap_or(&[0; CHECKSUM_LEN]));
    out
}

/// The binary form of a plan.
#[cfg(feature = "compiler")]
pub fn encode(plan: &Plan) -> Result<Vec<u8>, Error> {
    let body = postcard::to_allocvec(plan).map_err(|_| Error::PlanInvalid { reason: "encode" })?;
    let length = u32::try_from(body.len()).map_err(|_| Error::PlanTooLarge {
        bytes: body.len(),
        limit: MAX_PLAN_BYTES,
    })?;
    let mut out = Vec::with_capacity(HEADER.len() + LENGTH_LEN + CHECKSUM_LEN + body.len());
    out.extend_from_slice(&HEADER);
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(&checksum(&body));
    out.extend_from_slice(&body);
    Ok(out)
}

/// Reads a binary plan (see the module documentation for the checks).
pub fn decode(bytes: &[u8]) -> Result<Plan, Error> {
    decode_checked(bytes, true)
}

/// Reads a binary plan whose bytes a signed manifest's SHA-256 already
/// covers: the same checks except the checksum.
pub fn decode_covered(bytes: &[u8]) -> Result<Plan, Error> {
    decode_checked(bytes, false)
}

fn decode_checked(bytes: &[u8], verify_checksum: bool) -> Result<Plan, Error> {
    if bytes.len() > MAX_PLAN_BYTES {
        return Err(Error::PlanTooLarge {
            bytes: bytes.len(),
            limit: MAX_PLAN_BYTES,
        });
    }
    let (header, body) = bytes.split_at(bytes.len().min(HEADER.len()));
    if header.get(..MAGIC_LEN) != HEADER.get(..MAGIC_LEN) {
        return Err(if looks_like_v1(bytes) {
            Error::BundleFormatOutdated
        } else {
            Error::PlanInvalid { reason: "magic" }
        });
    }
    if header.len() < HEADER.len() {
        return Err(Error::PlanTruncated);
    }
    if header != HEADER {
        return Err(Error::PlanVersionUnsupported {
            found: header
                .get(MAGIC_LEN..)
                .map_or(0, |v| v.iter().fold(0u32, |a, b| a << 8 | u32::from(*b))),
        });
    }
    let (length, body) = body.split_at(body.len().min(LENGTH_LEN));
    let (sum, body) = body.split_at(body.len().min(CHECKSUM_LEN));
    let length: [u8; LENGTH_LEN] = length.try_into().map_err(|_| Error::PlanTruncated)?;
    let length = usize::try_from(u32::from_le_bytes(length)).unwrap_or(usize::MAX);
    if sum.len() < CHECKSUM_LEN || body.len() < length {
        return Err(Error::PlanTruncated);
    }
    if body.len() > length {
        return Err(Error::PlanTrailingBytes {
            bytes: body.len() - length,
        });
    }
    if verify_checksum && sum != checksum(body) {
        return Err(Error::PlanChecksumMismatch);
    }
    let (plan, rest) = postcard::take_from_bytes::<Plan>(body).map_err(|e| match e {
        postcard::Error::DeserializeUnexpectedEnd => Error::PlanTruncated,
        _ => Error::PlanInvalid { reason: "decode" },
    })?;
    if !rest.is_empty() {
        return Err(Error::PlanTrailingBytes { bytes: rest.len() });
    }
    plan.check()
        .map_err(|reason| Error::PlanInvalid { reason })?;
    Ok(plan)
}

/// A `promo-edge.snapshot/1` document (the JSON the engine read before
/// plans): it has to be republished.
fn looks_like_v1(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
    head.first() == Some(&b'{')
        && head
            .windows(b"promo-edge.snapshot/1".len())
            .any(|w| w == b"promo-edge.snapshot/1")
}

impl Plan {
    /// Every position inside the plan points at something, and every index
    /// is sorted. A plan that fails this was not written by the compiler.
    pub fn check(&self) -> Result<(), &'static str> {
        let reds = self.redeemables.len();
        let in_reds = |list: &[usize]| list.iter().all(|p| *p < reds);
        let ok = self.redeemables.iter().all(|r| {
            r.campaign < self.campaigns.len() && r.rules.iter().all(|i| *i < self.rules.len())
        }) && self.codes.iter().all(|(_, p)| *p < reds)
            && self.tier_ids.iter().all(|(_, p)| *p < reds)
            && self.stacks.iter().all(|(_, s)| in_reds(&s.tiers))
            && self.by_holder.iter().all(|(_, l)| in_reds(l))
            && self.price_index.iter().all(|(_, l)| in_reds(l))
            && in_reds(&self.tiers)
            && in_reds(&self.public)
            && in_reds(&self.price_global)
            && self.rank.len() == reds
            && self.pricing.is_well_formed(
                reds,
                self.catalog.products.len(),
                self.catalog.skus.len(),
            )
            && self.earning_rules.iter().all(|e| {
                e.campaign < self.campaigns.len()
                    && e.rules.iter().all(|i| *i < self.rules.len())
                    && e.tiers.is_well_formed()
            });
        if !ok {
            return Err("reference");
        }
        let sorted = self.categories.is_well_formed()
            && self.stacks.is_well_formed()
            && self.codes.is_well_formed()
            && self.tier_ids.is_well_formed()
            && self.by_holder.is_well_formed()
            && self.price_index.is_well_formed()
            && self.catalog.is_well_formed()
            && self.target_ids.is_well_formed()
            && self.code_table.is_well_formed(reds)
            && self.tz.is_well_formed();
        if !sorted {
            return Err("index");
        }
        Ok(())
    }
}
