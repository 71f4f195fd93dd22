//! Fixed-size SHA-256 building blocks on top of `sha2::compress256`.
//!
//! The per-share path hashes only fixed shapes (an 80-byte header, a 64-byte merkle node, a
//! 32-byte first-round digest), so we pad them by hand and call the compression function
//! directly: no buffering, no length bookkeeping, no allocation. `compress256` dispatches to
//! SHA-NI / ARMv8 SHA instructions when the CPU has them.

use sha2::digest::generic_array::GenericArray;

/// SHA-256 initial hash value (FIPS 180-4 §5.3.3).
pub(crate) const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Runs one compression of `block` into `state`.
#[inline(always)]
pub(crate) fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    sha2::compress256(state, &[GenericArray::from(*block)]);
}

/// The digest bytes of a finished state (words are big-endian in SHA-256 output).
#[inline(always)]
pub(crate) fn state_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The padding block that follows exactly 64 message bytes: 0x80, zeros, bit length 512.
const PAD_AFTER_64: [u8; 64] = {
    let mut b = [0u8; 64];
    b[0] = 0x80;
    b[62] = 0x02; // 512 = 0x0200, big-endian in the last 8 bytes
    b
};

/// Second SHA-256 round of a double hash: SHA-256 of a 32-byte digest fits one block.
#[inline(always)]
pub(crate) fn second_round(first: &[u32; 8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(&state_bytes(first));
    block[32] = 0x80;
    block[62] = 0x01; // 256 bits = 0x0100
    let mut state = IV;
    compress(&mut state, &block);
    state_bytes(&state)
}

/// SHA256d of exactly 64 bytes (a merkle node: left ‖ right): three compressions.
#[inline]
pub(crate) fn sha256d_64(data: &[u8; 64]) -> [u8; 32] {
    let mut state = IV;
    compress(&mut state, data);
    compress(&mut state, &PAD_AFTER_64);
    second_round(&state)
}

/// SHA256d of the 16-byte header tail, continuing from the midstate of the first 64 bytes.
#[inline(always)]
pub(crate) fn sha256d_80_from_midstate(midstate: &[u32; 8], tail: &[u8; 16]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..16].copy_from_slice(tail);
    block[16] = 0x80;
    block[62] = 0x02; // 640 bits = 0x0280
    block[63] = 0x80;
    let mut state = *midstate;
    compress(&mut state, &block);
    second_round(&state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn reference_sha256d(data: &[u8]) -> [u8; 32] {
        Sha256::digest(Sha256::digest(data)).into()
    }

    #[test]
    fn fixed_shapes_match_the_streaming_hasher() {
        let mut data = [0u8; 80];
        for (i, b) in data.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(11);
        }
        let mut first64 = [0u8; 64];
        first64.copy_from_slice(&data[..64]);
        assert_eq!(sha256d_64(&first64), reference_sha256d(&first64));

        let mut mid = IV;
        compress(&mut mid, &first64);
        let mut tail = [0u8; 16];
        tail.copy_from_slice(&data[64..]);
        assert_eq!(
            sha256d_80_from_midstate(&mid, &tail),
            reference_sha256d(&data)
        );
    }
}
