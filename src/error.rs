//! The one error type of the engine.
//!
//! Errors are for input the engine cannot work with (malformed JSON, a
//! snapshot of an unknown schema, a request over a limit). Business
//! rejections — an expired code, a minimum not met — are *data* in the
//! validation response, never an `Error`.
//!
//! Every variant has a stable SCREAMING_SNAKE code ([`Error::code`]). Codes
//! are API: they are never renamed, only added.

use std::fmt;

/// Everything that can make an engine call fail.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input is not valid JSON, or not of the expected shape.
    /// `path` is the JSON path serde reported, `message` what was wrong.
    InvalidJson {
        /// What was wrong.
        message: String,
    },
    /// The snapshot declares a `schema` this engine does not read.
    SnapshotSchemaUnsupported {
        /// The schema found.
        found: String,
    },
    /// The snapshot is well-formed JSON but breaks a structural rule
    /// (duplicate ids, a reference to something that does not exist, …).
    SnapshotInvalid {
        /// JSON path of the offending value.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// The snapshot (or bundle) is larger than [`crate::limits::MAX_SNAPSHOT_BYTES`].
    SnapshotTooLarge {
        /// Size of the input.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A bundle is not a well-formed compact JWS of the accepted shape.
    BundleMalformed {
        /// What was wrong.
        message: String,
    },
    /// A bundle is signed with an algorithm other than EdDSA.
    BundleAlgorithmUnsupported {
        /// The algorithm found.
        alg: String,
    },
    /// A bundle names a key that is not in the trusted JWKS.
    BundleKeyUnknown {
        /// The key id.
        kid: String,
    },
    /// A bundle's signature does not verify.
    BundleSignatureInvalid {
        /// The key id.
        kid: String,
    },
    /// The trusted-keys document is not a usable JWKS.
    JwksInvalid {
        /// What was wrong.
        message: String,
    },
    /// The snapshot expired longer ago than the allowed grace period.
    SnapshotExpired {
        /// When it expired (RFC 3339).
        expires_at: String,
    },
    /// A call that needs a snapshot was made before one was loaded.
    NoSnapshot,
    /// The offered snapshot is not newer than the one held (rollback refused).
    SnapshotNotNewer {
        /// Version held.
        held: u64,
        /// Version offered.
        offered: u64,
    },
    /// The request is well-formed JSON but semantically invalid.
    InvalidRequest {
        /// JSON path of the offending value.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// The order has more lines than [`crate::limits::MAX_ORDER_ITEMS`].
    TooManyOrderItems {
        /// How many were sent.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A pricing call lists more products than [`crate::pricing::MAX_PRODUCTS`].
    TooManyProducts {
        /// How many were sent.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The request names more redeemables than allowed (30, or the
    /// snapshot's `redeemables_limit` when lower).
    TooManyRedeemables {
        /// How many were sent.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A money amount or quantity is negative or above
    /// [`crate::limits::MAX_AMOUNT`].
    AmountOutOfRange {
        /// JSON path of the offending value.
        path: String,
        /// The value sent.
        value: String,
    },
    /// An order line has no price and none can be found in the catalog.
    OrderItemPriceMissing {
        /// Order line index.
        index: usize,
    },
    /// A timestamp could not be parsed as RFC 3339.
    InvalidTimestamp {
        /// The value sent.
        value: String,
    },
    /// Metadata in the request is larger than [`crate::limits::MAX_METADATA_BYTES`].
    MetadataTooLarge {
        /// Size of the input.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A computation left the range of exact decimal arithmetic.
    ArithmeticOverflow,
    /// A plan is larger than [`crate::limits::MAX_PLAN_BYTES`].
    PlanTooLarge {
        /// Size of the input.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not a plan this engine wrote (bad header, a value
    /// that does not decode, a reference or index that does not hold).
    PlanInvalid {
        /// Which check failed (`magic`, `decode`, `reference`, `index`, …).
        reason: &'static str,
    },
    /// The plan ends before its last value.
    PlanTruncated,
    /// The plan's bytes do not match its header checksum (corrupted in
    /// storage or transit).
    PlanChecksumMismatch,
    /// Bytes follow the end of the plan.
    PlanTrailingBytes {
        /// How many.
        bytes: usize,
    },
    /// The plan's format version is not the one this engine reads.
    PlanVersionUnsupported {
        /// The version found.
        found: u32,
    },
    /// A `promo-edge.snapshot/1` (JSON) bundle or snapshot: it must be
    /// republished with `promo-origin publish`, which now compiles plans.
    BundleFormatOutdated,
    /// The signed manifest and the plan it covers disagree (digest, size,
    /// version, project or channel).
    BundlePlanMismatch {
        /// What differs.
        what: &'static str,
    },
}

impl Error {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidJson { .. } => "INVALID_JSON",
            Error::SnapshotSchemaUnsupported { .. } => "SNAPSHOT_SCHEMA_UNSUPPORTED",
            Error::SnapshotInvalid { .. } => "SNAPSHOT_INVALID",
            Error::SnapshotTooLarge { .. } => "SNAPSHOT_TOO_LARGE",
            Error::BundleMalformed { .. } => "BUNDLE_MALFORMED",
            Error::BundleAlgorithmUnsupported { .. } => "BUNDLE_ALGORITHM_UNSUPPORTED",
            Error::BundleKeyUnknown { .. } => "BUNDLE_KEY_UNKNOWN",
            Error::BundleSignatureInvalid { .. } => "BUNDLE_SIGNATURE_INVALID",
            Error::JwksInvalid { .. } => "JWKS_INVALID",
            Error::SnapshotExpired { .. } => "SNAPSHOT_EXPIRED",
            Error::NoSnapshot => "NO_SNAPSHOT",
            Error::SnapshotNotNewer { .. } => "SNAPSHOT_NOT_NEWER",
            Error::InvalidRequest { .. } => "INVALID_REQUEST",
            Error::TooManyOrderItems { .. } => "TOO_MANY_ORDER_ITEMS",
            Error::TooManyRedeemables { .. } => "TOO_MANY_REDEEMABLES",
            Error::TooManyProducts { .. } => "TOO_MANY_PRODUCTS",
            Error::AmountOutOfRange { .. } => "AMOUNT_OUT_OF_RANGE",
            Error::OrderItemPriceMissing { .. } => "ORDER_ITEM_PRICE_MISSING",
            Error::InvalidTimestamp { .. } => "INVALID_TIMESTAMP",
            Error::MetadataTooLarge { .. } => "METADATA_TOO_LARGE",
            Error::ArithmeticOverflow => "ARITHMETIC_OVERFLOW",
            Error::PlanTooLarge { .. } => "PLAN_TOO_LARGE",
            Error::PlanInvalid { .. } => "PLAN_INVALID",
            Error::PlanTruncated => "PLAN_TRUNCATED",
            Error::PlanChecksumMismatch => "PLAN_CHECKSUM_MISMATCH",
            Error::PlanTrailingBytes { .. } => "PLAN_TRAILING_BYTES",
            Error::PlanVersionUnsupported { .. } => "PLAN_VERSION_UNSUPPORTED",
            Error::BundleFormatOutdated => "BUNDLE_FORMAT_OUTDATED",
            Error::BundlePlanMismatch { .. } => "BUNDLE_PLAN_MISMATCH",
        }
    }

    /// Every code this enum can produce, for bindings that mirror them.
    pub const ALL_CODES: &'static [&'static str] = &[
        "INVALID_JSON",
        "SNAPSHOT_SCHEMA_UNSUPPORTED",
        "SNAPSHOT_INVALID",
        "SNAPSHOT_TOO_LARGE",
        "BUNDLE_MALFORMED",
        "BUNDLE_ALGORITHM_UNSUPPORTED",
        "BUNDLE_KEY_UNKNOWN",
        "BUNDLE_SIGNATURE_INVALID",
        "JWKS_INVALID",
        "SNAPSHOT_EXPIRED",
        "NO_SNAPSHOT",
        "SNAPSHOT_NOT_NEWER",
        "INVALID_REQUEST",
        "TOO_MANY_ORDER_ITEMS",
        "TOO_MANY_REDEEMABLES",
        "TOO_MANY_PRODUCTS",
        "AMOUNT_OUT_OF_RANGE",
        "ORDER_ITEM_PRICE_MISSING",
        "INVALID_TIMESTAMP",
        "METADATA_TOO_LARGE",
        "ARITHMETIC_OVERFLOW",
        "PLAN_TOO_LARGE",
        "PLAN_INVALID",
        "PLAN_TRUNCATED",
        "PLAN_CHECKSUM_MISMATCH",
        "PLAN_TRAILING_BYTES",
        "PLAN_VERSION_UNSUPPORTED",
        "BUNDLE_FORMAT_OUTDATED",
        "BUNDLE_PLAN_MISMATCH",
    ];

    pub(crate) fn invalid_request(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            path: path.into(),
            message: message.into(),
        }
    }

    #[cfg(feature = "compiler")]
    pub(crate) fn snapshot_invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::SnapshotInvalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidJson { message } => write!(
                f,
                "the input is not valid JSON of the expected shape: {message}"
            ),
            Error::SnapshotSchemaUnsupported { found } => {
                write!(
                    f,
                    "snapshot schema `{found}` is not supported (expected `promo-edge.snapshot/1`)"
                )
            }
            Error::SnapshotInvalid { path, message } => {
                write!(f, "invalid snapshot at {path}: {message}")
            }
            Error::SnapshotTooLarge { bytes, limit } => {
                write!(f, "snapshot is {bytes} bytes, over the limit of {limit}")
            }
            Error::BundleMalformed { message } => write!(f, "the bundle is malformed: {message}"),
            Error::BundleAlgorithmUnsupported { alg } => {
                write!(f, "bundle algorithm `{alg}` is not accepted (only EdDSA)")
            }
            Error::BundleKeyUnknown { kid } => {
                write!(f, "the bundle is signed by unknown key `{kid}`")
            }
            Error::BundleSignatureInvalid { kid } => {
                write!(f, "the bundle signature does not verify with key `{kid}`")
            }
            Error::JwksInvalid { message } => {
                write!(f, "the trusted keys are not a usable JWKS: {message}")
            }
            Error::SnapshotExpired { expires_at } => write!(
                f,
                "the snapshot expired at {expires_at}, beyond the grace period"
            ),
            Error::NoSnapshot => write!(f, "no snapshot is loaded"),
            Error::SnapshotNotNewer { held, offered } => {
                write!(
                    f,
                    "snapshot version {offered} is not newer than the held version {held}"
                )
            }
            Error::InvalidRequest { path, message } => {
                write!(f, "invalid request at {path}: {message}")
            }
            Error::TooManyOrderItems { count, limit } => {
                write!(f, "the order has {count} items, over the limit of {limit}")
            }
            Error::TooManyProducts { count, limit } => write!(
                f,
                "the request has {count} products, over the limit of {limit}"
            ),
            Error::TooManyRedeemables { count, limit } => write!(
                f,
                "the request has {count} redeemables, over the limit of {limit}"
            ),
            Error::AmountOutOfRange { path, value } => {
                write!(f, "amount {value} at {path} is negative or too large")
            }
            Error::OrderItemPriceMissing { index } => {
                write!(
                    f,
                    "order item {index} has no price, no amount and no catalog price"
                )
            }
            Error::InvalidTimestamp { value } => {
                write!(f, "`{value}` is not an RFC 3339 timestamp")
            }
            Error::MetadataTooLarge { bytes, limit } => {
                write!(f, "metadata is {bytes} bytes, over the limit of {limit}")
            }
            Error::ArithmeticOverflow => write!(f, "an amount left the range of exact arithmetic"),
            Error::PlanTooLarge { bytes, limit } => {
                write!(f, "plan is {bytes} bytes, over the limit of {limit}")
            }
            Error::PlanInvalid { reason } => write!(f, "not a valid plan ({reason} check failed)"),
            Error::PlanTruncated => write!(f, "the plan is truncated"),
            Error::PlanChecksumMismatch => write!(f, "the plan's checksum does not match"),
            Error::PlanTrailingBytes { bytes } => {
                write!(f, "{bytes} bytes follow the end of the plan")
            }
            Error::PlanVersionUnsupported { found } => write!(
                f,
                "plan format {found} is not supported (expected {})",
                crate::plan::encoding::SCHEMA
            ),
            Error::BundleFormatOutdated => write!(
                f,
                "a promo-edge.snapshot/1 bundle: republish it with `promo-origin publish`"
            ),
            Error::BundlePlanMismatch { what } => {
                write!(f, "the signed manifest and the plan disagree on {what}")
            }
        }
    }
}

impl std::error::Error for Error {}

impl serde::Serialize for Error {
    /// `{"code": "…", …fields}`: the stable code and the variant's fields
    /// (how the wasm binding hands an error to JavaScript, which words it).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", self.code())?;
        match self {
            Error::InvalidJson { message } | Error::BundleMalformed { message } => {
                m.serialize_entry("message", message)?
            }
            Error::JwksInvalid { message } => m.serialize_entry("message", message)?,
            Error::SnapshotSchemaUnsupported { found } => m.serialize_entry("found", found)?,
            Error::SnapshotInvalid { path, message } | Error::InvalidRequest { path, message } => {
                m.serialize_entry("path", path)?;
                m.serialize_entry("message", message)?;
            }
            Error::SnapshotTooLarge { bytes, limit }
            | Error::MetadataTooLarge { bytes, limit }
            | Error::PlanTooLarge { bytes, limit } => {
                m.serialize_entry("bytes", bytes)?;
                m.serialize_entry("limit", limit)?;
            }
            Error::BundleAlgorithmUnsupported { alg } => m.serialize_entry("alg", alg)?,
            Error::BundleKeyUnknown { kid } | Error::BundleSignatureInvalid { kid } => {
                m.serialize_entry("kid", kid)?
            }
            Error::SnapshotExpired { expires_at } => m.serialize_entry("expires_at", expires_at)?,
            Error::SnapshotNotNewer { held, offered } => {
                m.serialize_entry("held", held)?;
                m.serialize_entry("offered", offered)?;
            }
            Error::TooManyOrderItems { count, limit }
            | Error::TooManyProducts { count, limit }
            | Error::TooManyRedeemables { count, limit } => {
                m.serialize_entry("count", count)?;
                m.serialize_entry("limit", limit)?;
            }
            Error::AmountOutOfRange { path, value } => {
                m.serialize_entry("path", path)?;
                m.serialize_entry("value", value)?;
            }
            Error::OrderItemPriceMissing { index } => m.serialize_entry("index", index)?,
            Error::InvalidTimestamp { value } => m.serialize_entry("value", value)?,
            Error::PlanInvalid { reason } => m.serialize_entry("reason", reason)?,
            Error::PlanTrailingBytes { bytes } => m.serialize_entry("bytes", bytes)?,
            Error::PlanVersionUnsupported { found } => m.serialize_entry("found", found)?,
            Error::BundlePlanMismatch { what } => m.serialize_entry("what", what)?,
            Error::NoSnapshot
            | Error::ArithmeticOverflow
            | Error::PlanTruncated
            | Error::PlanChecksumMismatch
            | Error::BundleFormatOutdated => {}
        }
        m.end()
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::InvalidJson {
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_screaming_snake() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Error::ALL_CODES {
            assert!(
                code.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{code}"
            );
            assert!(seen.insert(*code), "duplicate {code}");
        }
        assert_eq!(Error::NoSnapshot.code(), "NO_SNAPSHOT");
        assert_eq!(Error::ArithmeticOverflow.code(), "ARITHMETIC_OVERFLOW");
    }
}
