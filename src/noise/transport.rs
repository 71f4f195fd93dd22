//! The transport phase: two CipherStates over ring's AEADs and the length-prefixed framing of
//! §3.3.4.
//!
//! SV2 frames travel as a byte stream over Noise messages of at most 65 535 bytes (65 519 of
//! plaintext). A frame larger than that is split over consecutive messages and the receiver
//! re-frames from the decrypted stream (R28, E8). How frames are cut on the sending side is the
//! [`SendPolicy`]; the receiving side is always a stream and accepts every policy.
//!
//! Why our own CipherState instead of snow's `TransportState`: ring's AEADs are an order of
//! magnitude faster than the pure-Rust ones for SV2-sized messages, and sealing in place lets
//! a batch of frames be encrypted straight into the caller's output buffer with a single copy.

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};

use super::backend::SplitKeys;
use super::{Cipher, NoiseError, LENGTH_PREFIX_LEN, MAX_MESSAGE_LEN, MAX_PLAINTEXT_LEN, TAG_LEN};

/// How SV2 frames are mapped onto Noise messages when sending.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SendPolicy {
    /// One SV2 frame per Noise message; a frame larger than 65 519 bytes is split over
    /// consecutive messages. What 2022-era (STR3) receivers accept; the default.
    #[default]
    FramePerMessage,
    /// One SV2 frame per Noise message, never split: a larger frame is refused with
    /// [`NoiseError::FrameTooLarge`]. braiins-2021 receivers need this (they neither pack nor
    /// reassemble); the default after a STR2 or negotiation-free handshake.
    FramePerMessageNoSplit,
    /// A byte stream: frames packed back to back and cut every 65 519 bytes, so many small
    /// frames share one Noise message. Only for peers known to re-frame from a stream (for
    /// example libsv2 itself); fewer messages, fewer tags, fewer syscalls.
    Stream,
}

/// One direction of the channel: a key and its nonce counter (Noise §5.1).
struct CipherState {
    key: LessSafeKey,
    cipher: Cipher,
    /// The next nonce. Noise reserves 2^64 − 1, so the last usable value is 2^64 − 2 (R27).
    nonce: u64,
}

impl CipherState {
    fn new(cipher: Cipher, key: &[u8; 32]) -> Result<Self, NoiseError> {
        let algorithm = match cipher {
            Cipher::ChaChaPoly => &aead::CHACHA20_POLY1305,
            Cipher::AesGcm => &aead::AES_256_GCM,
        };
        let unbound =
            UnboundKey::new(algorithm, key).map_err(|_| NoiseError::Internal("AEAD key size"))?;
        Ok(CipherState {
            key: LessSafeKey::new(unbound),
            cipher,
            nonce: 0,
        })
    }

    /// Takes the next nonce, encoded as the Noise spec defines per cipher: 4 zero bytes then
    /// the counter, little-endian for ChaChaPoly and big-endian for AESGCM.
    fn next_nonce(&mut self) -> Result<Nonce, NoiseError> {
        if self.nonce == u64::MAX {
            return Err(NoiseError::NonceExhausted);
        }
        let mut bytes = [0u8; 12];
        bytes[4..].copy_from_slice(&match self.cipher {
            Cipher::ChaChaPoly => self.nonce.to_le_bytes(),
            Cipher::AesGcm => self.nonce.to_be_bytes(),
        });
        self.nonce += 1;
        Ok(Nonce::assume_unique_for_key(bytes))
    }

    /// Appends `len ‖ ENCRYPT(plaintext) ‖ tag` to `out`. `plaintext.len() <= 65 519`.
    fn seal_message(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        let nonce = self.next_nonce()?;
        // Checked by every caller; a u16 cannot hold more anyway.
        let wire_len = u16::try_from(plaintext.len() + TAG_LEN)
            .map_err(|_| NoiseError::Internal("transport chunk over 65 519 bytes"))?;
        out.extend_from_slice(&wire_len.to_le_bytes());
        let start = out.len();
        out.extend_from_slice(plaintext);
        let tag = self
            .key
            .seal_in_place_separate_tag(nonce, Aad::empty(), &mut out[start..])
            .map_err(|_| NoiseError::Internal("AEAD seal failed"))?;
        out.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// Decrypts one message body (ciphertext ‖ tag) and appends the plaintext to `out`.
    /// On failure `out` is left as it was: no unauthenticated byte is ever exposed.
    fn open_message(&mut self, message: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        let nonce = self.next_nonce()?;
        let start = out.len();
        out.extend_from_slice(message);
        match self
            .key
            .open_in_place(nonce, Aad::empty(), &mut out[start..])
        {
            Ok(plain) => {
                let plain_len = plain.len();
                out.truncate(start + plain_len);
                Ok(())
            }
            Err(_) => {
                out.truncate(start);
                Err(NoiseError::TransportDecrypt)
            }
        }
    }
}

/// An established secure channel: encrypts outgoing SV2 bytes, decrypts incoming wire bytes.
///
/// Any error closes it for good: later calls return [`NoiseError::Closed`] (R26). Only
/// [`NoiseError::FrameTooLarge`] and [`NoiseError::InvalidFrameBoundaries`], which are caller
/// mistakes detected before anything is encrypted, leave it usable.
pub struct NoiseTransport {
    send: CipherState,
    recv: CipherState,
    cipher: Cipher,
    policy: SendPolicy,
    /// A partially received Noise message (prefix included); never more than 65 537 bytes.
    pending: Vec<u8>,
    closed: bool,
}

impl std::fmt::Debug for NoiseTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoiseTransport")
            .field("cipher", &self.cipher)
            .field("policy", &self.policy)
            .field("send_nonce", &self.send.nonce)
            .field("recv_nonce", &self.recv.nonce)
            .field("pending", &self.pending.len())
            .field("closed", &self.closed)
            .finish()
    }
}

impl NoiseTransport {
    pub(crate) fn new(
        cipher: Cipher,
        keys: SplitKeys,
        policy: SendPolicy,
    ) -> Result<Self, NoiseError> {
        Ok(NoiseTransport {
            send: CipherState::new(cipher, &keys.send)?,
            recv: CipherState::new(cipher, &keys.recv)?,
            cipher,
            policy,
            pending: Vec::new(),
            closed: false,
        })
    }

    /// The negotiated AEAD.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    /// How frames are cut into Noise messages when sending.
    pub fn send_policy(&self) -> SendPolicy {
        self.policy
    }

    /// Changes the send policy (e.g. to [`SendPolicy::Stream`] once the peer is known to be
    /// libsv2). Takes effect from the next call.
    pub fn set_send_policy(&mut self, policy: SendPolicy) {
        self.policy = policy;
    }

    /// Whether an earlier error closed the channel.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Bytes of an incomplete Noise message held back until the rest arrives.
    pub fn buffered_len(&self) -> usize {
        self.pending.len()
    }

    /// Encrypts one SV2 frame (or any bytes meant as one unit) and appends the Noise
    /// message(s) to `out`. Same as `encrypt_frames(plaintext, &[plaintext.len()], out)`.
    pub fn encrypt(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        self.encrypt_frames(plaintext, &[plaintext.len()], out)
    }

    /// Encrypts a batch of SV2 frames laid out back to back in `plaintext` and appends the
    /// resulting Noise messages, each with its length prefix, to `out`.
    ///
    /// `frame_ends[i]` is the offset in `plaintext` just past frame `i`: strictly increasing,
    /// the last equal to `plaintext.len()` (empty `plaintext` takes an empty list). The
    /// session encodes its queued frames into one buffer and hands it over, so each plaintext
    /// byte is copied exactly once (into `out`, where it is sealed in place).
    ///
    /// On error `out` is left as it was. Allocates only by growing `out`.
    pub fn encrypt_frames(
        &mut self,
        plaintext: &[u8],
        frame_ends: &[usize],
        out: &mut Vec<u8>,
    ) -> Result<(), NoiseError> {
        if self.closed {
            return Err(NoiseError::Closed);
        }
        // Validate the whole batch before sealing anything, so caller mistakes neither burn
        // nonces nor close the channel.
        let mut prev = 0usize;
        for &end in frame_ends {
            if end <= prev || end > plaintext.len() {
                return Err(NoiseError::InvalidFrameBoundaries);
            }
            if self.policy == SendPolicy::FramePerMessageNoSplit && end - prev > MAX_PLAINTEXT_LEN {
                return Err(NoiseError::FrameTooLarge {
                    len: end - prev,
                    max: MAX_PLAINTEXT_LEN,
                });
            }
            prev = end;
        }
        if prev != plaintext.len() {
            return Err(NoiseError::InvalidFrameBoundaries);
        }

        let messages = match self.policy {
            SendPolicy::Stream => plaintext.len().div_ceil(MAX_PLAINTEXT_LEN),
            _ => frame_ends.len() + plaintext.len() / MAX_PLAINTEXT_LEN,
        };
        out.reserve(plaintext.len() + messages * (LENGTH_PREFIX_LEN + TAG_LEN));
        let original_len = out.len();
        let result = match self.policy {
            SendPolicy::Stream => self.seal_chunks(plaintext, out),
            SendPolicy::FramePerMessage | SendPolicy::FramePerMessageNoSplit => {
                let mut start = 0;
                let mut result = Ok(());
                for &end in frame_ends {
                    result = self.seal_chunks(&plaintext[start..end], out);
                    if result.is_err() {
                        break;
                    }
                    start = end;
                }
                result
            }
        };
        if let Err(e) = result {
            // Only nonce exhaustion gets here: the channel cannot continue (R27).
            out.truncate(original_len);
            self.closed = true;
            return Err(e);
        }
        Ok(())
    }

    /// Seals `bytes` as consecutive Noise messages of at most 65 519 plaintext bytes.
    fn seal_chunks(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        for chunk in bytes.chunks(MAX_PLAINTEXT_LEN) {
            self.send.seal_message(chunk, out)?;
        }
        Ok(())
    }

    /// Decrypts wire bytes (any chunking, down to one byte at a time) and appends the
    /// plaintext, a byte stream to re-frame with the SV2 framing layer, to `plaintext_out`.
    ///
    /// A trailing partial Noise message is kept until the rest arrives. On error the
    /// plaintext of messages that authenticated before the failing one stays in
    /// `plaintext_out`; nothing of the failing one does, and the channel is closed (R26).
    pub fn decrypt(&mut self, wire: &[u8], plaintext_out: &mut Vec<u8>) -> Result<(), NoiseError> {
        if self.closed {
            return Err(NoiseError::Closed);
        }
        let result = self.decrypt_inner(wire, plaintext_out);
        if result.is_err() {
            self.closed = true;
            self.pending = Vec::new();
        }
        result
    }

    fn decrypt_inner(&mut self, mut wire: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        // First complete a message left over from an earlier call, by copying into `pending`.
        if !self.pending.is_empty() {
            if self.pending.len() < LENGTH_PREFIX_LEN {
                let take = (LENGTH_PREFIX_LEN - self.pending.len()).min(wire.len());
                self.pending.extend_from_slice(&wire[..take]);
                wire = &wire[take..];
                if self.pending.len() < LENGTH_PREFIX_LEN {
                    return Ok(());
                }
            }
            let len = checked_length([self.pending[0], self.pending[1]])?;
            let missing = LENGTH_PREFIX_LEN + len - self.pending.len();
            let take = missing.min(wire.len());
            self.pending.extend_from_slice(&wire[..take]);
            wire = &wire[take..];
            if take < missing {
                return Ok(());
            }
            self.recv
                .open_message(&self.pending[LENGTH_PREFIX_LEN..], out)?;
            self.pending.clear();
        }
        // Then whole messages straight from the input, without an intermediate copy.
        loop {
            let Some(prefix) = wire.first_chunk::<LENGTH_PREFIX_LEN>() else {
                self.pending.extend_from_slice(wire);
                return Ok(());
            };
            let len = checked_length(*prefix)?;
            let Some(message) = wire.get(LENGTH_PREFIX_LEN..LENGTH_PREFIX_LEN + len) else {
                // Incomplete: keep it (bounded by the 65 537-byte maximum checked above).
                if self.pending.capacity() == 0 {
                    self.pending.reserve_exact(LENGTH_PREFIX_LEN + len);
                }
                self.pending.extend_from_slice(wire);
                return Ok(());
            };
            self.recv.open_message(message, out)?;
            wire = &wire[LENGTH_PREFIX_LEN + len..];
        }
    }

    #[cfg(test)]
    fn set_nonces(&mut self, send: u64, recv: u64) {
        self.send.nonce = send;
        self.recv.nonce = recv;
    }
}

/// Validates a transport length prefix as soon as it is known, before buffering the body.
fn checked_length(prefix: [u8; 2]) -> Result<usize, NoiseError> {
    let len = usize::from(u16::from_le_bytes(prefix));
    if len == 0 {
        return Err(NoiseError::ZeroLengthMessage);
    }
    if len < TAG_LEN {
        return Err(NoiseError::MessageTooShort { len });
    }
    debug_assert!(len <= MAX_MESSAGE_LEN);
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn pair(cipher: Cipher) -> (NoiseTransport, NoiseTransport) {
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        let a = NoiseTransport::new(
            cipher,
            SplitKeys {
                send: Zeroizing::new(k1),
                recv: Zeroizing::new(k2),
            },
            SendPolicy::default(),
        )
        .unwrap();
        let b = NoiseTransport::new(
            cipher,
            SplitKeys {
                send: Zeroizing::new(k2),
                recv: Zeroizing::new(k1),
            },
            SendPolicy::default(),
        )
        .unwrap();
        (a, b)
    }

    #[test]
    fn nonce_encoding_per_cipher() {
        // A.3.1: ChaChaPoly LE counter, AESGCM BE counter, both after 4 zero bytes
        for (cipher, expected) in [
            (Cipher::ChaChaPoly, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
            (Cipher::AesGcm, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        ] {
            let mut cs = CipherState::new(cipher, &[0; 32]).unwrap();
            cs.nonce = 1;
            assert_eq!(cs.next_nonce().unwrap().as_ref(), &expected);
        }
    }

    #[test]
    fn nonce_exhaustion_closes() {
        // R27: 2^64 - 2 is the last nonce used; the channel refuses to go further
        for cipher in Cipher::ALL {
            let (mut a, mut b) = pair(cipher);
            a.set_nonces(u64::MAX - 1, 0);
            b.set_nonces(0, u64::MAX - 1);
            let mut wire = Vec::new();
            a.encrypt(b"last", &mut wire).unwrap();
            let mut plain = Vec::new();
            b.decrypt(&wire, &mut plain).unwrap();
            assert_eq!(plain, b"last");
            let mut more = Vec::new();
            assert_eq!(a.encrypt(b"x", &mut more), Err(NoiseError::NonceExhausted));
            assert!(more.is_empty());
            assert_eq!(a.encrypt(b"x", &mut more), Err(NoiseError::Closed));
            // The receiver refuses as well, before trying to decrypt.
            assert_eq!(
                b.decrypt(&wire, &mut plain),
                Err(NoiseError::NonceExhausted)
            );
            assert!(b.is_closed());
        }
    }

    #[test]
    fn boundaries_are_checked_first() {
        let (mut a, _) = pair(Cipher::ChaChaPoly);
        let mut out = Vec::new();
        assert_eq!(
            a.encrypt_frames(b"abcdef", &[3, 3, 6], &mut out),
            Err(NoiseError::InvalidFrameBoundaries)
        );
        assert_eq!(
            a.encrypt_frames(b"abcdef", &[3], &mut out),
            Err(NoiseError::InvalidFrameBoundaries)
        );
        assert_eq!(
            a.encrypt_frames(b"abcdef", &[3, 7], &mut out),
            Err(NoiseError::InvalidFrameBoundaries)
        );
        assert!(out.is_empty() && !a.is_closed());
        a.encrypt_frames(&[], &[], &mut out).unwrap();
        assert!(out.is_empty());
        a.set_send_policy(SendPolicy::FramePerMessageNoSplit);
        let big = vec![0u8; MAX_PLAINTEXT_LEN + 1];
        assert_eq!(
            a.encrypt(&big, &mut out),
            Err(NoiseError::FrameTooLarge {
                len: MAX_PLAINTEXT_LEN + 1,
                max: MAX_PLAINTEXT_LEN
            })
        );
        assert!(!a.is_closed());
        a.encrypt(&big[1..], &mut out).unwrap();
        assert_eq!(out.len(), 2 + MAX_MESSAGE_LEN);
    }

    #[test]
    fn short_prefixes_rejected() {
        // R22: length 0 and lengths that cannot hold a tag
        let (_, mut b) = pair(Cipher::AesGcm);
        let mut out = Vec::new();
        assert_eq!(
            b.decrypt(&[0, 0], &mut out),
            Err(NoiseError::ZeroLengthMessage)
        );
        let (_, mut b) = pair(Cipher::AesGcm);
        assert_eq!(
            b.decrypt(&[15, 0], &mut out),
            Err(NoiseError::MessageTooShort { len: 15 })
        );
        let (_, mut b) = pair(Cipher::AesGcm);
        b.decrypt(&[0], &mut out).unwrap();
        assert_eq!(
            b.decrypt(&[0], &mut out),
            Err(NoiseError::ZeroLengthMessage)
        );
    }

    #[test]
    fn policies_cut_differently() {
        let frames = [
            vec![1u8; 10],
            vec![2u8; 20],
            vec![3u8; MAX_PLAINTEXT_LEN + 5],
        ];
        let plaintext: Vec<u8> = frames.concat();
        let ends = [10, 30, plaintext.len()];
        for (policy, expected_messages) in
            [(SendPolicy::FramePerMessage, 4), (SendPolicy::Stream, 2)]
        {
            let (mut a, mut b) = pair(Cipher::ChaChaPoly);
            a.set_send_policy(policy);
            let mut wire = Vec::new();
            a.encrypt_frames(&plaintext, &ends, &mut wire).unwrap();
            assert_eq!(
                wire.len(),
                plaintext.len() + expected_messages * 18,
                "{policy:?}"
            );
            let mut plain = Vec::new();
            b.decrypt(&wire, &mut plain).unwrap();
            assert_eq!(plain, plaintext);
        }
    }
}
