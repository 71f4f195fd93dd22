//! Target and difficulty helpers, and a rolling hash-rate estimator for dashboards.
//!
//! Targets and hashes are 32-byte Uint8Arrays in the wire's little-endian order (as in
//! messages); `targetToHex`/`targetFromHex` convert to and from the big-endian hex people read.

use crate::conv::{u256_of, u256_out};
use crate::errors::{invalid, js, Result};
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;
use std::collections::VecDeque;
use sv2::codec::U256;
use sv2::mining;

fn u256(what: &str, v: &Uint8Array) -> Result<U256> {
    u256_of(what, v)
}

/// Difficulty of a target (difficulty 1 = the bitcoin difficulty-1 target).
#[napi]
pub fn target_to_difficulty(target: Uint8Array) -> Result<f64> {
    Ok(mining::target_to_difficulty(u256("target", &target)?))
}

/// The target of a difficulty (> 0).
#[napi]
pub fn difficulty_to_target(difficulty: f64) -> Result<Uint8Array> {
    Ok(u256_out(
        &mining::difficulty_to_target(difficulty).map_err(js)?,
    ))
}

/// The difficulty a hash reaches.
#[napi]
pub fn difficulty_of_hash(hash: Uint8Array) -> Result<f64> {
    Ok(mining::difficulty_of_hash(u256("hash", &hash)?))
}

/// The target of compact nBits.
#[napi]
pub fn nbits_to_target(nbits: u32) -> Result<Uint8Array> {
    Ok(u256_out(&mining::nbits_to_target(nbits).map_err(js)?))
}

/// The compact nBits of a target.
#[napi]
pub fn target_to_nbits(target: Uint8Array) -> Result<u32> {
    Ok(mining::target_to_nbits(u256("target", &target)?))
}

/// True if `hash` ≤ `target` (both little-endian).
#[napi]
pub fn hash_meets_target(hash: Uint8Array, target: Uint8Array) -> Result<bool> {
    Ok(mining::hash_meets_target(
        u256("hash", &hash)?,
        u256("target", &target)?,
    ))
}

/// Shares per second a miner of `hashrate` (H/s) finds at `target`.
#[napi]
pub fn expected_share_rate(hashrate: f64, target: Uint8Array) -> Result<f64> {
    mining::expected_share_rate(hashrate, u256("target", &target)?).map_err(js)
}

/// Hash rate (H/s) implied by a share rate at `target`.
#[napi]
pub fn hashrate_from_share_rate(shares_per_second: f64, target: Uint8Array) -> Result<f64> {
    mining::hashrate_from_share_rate(shares_per_second, u256("target", &target)?).map_err(js)
}

/// The target at which `hashrate` yields `sharesPerSecond`.
#[napi]
pub fn target_for_share_rate(hashrate: f64, shares_per_second: f64) -> Result<Uint8Array> {
    Ok(u256_out(
        &mining::target_for_share_rate(hashrate, shares_per_second).map_err(js)?,
    ))
}

/// SHA256d of `data`, internal (little-endian) byte order.
#[napi]
pub fn double_sha256(data: Uint8Array) -> Uint8Array {
    u256_out(&mining::double_sha256(&data))
}

/// A target or hash as big-endian hex (the way block explorers print hashes).
#[napi]
pub fn target_to_hex(target: Uint8Array) -> Result<String> {
    let t = u256("target", &target)?;
    Ok(crate::conv::hex(&t.to_be_bytes()))
}

/// The little-endian 32 bytes of big-endian hex (64 digits).
#[napi]
pub fn target_from_hex(hex: String) -> Result<Uint8Array> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid("expected 64 hex digits"));
    }
    let mut be = [0u8; 32];
    for (i, b) in be.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| invalid("bad hex"))?;
    }
    Ok(u256_out(&U256::from_be_bytes(be)))
}

/// Hashes needed on average per difficulty-1 share: 2^48 / 0xffff.
#[napi]
pub const HASHES_PER_DIFFICULTY_1: f64 = sv2::mining::pool::HASHES_PER_DIFFICULTY_1;

/// Options of a `HashrateEstimator`.
#[napi(object)]
pub struct HashrateEstimatorOptions {
    /// Length of the rolling window in milliseconds (default 60000).
    pub window_ms: Option<f64>,
    /// Shares remembered at most (default 100000; the oldest are dropped first).
    pub max_shares: Option<u32>,
}

/// A rolling hash-rate estimate from accepted shares: the credited difficulty inside the window
/// times 2^48/0xffff hashes, divided by the window (or, while the estimator is younger than the
/// window, by the time since its first share). Clock-free: pass `nowMs` (any monotonic
/// milliseconds, e.g. `performance.now()` or `monotonicMs()`).
#[napi]
pub struct HashrateEstimator {
    window_ms: f64,
    max_shares: usize,
    shares: VecDeque<(f64, f64)>,
    sum: f64,
    started_ms: Option<f64>,
    total_shares: f64,
    total_difficulty: f64,
}

#[napi]
impl HashrateEstimator {
    /// A new, empty estimator.
    #[napi(constructor)]
    pub fn new(options: Option<HashrateEstimatorOptions>) -> Result<Self> {
        let (w, m) = options.map_or((None, None), |o| (o.window_ms, o.max_shares));
        let window_ms = w.unwrap_or(60_000.0);
        if !(window_ms.is_finite() && window_ms > 0.0) {
            return Err(invalid("windowMs must be > 0"));
        }
        Ok(HashrateEstimator {
            window_ms,
            max_shares: m.unwrap_or(100_000).max(1) as usize,
            shares: VecDeque::new(),
            sum: 0.0,
            started_ms: None,
            total_shares: 0.0,
            total_difficulty: 0.0,
        })
    }

    fn expire(&mut self, now_ms: f64) {
        while let Some(&(t, d)) = self.shares.front() {
            if t > now_ms - self.window_ms && self.shares.len() <= self.max_shares {
                break;
            }
            self.sum -= d;
            self.shares.pop_front();
        }
        if self.shares.is_empty() {
            self.sum = 0.0;
        }
    }

    /// Records an accepted share credited with `difficulty` at `nowMs`.
    #[napi]
    pub fn add_share(&mut self, difficulty: f64, now_ms: f64) -> Result<()> {
        if !(difficulty.is_finite() && difficulty >= 0.0 && now_ms.is_finite()) {
            return Err(invalid("difficulty must be finite and >= 0, nowMs finite"));
        }
        self.started_ms.get_or_insert(now_ms);
        self.shares.push_back((now_ms, difficulty));
        self.sum += difficulty;
        self.total_shares += 1.0;
        self.total_difficulty += difficulty;
        self.expire(now_ms);
        Ok(())
    }

    /// The estimate in hashes per second at `nowMs` (0 before any share).
    #[napi]
    pub fn hashrate(&mut self, now_ms: f64) -> f64 {
        self.expire(now_ms);
        let Some(start) = self.started_ms else {
            return 0.0;
        };
        // Young estimators divide by their age (at least one second), not the full window.
        let span = (now_ms - start).clamp(1000.0, self.window_ms);
        self.sum * HASHES_PER_DIFFICULTY_1 / (span / 1000.0)
    }

    /// Shares inside the window at `nowMs`.
    #[napi]
    pub fn shares_in_window(&mut self, now_ms: f64) -> u32 {
        self.expire(now_ms);
        self.shares.len() as u32
    }

    /// Shares recorded since creation.
    #[napi(getter)]
    pub fn total_shares(&self) -> f64 {
        self.total_shares
    }

    /// Credited difficulty recorded since creation.
    #[napi(getter)]
    pub fn total_difficulty(&self) -> f64 {
        self.total_difficulty
    }

    /// The window in milliseconds.
    #[napi(getter)]
    pub fn window_ms(&self) -> f64 {
        self.window_ms
    }
}
