//! Targets, difficulty, nBits and share rates (spec 04 §4.3.21, CHECKLIST C.7).
//!
//! A target is a [`U256`] in the wire's little-endian order, and a share is valid iff its
//! SHA256d, read the same way, is ≤ the target (R98). Difficulty is "bdiff": difficulty 1 is
//! the target `0x00000000ffff0000…0` (nBits `0x1d00ffff`), and difficulty `d` is that target
//! divided by `d`. Difficulty is only a display and accounting unit; every protocol decision
//! is made on targets, so the f64 rounding in difficulty never changes a share's validity.

use super::arith;
use super::MathError;
use crate::codec::U256;

/// The difficulty-1 target, `0x00000000ffff0000…0` (`0xffff · 2^208`), as LE bytes.
pub const DIFFICULTY_1_TARGET: U256 = {
    let mut b = [0u8; 32];
    b[26] = 0xff;
    b[27] = 0xff;
    U256(b)
};

/// 2^256 as f64 (exact: a power of two).
fn two_pow_256() -> f64 {
    2f64.powi(256)
}

/// Difficulty of a target: `DIFFICULTY_1_TARGET / target`.
///
/// Target 0 (only the all-zero hash would pass) has difficulty `f64::INFINITY`. Targets above
/// difficulty 1 (e.g. regtest) give difficulties below 1. Never fails.
pub fn target_to_difficulty(target: U256) -> f64 {
    if target == U256::ZERO {
        return f64::INFINITY;
    }
    arith::to_f64(&DIFFICULTY_1_TARGET) / arith::to_f64(&target)
}

/// The difficulty a hash reaches, i.e. the highest difficulty whose target it still meets
/// (for "best share" accounting). The all-zero hash gives `f64::INFINITY`.
pub fn difficulty_of_hash(hash: U256) -> f64 {
    target_to_difficulty(hash)
}

/// Target for a difficulty: `floor(DIFFICULTY_1_TARGET / difficulty)`, clamped to `[1, MAX]`.
///
/// Whole-number difficulties below 2^64 (what pools and vardiff normally use) are divided
/// exactly in 256-bit integers; other values go through f64 and keep 53 significant bits.
/// Very small difficulties saturate at `U256::MAX`, very large ones at target 1, so the result
/// is always a usable `SetTarget` value.
///
/// # Errors
/// [`MathError::InvalidDifficulty`] for 0, negative, NaN or infinite input.
pub fn difficulty_to_target(difficulty: f64) -> Result<U256, MathError> {
    if !(difficulty.is_finite() && difficulty > 0.0) {
        return Err(MathError::InvalidDifficulty);
    }
    // 18446744073709551615.0 rounds up to 2^64, so compare strictly below 2^64.
    let target = if difficulty.fract() == 0.0 && difficulty < 2f64.powi(64) {
        arith::div_u64(&DIFFICULTY_1_TARGET, difficulty as u64)
    } else {
        arith::from_f64_saturating(arith::to_f64(&DIFFICULTY_1_TARGET) / difficulty)
    };
    Ok(clamp_target(target))
}

/// Raises 0 to 1: a zero target is legal on the wire but no share can ever meet it.
fn clamp_target(target: U256) -> U256 {
    if target == U256::ZERO {
        U256::from_limbs([1, 0, 0, 0])
    } else {
        target
    }
}

/// Decodes compact nBits into a target, as bitcoin consensus does.
///
/// nBits is `mantissa · 256^(exponent − 3)` with a 23-bit mantissa, a sign bit and an 8-bit
/// exponent. A zero mantissa decodes to 0 whatever the sign bit says.
///
/// # Errors
/// [`MathError::NegativeNbits`] if the sign bit is set with a non-zero mantissa;
/// [`MathError::OverflowNbits`] if the value needs more than 256 bits.
pub fn nbits_to_target(nbits: u32) -> Result<U256, MathError> {
    let exponent = nbits >> 24;
    let mantissa = nbits & 0x007f_ffff;
    if mantissa == 0 {
        return Ok(U256::ZERO);
    }
    if nbits & 0x0080_0000 != 0 {
        return Err(MathError::NegativeNbits(nbits));
    }
    // The mantissa's highest non-zero byte must land inside 32 bytes.
    let overflow =
        exponent > 34 || (mantissa > 0xff && exponent > 33) || (mantissa > 0xffff && exponent > 32);
    if overflow {
        return Err(MathError::OverflowNbits(nbits));
    }
    let m = U256::from_limbs([u64::from(mantissa), 0, 0, 0]);
    Ok(if exponent <= 3 {
        arith::shr_bits(&m, 8 * (3 - exponent))
    } else {
        arith::shl_bits(&m, 8 * (exponent - 3))
    })
}

/// Encodes a target as compact nBits, as bitcoin's `GetCompact` does.
///
/// Lossy: only the three most significant bytes survive, rounded down, so
/// `nbits_to_target(target_to_nbits(t)) ≤ t`, with equality when `t` has ≤ 3 significant
/// bytes. Never fails: every 256-bit value fits the encoding.
pub fn target_to_nbits(target: U256) -> u32 {
    let mut size = arith::bit_len(&target).div_ceil(8);
    let mut compact = if size <= 3 {
        target.to_limbs()[0] << (8 * (3 - size))
    } else {
        arith::shr_bits(&target, 8 * (size - 3)).to_limbs()[0]
    };
    // 0x00800000 is the sign bit: if the mantissa would set it, move one byte down.
    if compact & 0x0080_0000 != 0 {
        compact >>= 8;
        size += 1;
    }
    // compact < 2^23 and size ≤ 33 here, so the casts and the shift are lossless.
    (compact as u32) | (size << 24)
}

/// R98: a share is valid iff its hash, read as a little-endian integer, is ≤ the target.
#[inline]
pub fn hash_meets_target(hash: U256, target: U256) -> bool {
    hash <= target
}

fn check_hashrate(hashrate: f64) -> Result<(), MathError> {
    if hashrate.is_finite() && hashrate >= 0.0 {
        Ok(())
    } else {
        Err(MathError::InvalidHashrate)
    }
}

/// Expected shares per second from `hashrate` hashes/s on `target`.
///
/// A uniformly random hash meets the target with probability `(target + 1) / 2^256`, so the
/// rate is `hashrate · (target + 1) / 2^256`.
///
/// # Errors
/// [`MathError::InvalidHashrate`] for negative, NaN or infinite hash rates.
pub fn expected_share_rate(hashrate: f64, target: U256) -> Result<f64, MathError> {
    check_hashrate(hashrate)?;
    let p = (arith::to_f64(&target) + 1.0) / two_pow_256();
    Ok(hashrate * p)
}

/// Hash rate implied by observing `shares_per_second` on `target` (vardiff's estimate):
/// `shares_per_second · 2^256 / (target + 1)`.
///
/// # Errors
/// [`MathError::InvalidShareRate`] for negative, NaN or infinite rates (0 is allowed and
/// gives 0). The result may be `f64::INFINITY` for absurd inputs on tiny targets.
pub fn hashrate_from_share_rate(shares_per_second: f64, target: U256) -> Result<f64, MathError> {
    if !(shares_per_second.is_finite() && shares_per_second >= 0.0) {
        return Err(MathError::InvalidShareRate);
    }
    let p = (arith::to_f64(&target) + 1.0) / two_pow_256();
    Ok(shares_per_second / p)
}

/// The target at which `hashrate` hashes/s produces `shares_per_second` shares on average
/// (vardiff): `target = shares_per_second · 2^256 / hashrate − 1`, clamped into `[1, MAX]`.
///
/// A hash rate of 0 (nothing known yet) yields `U256::MAX`: the easiest target, which the
/// first shares then correct.
///
/// # Errors
/// [`MathError::InvalidHashrate`] for negative, NaN or infinite hash rates;
/// [`MathError::InvalidShareRate`] for a share rate that is not finite and > 0.
pub fn target_for_share_rate(hashrate: f64, shares_per_second: f64) -> Result<U256, MathError> {
    check_hashrate(hashrate)?;
    if !(shares_per_second.is_finite() && shares_per_second > 0.0) {
        return Err(MathError::InvalidShareRate);
    }
    if hashrate == 0.0 {
        return Ok(U256::MAX);
    }
    // target + 1; ≥ 2^256 (including +inf for extreme ratios) means "every hash is a share".
    let plus_one = shares_per_second / hashrate * two_pow_256();
    if plus_one >= two_pow_256() {
        return Ok(U256::MAX);
    }
    let target = arith::sub_one_saturating(&arith::from_f64_saturating(plus_one));
    Ok(clamp_target(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_be_hex(s: &str) -> U256 {
        let mut be = [0u8; 32];
        let bytes = hex::decode(s).unwrap();
        be[32 - bytes.len()..].copy_from_slice(&bytes);
        U256::from_be_bytes(be)
    }

    fn close(a: f64, b: f64) -> bool {
        ((a - b) / b).abs() < 1e-12
    }

    #[test]
    fn difficulty_one_is_nbits_1d00ffff() {
        let t = nbits_to_target(0x1d00ffff).unwrap();
        assert_eq!(t, DIFFICULTY_1_TARGET);
        assert_eq!(
            t,
            from_be_hex("00000000ffff0000000000000000000000000000000000000000000000000000")
        );
        assert_eq!(target_to_nbits(DIFFICULTY_1_TARGET), 0x1d00ffff);
        assert_eq!(target_to_difficulty(DIFFICULTY_1_TARGET), 1.0);
        assert_eq!(difficulty_to_target(1.0).unwrap(), DIFFICULTY_1_TARGET);
    }

    #[test]
    fn regtest_nbits() {
        let t = nbits_to_target(0x207fffff).unwrap();
        assert_eq!(
            t,
            from_be_hex("7fffff0000000000000000000000000000000000000000000000000000000000")
        );
        assert_eq!(target_to_nbits(t), 0x207fffff);
        assert!(close(target_to_difficulty(t), 4.656542373906925e-10));
        // Difficulty below one maps back to (about) the same regtest target.
        let back = difficulty_to_target(target_to_difficulty(t)).unwrap();
        assert_eq!(target_to_nbits(back), 0x207fffff);
    }

    #[test]
    fn mainnet_block_125552_difficulty() {
        // nBits 0x1a44b9f2; explorers show difficulty 244,112.48777433 for this block.
        let t = nbits_to_target(0x1a44b9f2).unwrap();
        assert_eq!(
            t,
            from_be_hex("44b9f20000000000000000000000000000000000000000000000")
        );
        assert!((target_to_difficulty(t) - 244_112.487_774_33).abs() < 1e-6);
    }

    #[test]
    fn compact_encoding_edge_cases() {
        // The cases bitcoin's own arith tests pin down.
        assert_eq!(nbits_to_target(0x01003456).unwrap(), U256::ZERO);
        assert_eq!(nbits_to_target(0x00123456).unwrap(), U256::ZERO);
        assert_eq!(
            nbits_to_target(0x01123456).unwrap(),
            U256::from_limbs([0x12, 0, 0, 0])
        );
        assert_eq!(
            target_to_nbits(U256::from_limbs([0x12, 0, 0, 0])),
            0x01120000
        );
        assert_eq!(
            nbits_to_target(0x02008000).unwrap(),
            U256::from_limbs([0x80, 0, 0, 0])
        );
        assert_eq!(
            target_to_nbits(U256::from_limbs([0x80, 0, 0, 0])),
            0x02008000
        );
        assert_eq!(
            nbits_to_target(0x05009234).unwrap(),
            U256::from_limbs([0x9234_0000, 0, 0, 0])
        );
        assert_eq!(
            target_to_nbits(U256::from_limbs([0x9234_0000, 0, 0, 0])),
            0x05009234
        );
        assert_eq!(
            nbits_to_target(0x01fedcba),
            Err(MathError::NegativeNbits(0x01fedcba))
        );
        assert_eq!(
            nbits_to_target(0x04923456),
            Err(MathError::NegativeNbits(0x04923456))
        );
        assert_eq!(
            nbits_to_target(0x00800000).unwrap(),
            U256::ZERO,
            "sign bit on zero"
        );
        let big = nbits_to_target(0x20123456).unwrap();
        assert_eq!(
            big,
            from_be_hex("1234560000000000000000000000000000000000000000000000000000000000")
        );
        assert_eq!(target_to_nbits(big), 0x20123456);
        assert_eq!(
            nbits_to_target(0xff123456),
            Err(MathError::OverflowNbits(0xff123456))
        );
        assert_eq!(
            nbits_to_target(0x21010000),
            Err(MathError::OverflowNbits(0x21010000))
        );
        assert_eq!(
            nbits_to_target(0x22000001).unwrap(),
            arith::shl_bits(&U256::from_limbs([1, 0, 0, 0]), 248)
        );
        assert_eq!(target_to_nbits(U256::ZERO), 0);
        assert_eq!(target_to_nbits(U256::MAX), 0x2100ffff);
        // Lossy direction: rounds down.
        let t = from_be_hex("00000000ffffffffffff");
        assert!(nbits_to_target(target_to_nbits(t)).unwrap() <= t);
    }

    #[test]
    fn share_validity_is_hash_le_target() {
        // R98: hash == target accepted, target + 1 rejected.
        let t = nbits_to_target(0x1b0404cb).unwrap();
        assert!(hash_meets_target(t, t));
        assert!(!hash_meets_target(arith::add_one_saturating(&t), t));
        assert!(hash_meets_target(U256::ZERO, U256::ZERO));
        assert!(hash_meets_target(U256::MAX, U256::MAX));
    }

    #[test]
    fn difficulty_extremes() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0] {
            assert_eq!(difficulty_to_target(bad), Err(MathError::InvalidDifficulty));
        }
        assert_eq!(difficulty_to_target(1e-300).unwrap(), U256::MAX);
        assert_eq!(difficulty_to_target(f64::MIN_POSITIVE).unwrap(), U256::MAX);
        assert_eq!(
            difficulty_to_target(1e300).unwrap(),
            U256::from_limbs([1, 0, 0, 0])
        );
        assert_eq!(
            difficulty_to_target(f64::MAX).unwrap(),
            U256::from_limbs([1, 0, 0, 0])
        );
        assert_eq!(target_to_difficulty(U256::ZERO), f64::INFINITY);
        assert_eq!(difficulty_of_hash(U256::ZERO), f64::INFINITY);
        assert!(close(
            target_to_difficulty(U256::MAX),
            65535.0 / 2f64.powi(48)
        ));
        // Whole-number difficulties are exact integer divisions.
        let t7 = difficulty_to_target(7.0).unwrap();
        assert_eq!(t7, arith::div_u64(&DIFFICULTY_1_TARGET, 7));
        assert_eq!(
            difficulty_to_target(1024.0).unwrap(),
            arith::shr_bits(&DIFFICULTY_1_TARGET, 10)
        );
        assert!(close(
            target_to_difficulty(difficulty_to_target(12.5).unwrap()),
            12.5
        ));
        assert!(close(
            difficulty_of_hash(difficulty_to_target(3e9).unwrap()),
            3e9
        ));
    }

    #[test]
    fn share_rates() {
        // 1 TH/s on difficulty 1: 1e12 / (2^32 · 65536/65535) ≈ 232.83 shares/s.
        let r = expected_share_rate(1e12, DIFFICULTY_1_TARGET).unwrap();
        assert!((r - 1e12 / (2f64.powi(32) * 65536.0 / 65535.0)).abs() < 1e-6);
        assert_eq!(expected_share_rate(5.0, U256::MAX).unwrap(), 5.0);
        assert!(close(
            hashrate_from_share_rate(r, DIFFICULTY_1_TARGET).unwrap(),
            1e12
        ));
        // Vardiff: 100 TH/s, one share every 10 s.
        let t = target_for_share_rate(100e12, 0.1).unwrap();
        assert!(close(expected_share_rate(100e12, t).unwrap(), 0.1));
        // Clamps.
        assert_eq!(target_for_share_rate(0.0, 1.0).unwrap(), U256::MAX);
        assert_eq!(target_for_share_rate(1.0, 10.0).unwrap(), U256::MAX);
        assert_eq!(
            target_for_share_rate(f64::MAX, 1e-300).unwrap(),
            U256::from_limbs([1, 0, 0, 0])
        );
        assert_eq!(target_for_share_rate(1e-300, f64::MAX).unwrap(), U256::MAX);
        // Errors.
        assert_eq!(
            target_for_share_rate(f64::NAN, 1.0),
            Err(MathError::InvalidHashrate)
        );
        assert_eq!(
            target_for_share_rate(-1.0, 1.0),
            Err(MathError::InvalidHashrate)
        );
        assert_eq!(
            target_for_share_rate(1.0, 0.0),
            Err(MathError::InvalidShareRate)
        );
        assert_eq!(
            target_for_share_rate(1.0, f64::INFINITY),
            Err(MathError::InvalidShareRate)
        );
        assert_eq!(
            expected_share_rate(f64::INFINITY, U256::MAX),
            Err(MathError::InvalidHashrate)
        );
        assert_eq!(
            hashrate_from_share_rate(-0.5, U256::MAX),
            Err(MathError::InvalidShareRate)
        );
        assert_eq!(hashrate_from_share_rate(0.0, U256::ZERO).unwrap(), 0.0);
    }
}
