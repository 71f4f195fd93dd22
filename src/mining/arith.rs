//! The few 256-bit operations target arithmetic needs, on `U256`'s little-endian limbs.
//!
//! Kept private: they serve difficulty and nBits conversions, not general big-integer use,
//! and every one of them is total (no overflow panics, saturating where documented).

use crate::codec::U256;

/// Number of significant bits (0 for zero).
pub(crate) fn bit_len(v: &U256) -> u32 {
    let limbs = v.to_limbs();
    for i in (0..4).rev() {
        if limbs[i] != 0 {
            return 64 * i as u32 + (64 - limbs[i].leading_zeros());
        }
    }
    0
}

/// The value as the nearest f64 (rounded from its top 128 bits, so the error is far below
/// one f64 ulp). 2^256 - 1 becomes 2^256, which f64 represents exactly.
pub(crate) fn to_f64(v: &U256) -> f64 {
    let bits = bit_len(v);
    let shift = bits.saturating_sub(128);
    let top = shr_bits(v, shift).to_limbs();
    let top128 = (u128::from(top[1]) << 64) | u128::from(top[0]);
    // powi(2) of an integer exponent ≤ 128 is exact.
    top128 as f64 * 2f64.powi(shift as i32)
}

/// floor(x) as a U256, saturating: NaN and values < 1 give 0, values ≥ 2^256 give MAX.
pub(crate) fn from_f64_saturating(x: f64) -> U256 {
    if x.is_nan() || x < 1.0 {
        return U256::ZERO;
    }
    if x >= 2f64.powi(256) {
        return U256::MAX;
    }
    // x is a normal float in [1, 2^256): x = mantissa · 2^exp with a 53-bit mantissa.
    let raw = x.to_bits();
    let exp = ((raw >> 52) & 0x7ff) as i32 - 1075;
    let mantissa = (raw & ((1u64 << 52) - 1)) | (1u64 << 52);
    if exp >= 0 {
        // exp ≤ 203 here, since x < 2^256.
        shl_bits(&U256::from_limbs([mantissa, 0, 0, 0]), exp as u32)
    } else {
        // -exp ≤ 52 because x ≥ 1.
        U256::from_limbs([mantissa >> (-exp) as u32, 0, 0, 0])
    }
}

/// v << n, dropping bits shifted past 2^256.
pub(crate) fn shl_bits(v: &U256, n: u32) -> U256 {
    if n >= 256 {
        return U256::ZERO;
    }
    let src = v.to_limbs();
    let (limb_shift, bit_shift) = ((n / 64) as usize, n % 64);
    let mut out = [0u64; 4];
    for (j, dst) in out.iter_mut().skip(limb_shift).enumerate() {
        *dst = src[j] << bit_shift;
        if bit_shift != 0 && j > 0 {
            *dst |= src[j - 1] >> (64 - bit_shift);
        }
    }
    U256::from_limbs(out)
}

/// v >> n.
pub(crate) fn shr_bits(v: &U256, n: u32) -> U256 {
    if n >= 256 {
        return U256::ZERO;
    }
    let src = v.to_limbs();
    let (limb_shift, bit_shift) = ((n / 64) as usize, n % 64);
    let mut out = [0u64; 4];
    for (i, dst) in out.iter_mut().take(4 - limb_shift).enumerate() {
        let j = i + limb_shift;
        *dst = src[j] >> bit_shift;
        if bit_shift != 0 && j + 1 < 4 {
            *dst |= src[j + 1] << (64 - bit_shift);
        }
    }
    U256::from_limbs(out)
}

/// floor(v / d) for a non-zero 64-bit divisor (schoolbook, one limb at a time);
/// `d == 0` saturates to MAX rather than panicking.
pub(crate) fn div_u64(v: &U256, d: u64) -> U256 {
    if d == 0 {
        return U256::MAX;
    }
    let src = v.to_limbs();
    let mut out = [0u64; 4];
    let mut rem: u128 = 0;
    for i in (0..4).rev() {
        let cur = (rem << 64) | u128::from(src[i]);
        // cur < d · 2^64, so the quotient fits in a u64.
        out[i] = (cur / u128::from(d)) as u64;
        rem = cur % u128::from(d);
    }
    U256::from_limbs(out)
}

/// v + 1, saturating at MAX (tests build targets one above a hash with it).
#[cfg(test)]
pub(crate) fn add_one_saturating(v: &U256) -> U256 {
    let mut limbs = v.to_limbs();
    for limb in limbs.iter_mut() {
        let (sum, carry) = limb.overflowing_add(1);
        *limb = sum;
        if !carry {
            return U256::from_limbs(limbs);
        }
    }
    U256::MAX
}

/// v - 1, saturating at 0.
pub(crate) fn sub_one_saturating(v: &U256) -> U256 {
    if *v == U256::ZERO {
        return U256::ZERO;
    }
    let mut limbs = v.to_limbs();
    for limb in limbs.iter_mut() {
        let (diff, borrow) = limb.overflowing_sub(1);
        *limb = diff;
        if !borrow {
            break;
        }
    }
    U256::from_limbs(limbs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_and_division() {
        let one = U256::from_limbs([1, 0, 0, 0]);
        assert_eq!(shl_bits(&one, 255).to_limbs(), [0, 0, 0, 1 << 63]);
        assert_eq!(shr_bits(&shl_bits(&one, 200), 200), one);
        assert_eq!(shl_bits(&one, 256), U256::ZERO);
        let x = U256::from_limbs([5, 7, 9, 11]);
        assert_eq!(
            shl_bits(&shr_bits(&x, 70), 70),
            U256::from_limbs([0, 7 & !0x3f, 9, 11])
        );
        let y = U256::from_limbs([5, 7, 9, 0]);
        assert_eq!(shr_bits(&shl_bits(&y, 70), 70), y);
        assert_eq!(
            div_u64(&U256::from_limbs([0, 0, 0, 6]), 3).to_limbs(),
            [0, 0, 0, 2]
        );
        assert_eq!(div_u64(&x, 0), U256::MAX);
        assert_eq!(add_one_saturating(&U256::MAX), U256::MAX);
        assert_eq!(
            add_one_saturating(&U256::from_limbs([u64::MAX, 0, 0, 0])).to_limbs(),
            [0, 1, 0, 0]
        );
        assert_eq!(
            sub_one_saturating(&U256::from_limbs([0, 1, 0, 0])).to_limbs(),
            [u64::MAX, 0, 0, 0]
        );
        assert_eq!(sub_one_saturating(&U256::ZERO), U256::ZERO);
    }

    #[test]
    fn float_conversions() {
        assert_eq!(to_f64(&U256::ZERO), 0.0);
        assert_eq!(to_f64(&U256::MAX), 2f64.powi(256));
        assert_eq!(to_f64(&U256::from_limbs([0, 0, 0, 1])), 2f64.powi(192));
        assert_eq!(from_f64_saturating(f64::NAN), U256::ZERO);
        assert_eq!(from_f64_saturating(0.99), U256::ZERO);
        assert_eq!(from_f64_saturating(f64::INFINITY), U256::MAX);
        assert_eq!(
            from_f64_saturating(2f64.powi(192)),
            U256::from_limbs([0, 0, 0, 1])
        );
        assert_eq!(
            from_f64_saturating(12345.7),
            U256::from_limbs([12345, 0, 0, 0])
        );
        assert_eq!(bit_len(&U256::MAX), 256);
        assert_eq!(bit_len(&U256::ZERO), 0);
    }
}
