//! `Engine::load_plan` on hostile bytes: a documented error code or a load,
//! never a panic, an out-of-bounds read or a state change.
//!
//! Byte 0 picks the mode (even: raw, odd: structured); the rest is:
//!
//! * **raw** — the plan bytes themselves (the seeds are real compiled plans,
//!   so libFuzzer's own mutations start from valid headers);
//! * **structured** — byte 1 picks a real plan (a spec snapshot compiled
//!   at start, version raised above the held one), byte 2 an operation,
//!   and the rest its parameters:
//!   0 truncate, 1 pad, 2 flip bits (checksum left stale), 3 change the
//!   format-version byte, 4 flip bits in the body and recompute the
//!   checksum (so the postcard decoder and `Plan::check` are reached),
//!   5 overwrite, insert or delete body bytes and recompute length and
//!   checksum. Operations 0–4 know which code they must get and assert it.
//!
//! Every input is offered to two engines: an empty one and one holding the
//! empty version-0 plan. Both must agree; a refusal must leave the holder's
//! plan byte-identical; a plan that loads must answer fixed validate,
//! qualify and price calls without panicking (a decoded plan passed
//! `Plan::check`, so the evaluators may trust its positions).
#![no_main]

use libfuzzer_sys::fuzz_target;
use promo_edge::plan::encoding::HEADER;
use promo_edge::time::Instant;
use promo_edge::Engine;
use promo_edge_fuzz::{
    base_engine, check_error, compile_with_version, exercise, held_bytes, spec_source, NOW,
    SPEC_FILES,
};
use sha2::{Digest, Sha256};

/// Magic + format version, body length, checksum.
const HEAD: usize = 8 + 4 + 8;

thread_local! {
    /// Every spec plan at version 1000 + its index.
    static PLANS: Vec<Vec<u8>> = (0..SPEC_FILES.len())
        .map(|i| compile_with_version(&spec_source(i), 1000 + i as u64))
        .collect();
}

/// Rewrites the length and checksum fields for the current body.
fn reseal(plan: &mut Vec<u8>) {
    if plan.len() < HEAD {
        return;
    }
    let body_len = u32::try_from(plan.len() - HEAD).unwrap_or(u32::MAX);
    plan[8..12].copy_from_slice(&body_len.to_le_bytes());
    let sum = Sha256::digest(&plan[HEAD..]);
    plan[12..HEAD].copy_from_slice(&sum[..8]);
}

fn u16_at(p: &[u8], i: usize) -> usize {
    usize::from(p.get(i).copied().unwrap_or(0))
        | usize::from(p.get(i + 1).copied().unwrap_or(0)) << 8
}

/// The codes an operation may get (None: any documented code, or a load).
type Want = Option<&'static [&'static str]>;

/// Applies a structured operation; returns the bytes and what the engine
/// must answer.
fn mutate(plan: &[u8], op: u8, params: &[u8]) -> (Vec<u8>, Want) {
    let mut out = plan.to_vec();
    let body = plan.len() - HEAD;
    match op % 6 {
        0 => {
            // Truncate: anywhere from nothing to one byte short.
            let keep = (u16_at(params, 0) | usize::from(params.get(2).copied().unwrap_or(0)) << 16)
                % plan.len();
            out.truncate(keep);
            let want: &'static [&'static str] = if keep >= HEADER.len() {
                &["PLAN_TRUNCATED"]
            } else {
                // A few bytes: not recognisable as a plan at all.
                &["PLAN_INVALID", "PLAN_VERSION_UNSUPPORTED", "PLAN_TRUNCATED"]
            };
            (out, Some(want))
        }
        1 => {
            let n = 1 + u16_at(params, 0) % 4096;
            out.extend(params.iter().cycle().take(n));
            out.resize(plan.len() + n, 0);
            (out, Some(&["PLAN_TRAILING_BYTES"]))
        }
        2 => {
            // Flip bits without resealing: where they land decides the code.
            let (pos, mask) = (
                u16_at(params, 0) * 7919 % plan.len(),
                params.get(2).copied().unwrap_or(1).max(1),
            );
            out[pos] ^= mask;
            let want: &'static [&'static str] = match pos {
                0..=5 => &["PLAN_INVALID"],
                6 | 7 => &["PLAN_VERSION_UNSUPPORTED"],
                8..=11 => {
                    let len =
                        u32::from_le_bytes(out[8..12].try_into().unwrap_or_default()) as usize;
                    if len > body {
                        &["PLAN_TRUNCATED"]
                    } else {
                        &["PLAN_TRAILING_BYTES"]
                    }
                }
                _ => &["PLAN_CHECKSUM_MISMATCH"],
            };
            (out, Some(want))
        }
        3 => {
            let at = 6 + usize::from(params.first().copied().unwrap_or(0) & 1);
            let v = params.get(1).copied().unwrap_or(0);
            out[at] = if v == HEADER[at] {
                v.wrapping_add(1)
            } else {
                v
            };
            (out, Some(&["PLAN_VERSION_UNSUPPORTED"]))
        }
        4 => {
            for pair in params.chunks(3).take(8) {
                let pos = HEAD + u16_at(pair, 0) % body.max(1);
                if let Some(b) = out.get_mut(pos) {
                    *b ^= pair.get(2).copied().unwrap_or(1).max(1);
                }
            }
            reseal(&mut out);
            (out, None)
        }
        _ => {
            // Edit the body: each 4-byte group is (kind, position, value).
            for g in params.chunks(4).take(16) {
                let len = out.len() - HEAD;
                let pos = HEAD + u16_at(g, 1) % (len + 1);
                let value = g.get(3).copied().unwrap_or(0);
                match g.first().copied().unwrap_or(0) % 3 {
                    0 if pos < out.len() => out[pos] = value,
                    1 => out.insert(pos, value),
                    _ if pos < out.len() => {
                        out.remove(pos);
                    }
                    _ => {}
                }
            }
            reseal(&mut out);
            (out, None)
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let (bytes, want) = if mode % 2 == 0 {
        (rest.to_vec(), None)
    } else {
        let (Some(which), Some(op)) = (rest.first(), rest.get(1)) else {
            return;
        };
        let plan = PLANS.with(|p| p[usize::from(*which) % p.len()].clone());
        mutate(&plan, *op, rest.get(2..).unwrap_or_default())
    };

    let now = Instant::parse(NOW).expect("fixed now");
    let mut fresh = Engine::new();
    let mut holder = base_engine();
    let held = held_bytes(&holder);
    let held_status = holder.status(now);

    let a = fresh.load_plan(&bytes);
    let b = holder.load_plan(&bytes);
    match (&a, &b) {
        (Ok(ra), Ok(rb)) => {
            assert!(want.is_none(), "expected {want:?}, the plan loaded");
            assert_eq!(ra.version, rb.version);
            assert!(ra.version > 0);
            exercise(&fresh);
        }
        (Err(ea), Err(eb)) => {
            check_error(ea);
            assert_eq!(
                ea.code(),
                eb.code(),
                "the holder and a fresh engine disagree"
            );
            if let Some(codes) = want {
                assert!(
                    codes.contains(&ea.code()),
                    "expected one of {codes:?}, got {ea:?} ({} bytes)",
                    bytes.len()
                );
            }
            assert!(fresh.status(now).is_none(), "a refused plan was kept");
            assert_eq!(
                holder.status(now),
                held_status,
                "a refused plan changed the status"
            );
            assert_eq!(
                held_bytes(&holder),
                held,
                "a refused plan changed the held plan"
            );
        }
        // The holder holds version 0: only a version-0 plan differs.
        (Ok(r), Err(e)) if e.code() == "SNAPSHOT_NOT_NEWER" && r.version == 0 => {
            assert_eq!(held_bytes(&holder), held);
        }
        _ => panic!("a fresh engine answered {a:?}, the holder {b:?}"),
    }
});
