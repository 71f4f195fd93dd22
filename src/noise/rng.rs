//! Randomness for the handshake: the operating system's source by default, or a deterministic
//! generator from a 32-byte `rng_seed` (reproducible tests and vectors, and firmware that is
//! handed a good seed but has no good entropy source of its own).

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use super::NoiseError;

/// The handshake's random source. Only the ephemeral key is drawn from it.
pub(crate) enum NoiseRng {
    /// getrandom(2) and equivalents, through ring.
    Os(SystemRandom),
    /// HMAC-SHA256(seed, counter) blocks: a PRF in counter mode, deterministic per seed.
    /// ring's HMAC key cannot be read back, so the seed itself is not kept.
    Seeded { key: hmac::Key, counter: u64 },
}

impl NoiseRng {
    pub(crate) fn new(rng_seed: Option<[u8; 32]>) -> Self {
        match rng_seed {
            None => NoiseRng::Os(SystemRandom::new()),
            Some(seed) => {
                let seed = zeroize::Zeroizing::new(seed);
                NoiseRng::Seeded {
                    key: hmac::Key::new(hmac::HMAC_SHA256, &seed[..]),
                    counter: 0,
                }
            }
        }
    }

    pub(crate) fn fill(&mut self, dest: &mut [u8]) -> Result<(), NoiseError> {
        match self {
            NoiseRng::Os(rng) => rng.fill(dest).map_err(|_| NoiseError::Rng),
            NoiseRng::Seeded { key, counter } => {
                for chunk in dest.chunks_mut(32) {
                    let block = hmac::sign(key, &counter.to_le_bytes());
                    // A handshake draws 32 bytes; wrapping would need 2^64 blocks.
                    *counter = counter.wrapping_add(1);
                    let bytes = block.as_ref();
                    chunk.copy_from_slice(&bytes[..chunk.len()]);
                }
                Ok(())
            }
        }
    }
}

impl snow::types::Random for NoiseRng {
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), snow::Error> {
        self.fill(dest).map_err(|_| snow::Error::Rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_is_deterministic_and_seed_dependent() {
        let mut a = NoiseRng::new(Some([1; 32]));
        let mut b = NoiseRng::new(Some([1; 32]));
        let mut c = NoiseRng::new(Some([2; 32]));
        let (mut x, mut y, mut z) = ([0u8; 70], [0u8; 70], [0u8; 70]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        c.fill(&mut z).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert_ne!(x[..32], x[32..64]);
    }

    #[test]
    fn os_rng_fills() {
        let mut r = NoiseRng::new(None);
        let mut x = [0u8; 32];
        r.fill(&mut x).unwrap();
        assert_ne!(x, [0u8; 32]);
    }
}
