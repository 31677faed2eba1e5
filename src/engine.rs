//! The engine: holds one plan and answers requests against it.

use serde::Serialize;

use crate::error::Error;
use crate::plan::{Currency, LoadReport, Plan, RedeemableKind};
use crate::pricing::{price_products, PricingRequest, PricingResponse};
use crate::qualification::{qualify, QualificationRequest, QualificationResponse};
use crate::request::ValidationRequest;
use crate::time::Instant;
use crate::validation::{validate, ValidationResponse};

/// A promotion engine holding at most one plan.
///
/// Loading is all-or-nothing: a plan or bundle that fails any check changes
/// nothing, and the previous one keeps serving.
#[derive(Debug, Default)]
pub struct Engine {
    snapshot: Option<Plan>,
}

/// An automatic promotion (a tier) of the held snapshot.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PromotionTierInfo {
    /// Tier id (what a request names with `object: "promotion_tier"`).
    pub id: String,
    /// Tier name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Banner for a badge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Campaign id.
    pub campaign_id: String,
    /// Campaign name.
    pub campaign_name: String,
    /// Stacking categories.
    pub categories: Vec<String>,
}

/// What the engine holds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EngineStatus {
    /// Snapshot version.
    pub version: u64,
    /// Project.
    pub project: String,
    /// Channel.
    pub channel: String,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// Whether `now` is past `expires_at`.
    pub stale: bool,
    /// The snapshot's currency: every amount is in its minor units.
    pub currency: Currency,
    /// The project's IANA time zone (windows and nudge times are in it).
    pub time_zone: String,
}

impl Engine {
    /// An engine with no plan.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Decodes and checks a binary plan and keeps it if its version is
    /// higher than the one held. Any failed check changes nothing.
    pub fn load_plan(&mut self, bytes: &[u8]) -> Result<LoadReport, Error> {
        let plan = crate::plan::encoding::decode(bytes)?;
        self.refuse_older(plan.version)?;
        let report = plan.report();
        self.snapshot = Some(plan);
        Ok(report)
    }

    /// Compiles campaign source JSON and loads it, through the same binary
    /// plan a bundle carries (publish-time and test use; the wasm has no
    /// compiler).
    #[cfg(feature = "compiler")]
    pub fn load_snapshot_json(&mut self, json: &str) -> Result<LoadReport, Error> {
        let (plan, _) = crate::compiler::compile_json(json)?;
        self.load_plan(&crate::plan::encoding::encode(&plan)?)
    }

    fn refuse_older(&self, offered: u64) -> Result<(), Error> {
        match &self.snapshot {
            Some(held) if offered <= held.version => Err(Error::SnapshotNotNewer {
                held: held.version,
                offered,
            }),
            _ => Ok(()),
        }
    }

    /// Verifies a signed bundle (`promo-edge.bundle/2`, see
    /// [`crate::bundle`]) against trusted keys and loads its plan if it is
    /// newer than the one held and not expired for longer than `grace_ms`.
    /// Version and expiry are checked before the plan is hashed; any failed
    /// check changes nothing.
    pub fn load_bundle(
        &mut self,
        bundle: &[u8],
        jwks: &str,
        now: Instant,
        grace_ms: i64,
    ) -> Result<LoadReport, Error> {
        let keys = crate::bundle::Jwks::parse(jwks)?;
        let opened = crate::bundle::open(bundle, &keys)?;
        let manifest = &opened.manifest;
        self.refuse_older(manifest.version)?;
        let expires_at = Instant::parse(&manifest.expires_at)?;
        if now.0 > expires_at.0.saturating_add(grace_ms.max(0)) {
            return Err(Error::SnapshotExpired {
                expires_at: expires_at.to_rfc3339(),
            });
        }
        manifest.covers(opened.plan)?;
        let plan = crate::plan::encoding::decode_covered(opened.plan)?;
        manifest.describes(&plan)?;
        let mut report = plan.report();
        report.kid = Some(opened.kid);
        report.stale = now > expires_at;
        self.snapshot = Some(plan);
        Ok(report)
    }

    /// The plan, if one is loaded.
    pub fn plan(&self) -> Option<&Plan> {
        self.snapshot.as_ref()
    }

    /// The held snapshot's automatic promotions (tiers switched on and not
    /// disabled by a load problem), in application order. A storefront
    /// sends them with every cart preview: those that apply discount it,
    /// and the others come back inapplicable with their reason and nudges
    /// (outside a time window, below a threshold).
    pub fn promotion_tiers(&self) -> Result<Vec<PromotionTierInfo>, Error> {
        let snap = self.snapshot.as_ref().ok_or(Error::NoSnapshot)?;
        let mut tiers: Vec<(usize, PromotionTierInfo)> = snap
            .redeemables
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.kind == RedeemableKind::PromotionTier && r.active && r.disabled.is_none()
            })
            .filter_map(|(pos, r)| {
                let camp = snap.campaigns.get(r.campaign).filter(|c| c.active)?;
                Some((
                    snap.rank.get(pos).copied().unwrap_or(usize::MAX),
                    PromotionTierInfo {
                        id: r.id.clone(),
                        name: r.name.clone(),
                        banner: r.banner.clone(),
                        campaign_id: camp.id.clone(),
                        campaign_name: camp.name.clone(),
                        categories: r.categories.to_vec(),
                    },
                ))
            })
            .collect();
        tiers.sort_by_key(|(rank, _)| *rank);
        Ok(tiers.into_iter().map(|(_, t)| t).collect())
    }

    /// Version, dates and staleness of the held snapshot.
    pub fn status(&self, now: Instant) -> Option<EngineStatus> {
        self.snapshot.as_ref().map(|s| EngineStatus {
            version: s.version,
            project: s.project.clone(),
            channel: s.channel.clone(),
            issued_at: s.issued_at.to_rfc3339(),
            expires_at: s.expires_at.to_rfc3339(),
            stale: now > s.expires_at,
            currency: s.currency.clone(),
            time_zone: s.tz.name.clone(),
        })
    }

    /// Validates stacked redeemables on an order at `now`.
    pub fn validate(
        &self,
        req: &ValidationRequest,
        now: Instant,
    ) -> Result<ValidationResponse, Error> {
        let snap = self.snapshot.as_ref().ok_or(Error::NoSnapshot)?;
        validate(snap, req, now)
    }

    /// [`Engine::validate`] from and to JSON text (the binding's bulk path).
    pub fn validate_json(&self, request: &str, now: &str) -> Result<String, Error> {
        let now = Instant::parse(now)?;
        let req: ValidationRequest = serde_json::from_str(request)?;
        let res = self.validate(&req, now)?;
        Ok(serde_json::to_string(&res)?)
    }

    /// Lists the redeemables that fit a customer and cart.
    pub fn qualify(
        &self,
        req: &QualificationRequest,
        now: Instant,
    ) -> Result<QualificationResponse, Error> {
        let snap = self.snapshot.as_ref().ok_or(Error::NoSnapshot)?;
        qualify(snap, req, now)
    }

    /// [`Engine::qualify`] from and to JSON text.
    pub fn qualify_json(&self, request: &str, now: &str) -> Result<String, Error> {
        let now = Instant::parse(now)?;
        let req: QualificationRequest = serde_json::from_str(request)?;
        Ok(serde_json::to_string(&self.qualify(&req, now)?)?)
    }

    /// Strikethrough prices for a batch of products.
    pub fn price_products<'a>(
        &'a self,
        req: &'a PricingRequest,
        now: Instant,
    ) -> Result<PricingResponse<'a>, Error> {
        let snap = self.snapshot.as_ref().ok_or(Error::NoSnapshot)?;
        price_products(snap, req, now)
    }

    /// [`Engine::price_products`] from and to JSON text.
    pub fn price_products_json(&self, request: &str, now: &str) -> Result<String, Error> {
        let now = Instant::parse(now)?;
        let req: PricingRequest = serde_json::from_str(request)?;
        let answer = self.price_products(&req, now)?;
        let mut out = String::with_capacity(600 * answer.products.len() + 32);
        crate::pricing::write_json(&answer, &mut out);
        Ok(out)
    }
}
