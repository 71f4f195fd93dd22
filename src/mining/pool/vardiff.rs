//! Per-channel variable difficulty and the rolling hash rate estimate.
//!
//! The controller counts accepted shares in a window. Shares arrive as a Poisson process,
//! so over a short window the count is noisy (at 10 shares/min, 30 s gives 5 ± 2.2). The
//! rules therefore only act on evidence:
//!
//! * **fast path**: `fast_path_shares` shares before `min_window_ms` means the target is far
//!   too easy (a device announcing 0 h/s gets the easiest target);
//! * **clear drift**: after `min_window_ms`, act if observed/expected leaves
//!   `[1/tolerance, tolerance]` and the evidence is not a handful of shares (≥ 8 observed when
//!   too fast, ≥ 8 expected when too slow);
//! * **fine tuning**: at `max_window_ms` the window is always evaluated and restarted, and a
//!   drift beyond `fine_tolerance` is corrected.
//!
//! Each step changes the difficulty by at most `max_step`, so a burst (a proxy flushing a
//! queue of shares) moves the target a bounded amount and the next window corrects it.

use super::config::VardiffConfig;
use crate::codec::U256;
use crate::mining::{difficulty_to_target, target_to_difficulty, DIFFICULTY_1_TARGET};

/// Hashes per difficulty-1 share on average: `2^256 / (DIFFICULTY_1_TARGET + 1)`
/// = `2^48 / 0xffff`.
pub const HASHES_PER_DIFFICULTY_1: f64 = 281_474_976_710_656.0 / 65_535.0;

/// The controller's per-channel state (12 bytes).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Vardiff {
    pub(crate) window_start_ms: u64,
    pub(crate) shares: u32,
}

impl Vardiff {
    pub(crate) fn new(now_ms: u64) -> Self {
        Vardiff {
            window_start_ms: now_ms,
            shares: 0,
        }
    }

    /// Restarts the window (after a target change of any cause).
    pub(crate) fn restart(&mut self, now_ms: u64) {
        *self = Vardiff::new(now_ms);
    }

    /// Decides whether `target` should change, given the shares counted so far. Returns the
    /// new target (already within `[min_target, max_target]`) or `None`. Restarts the window
    /// whenever it was evaluated.
    pub(crate) fn evaluate(
        &mut self,
        cfg: &VardiffConfig,
        now_ms: u64,
        target: U256,
        min_target: U256,
        max_target: U256,
    ) -> Option<U256> {
        if !cfg.enabled {
            return None;
        }
        let elapsed_ms = now_ms.saturating_sub(self.window_start_ms);
        let shares = f64::from(self.shares);
        let expected = cfg.shares_per_minute * elapsed_ms as f64 / 60_000.0;
        let fast = self.shares >= cfg.fast_path_shares && elapsed_ms < cfg.min_window_ms;
        let in_window = elapsed_ms >= cfg.min_window_ms;
        let too_fast = in_window && shares >= 8.0 && shares > expected * cfg.tolerance;
        let too_slow = in_window && expected >= 8.0 && shares * cfg.tolerance < expected;
        let full = elapsed_ms >= cfg.max_window_ms;
        if !(fast || too_fast || too_slow || full) {
            return None;
        }
        self.restart(now_ms);
        // Ratio of the observed to the wanted share rate. With no share at all, assume half
        // a share: the step is then bounded by max_step anyway.
        let observed = if shares > 0.0 { shares } else { 0.5 };
        let ratio = observed / expected.max(f64::MIN_POSITIVE);
        if full && !(fast || too_fast || too_slow) {
            let fine = cfg.fine_tolerance;
            if ratio <= fine && ratio >= 1.0 / fine {
                return None;
            }
        }
        let step = ratio.clamp(1.0 / cfg.max_step, cfg.max_step);
        retarget(target, step, min_target, max_target)
    }
}

/// `target` made `step` times harder (difficulty × step), clamped to the bounds. `None` if the
/// result equals `target`.
pub(crate) fn retarget(
    target: U256,
    step: f64,
    min_target: U256,
    max_target: U256,
) -> Option<U256> {
    let difficulty = target_to_difficulty(target) * step;
    let new = difficulty_to_target(difficulty).ok()?;
    let new = new.clamp(min_target, max_target);
    (new != target).then_some(new)
}

/// The target that makes `hashrate` produce the configured share rate, in bounds.
pub(crate) fn target_for_hashrate(
    cfg: &VardiffConfig,
    hashrate: f64,
    min_target: U256,
    max_target: U256,
) -> U256 {
    // R6: NaN, infinite and negative hash rates count as unknown (0).
    let hashrate = if hashrate.is_finite() && hashrate > 0.0 {
        hashrate
    } else {
        0.0
    };
    let per_second = cfg.shares_per_minute / 60.0;
    let target = crate::mining::target_for_share_rate(hashrate, per_second).unwrap_or(U256::MAX);
    target.clamp(min_target, max_target)
}

/// Difficulty a hash reaches (for best-share accounting), cheaply: the hash as f64 from its
/// four 64-bit limbs, no 256-bit shifting. Relative error below 2^-52, plenty for statistics.
pub(crate) fn hash_difficulty(hash: &U256) -> f64 {
    const TWO64: f64 = 18_446_744_073_709_551_616.0;
    let l = hash.to_limbs();
    let v = ((l[3] as f64 * TWO64 + l[2] as f64) * TWO64 + l[1] as f64) * TWO64 + l[0] as f64;
    if v == 0.0 {
        return f64::INFINITY;
    }
    // DIFFICULTY_1_TARGET = 0xffff · 2^208.
    65_535.0 * 2f64.powi(208) / v
}

/// Difficulty of a target, with the difficulty-1 target as 1.
pub(crate) fn difficulty(target: U256) -> f64 {
    debug_assert!(DIFFICULTY_1_TARGET > U256::ZERO);
    target_to_difficulty(target)
}

/// Exponentially decaying sum of accepted difficulty; its rate is the hash rate estimate.
///
/// `acc` decays with time constant `window`; the estimate divides by the window's effective
/// length so far, so young channels are not under-estimated.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HashrateEstimator {
    acc: f64,
    last_ms: u64,
    since_ms: u64,
}

impl HashrateEstimator {
    pub(crate) fn new(now_ms: u64) -> Self {
        HashrateEstimator {
            acc: 0.0,
            last_ms: now_ms,
            since_ms: now_ms,
        }
    }

    fn decay(window_ms: u64, dt_ms: u64) -> f64 {
        (-(dt_ms as f64) / window_ms as f64).exp()
    }

    pub(crate) fn add(&mut self, window_ms: u64, now_ms: u64, difficulty: f64) {
        let dt = now_ms.saturating_sub(self.last_ms);
        if dt > 0 {
            self.acc *= Self::decay(window_ms, dt);
            self.last_ms = now_ms;
        }
        if difficulty.is_finite() {
            self.acc += difficulty;
        }
    }

    /// Hashes per second.
    pub(crate) fn hashrate(&self, window_ms: u64, now_ms: u64) -> f64 {
        let acc = self.acc * Self::decay(window_ms, now_ms.saturating_sub(self.last_ms));
        let age = now_ms.saturating_sub(self.since_ms);
        // ∫ e^{-t/τ} over the channel's life: τ(1 − e^{−age/τ}), in seconds.
        let effective_s = window_ms as f64 / 1000.0 * (1.0 - Self::decay(window_ms, age));
        if effective_s <= 0.0 {
            return 0.0;
        }
        acc * HASHES_PER_DIFFICULTY_1 / effective_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> VardiffConfig {
        VardiffConfig::default()
    }

    fn one() -> U256 {
        let mut b = [0u8; 32];
        b[0] = 1;
        U256::from_le_bytes(b)
    }

    #[test]
    fn steady_rate_keeps_target() {
        let c = cfg();
        let t = difficulty_to_target(1000.0).unwrap();
        let mut v = Vardiff::new(0);
        // 10 shares per minute for 5 minutes: no change before or at the full window.
        for i in 1..=50u64 {
            v.shares += 1;
            assert_eq!(
                v.evaluate(&c, i * 6_000 - 1, t, one(), U256::MAX),
                None,
                "share {i}"
            );
        }
    }

    #[test]
    fn too_easy_target_gets_harder_bounded_by_step() {
        let c = cfg();
        let t = difficulty_to_target(1.0).unwrap();
        let mut v = Vardiff::new(0);
        v.shares = 64;
        let new = v.evaluate(&c, 1_000, t, one(), U256::MAX);
        let new = new.expect("fast path");
        let d = difficulty(new);
        assert!((d - 8.0).abs() < 1e-6, "step bounded to 8x, got {d}");
    }

    #[test]
    fn silent_channel_gets_easier() {
        let c = cfg();
        let t = difficulty_to_target(1_000_000.0).unwrap();
        let mut v = Vardiff::new(0);
        let new = v
            .evaluate(&c, 60_000, t, one(), U256::MAX)
            .expect("too slow");
        assert!(difficulty(new) < 1_000_000.0 / 7.9);
    }

    #[test]
    fn fast_hash_difficulty_matches() {
        for t in [
            DIFFICULTY_1_TARGET,
            one(),
            U256::MAX,
            difficulty_to_target(12345.0).unwrap(),
        ] {
            let (a, b) = (hash_difficulty(&t), target_to_difficulty(t));
            assert!((a / b - 1.0).abs() < 1e-12, "{a} {b}");
        }
        assert_eq!(hash_difficulty(&U256::ZERO), f64::INFINITY);
    }

    #[test]
    fn hashrate_estimate_converges() {
        // Difficulty 1 every second ≈ 4.295 GH/s.
        let mut e = HashrateEstimator::new(0);
        for s in 1..=3600u64 {
            e.add(600_000, s * 1000, 1.0);
        }
        let h = e.hashrate(600_000, 3_600_000);
        assert!((h / HASHES_PER_DIFFICULTY_1 - 1.0).abs() < 0.01, "{h}");
    }
}
