//! The spec-2025 transport framing (sv2-spec 0f38d51 §4.6): each SV2 frame travels as its
//! 6-byte header encrypted on its own (6 + 16 = 22 bytes), then its payload in chunks of at most
//! 65 519 plaintext bytes, each with its 16-byte MAC. The header's `msg_length` is the plaintext
//! payload length; there is no outer length prefix, so the receiver derives every ciphertext
//! length from the decrypted header.
//!
//! Same contract as [`super::NoiseTransport`]: bytes in any pieces, one CipherState per
//! direction with ChaCha20-Poly1305 and the Noise nonce, any AEAD failure or nonce exhaustion
//! kills the channel (R26, R27).

use ring::aead::{Aad, LessSafeKey};

use super::secp::{chacha_key, chacha_nonce};
use super::{NoiseError, MAX_PLAINTEXT_LEN, TAG_LEN};

/// Largest payload an SV2 header can announce (U24).
pub const MAX_PAYLOAD_LEN: usize = (1 << 24) - 1;
/// Size of the SV2 frame header.
pub const FRAME_HEADER_LEN: usize = 6;
/// Size of the encrypted header on the wire: 6 bytes and a MAC.
pub const ENCRYPTED_HEADER_LEN: usize = FRAME_HEADER_LEN + TAG_LEN;

/// Ciphertext length of a `pt_len`-byte payload (§4.6 `pt_len_to_ct_len`).
pub fn payload_ciphertext_len(pt_len: usize) -> usize {
    let chunks = pt_len.div_ceil(MAX_PLAINTEXT_LEN);
    pt_len + chunks * TAG_LEN
}

/// One direction: key and nonce counter.
struct CipherState {
    key: LessSafeKey,
    nonce: u64,
}

impl CipherState {
    fn new(key: &[u8; 32]) -> Result<Self, NoiseError> {
        Ok(CipherState {
            key: chacha_key(key)?,
            nonce: 0,
        })
    }

    fn take_nonce(&mut self) -> Result<u64, NoiseError> {
        // Noise reserves 2^64 − 1 (R27).
        if self.nonce == u64::MAX {
            return Err(NoiseError::NonceExhausted);
        }
        let n = self.nonce;
        self.nonce += 1;
        Ok(n)
    }

    /// Appends `ENCRYPT(plaintext) ‖ MAC` to `out` (empty associated data).
    fn seal(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        let n = self.take_nonce()?;
        let start = out.len();
        out.extend_from_slice(plaintext);
        let tag = self
            .key
            .seal_in_place_separate_tag(chacha_nonce(n), Aad::empty(), &mut out[start..])
            .map_err(|_| NoiseError::Internal("ChaCha20-Poly1305 seal"))?;
        out.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// Decrypts one `ciphertext ‖ MAC` block, appending the plaintext to `out`.
    fn open(&mut self, block: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        if self.nonce == u64::MAX {
            return Err(NoiseError::NonceExhausted);
        }
        let start = out.len();
        out.extend_from_slice(block);
        let plaintext_len = self
            .key
            .open_in_place(chacha_nonce(self.nonce), Aad::empty(), &mut out[start..])
            .map_err(|_| NoiseError::TransportDecrypt)?
            .len();
        // The nonce advances only after a successful decryption (§4.4.1).
        self.nonce += 1;
        out.truncate(start + plaintext_len);
        Ok(())
    }
}

/// The frame being received: its header, and how much payload plaintext is still owed.
struct PartialFrame {
    /// Header ‖ payload decrypted so far.
    plaintext: Vec<u8>,
    remaining: usize,
}

/// The spec-2025 transport: encrypts whole SV2 frames and decrypts a byte stream back into
/// frames (header ‖ payload, exactly as the codec reads them).
pub struct Spec2025Transport {
    send: CipherState,
    recv: CipherState,
    /// Received bytes not yet decrypted (less than one block).
    inbox: Vec<u8>,
    partial: Option<PartialFrame>,
    /// Largest payload accepted, checked on the decrypted header before any of the payload
    /// is awaited (the header is the first thing authenticated, so a peer announcing an
    /// oversized frame is refused at once instead of filling the input buffer).
    max_payload: usize,
    closed: bool,
}

impl std::fmt::Debug for Spec2025Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec2025Transport")
            .field("send_nonce", &self.send.nonce)
            .field("recv_nonce", &self.recv.nonce)
            .field("buffered", &self.buffered_len())
            .field("closed", &self.closed)
            .finish()
    }
}

impl Spec2025Transport {
    pub(crate) fn new(send_key: &[u8; 32], recv_key: &[u8; 32]) -> Result<Self, NoiseError> {
        Ok(Spec2025Transport {
            send: CipherState::new(send_key)?,
            recv: CipherState::new(recv_key)?,
            inbox: Vec::new(),
            partial: None,
            max_payload: MAX_PAYLOAD_LEN,
            closed: false,
        })
    }

    /// Sets the largest frame payload accepted from the peer (default and upper bound: the
    /// U24 maximum). A larger `msg_length` fails with [`NoiseError::FrameTooLarge`].
    pub fn set_max_payload(&mut self, max: usize) {
        self.max_payload = max.min(MAX_PAYLOAD_LEN);
    }

    /// Whether an error closed the channel.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Bytes received but not yet returned as plaintext (ciphertext of an incomplete block plus
    /// the decrypted part of an incomplete frame).
    pub fn buffered_len(&self) -> usize {
        self.inbox.len() + self.partial.as_ref().map_or(0, |p| p.plaintext.len())
    }

    /// Test hook: sets both nonce counters (to exercise exhaustion without 2^64 messages).
    #[doc(hidden)]
    pub fn set_nonces_for_test(&mut self, send: u64, recv: u64) {
        self.send.nonce = send;
        self.recv.nonce = recv;
    }

    /// Encrypts one SV2 frame (6-byte header ‖ payload) and appends it to `out`. The header's
    /// `msg_length` must equal the payload length ([`NoiseError::InvalidFrameBoundaries`]
    /// otherwise, and nothing is appended).
    pub fn encrypt_frame(&mut self, frame: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        if self.closed {
            return Err(NoiseError::Closed);
        }
        let Some((header, payload)) = frame.split_first_chunk::<FRAME_HEADER_LEN>() else {
            return Err(NoiseError::InvalidFrameBoundaries);
        };
        if declared_len(header) != payload.len() {
            return Err(NoiseError::InvalidFrameBoundaries);
        }
        let start = out.len();
        let result = self.seal_frame(header, payload, out);
        if result.is_err() {
            out.truncate(start);
            self.closed = true;
        }
        result
    }

    fn seal_frame(
        &mut self,
        header: &[u8; FRAME_HEADER_LEN],
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), NoiseError> {
        out.reserve(ENCRYPTED_HEADER_LEN + payload_ciphertext_len(payload.len()));
        self.send.seal(header, out)?;
        for chunk in payload.chunks(MAX_PLAINTEXT_LEN) {
            self.send.seal(chunk, out)?;
        }
        Ok(())
    }

    /// Encrypts a batch of frames laid end to end in `plaintext`, `frame_ends[i]` being where
    /// frame `i` ends (the signature of [`super::NoiseTransport::encrypt_frames`]).
    pub fn encrypt_frames(
        &mut self,
        plaintext: &[u8],
        frame_ends: &[usize],
        out: &mut Vec<u8>,
    ) -> Result<(), NoiseError> {
        let mut start = 0;
        for &end in frame_ends {
            if end <= start || end > plaintext.len() {
                return Err(NoiseError::InvalidFrameBoundaries);
            }
            self.encrypt_frame(&plaintext[start..end], out)?;
            start = end;
        }
        if start != plaintext.len() {
            return Err(NoiseError::InvalidFrameBoundaries);
        }
        Ok(())
    }

    /// Decrypts received bytes (any chunking) and appends every completed frame, header ‖
    /// payload, to `plaintext_out`. A failure closes the channel; later calls return
    /// [`NoiseError::Closed`].
    pub fn decrypt(&mut self, wire: &[u8], plaintext_out: &mut Vec<u8>) -> Result<(), NoiseError> {
        if self.closed {
            return Err(NoiseError::Closed);
        }
        let mark = plaintext_out.len();
        // Fast path: nothing buffered, so whole frames are decrypted straight from `wire` into
        // the output and only an incomplete tail is copied.
        let result = if self.inbox.is_empty() {
            self.process(wire, plaintext_out).map(|consumed| {
                self.inbox.extend_from_slice(&wire[consumed..]);
            })
        } else {
            self.inbox.extend_from_slice(wire);
            let inbox = std::mem::take(&mut self.inbox);
            let result = self.process(&inbox, plaintext_out);
            self.inbox = inbox;
            result.map(|consumed| {
                self.inbox.drain(..consumed);
            })
        };
        if result.is_err() {
            self.closed = true;
            self.inbox = Vec::new();
            self.partial = None;
            plaintext_out.truncate(mark);
        }
        result
    }

    /// Decrypts what `src` holds; returns how many bytes of it were consumed.
    fn process(&mut self, src: &[u8], out: &mut Vec<u8>) -> Result<usize, NoiseError> {
        let mut at = 0;
        loop {
            let available = &src[at..];
            if let Some(partial) = &mut self.partial {
                let chunk_len = partial.remaining.min(MAX_PLAINTEXT_LEN) + TAG_LEN;
                let Some(block) = available.get(..chunk_len) else {
                    return Ok(at);
                };
                self.recv.open(block, &mut partial.plaintext)?;
                at += chunk_len;
                partial.remaining -= chunk_len - TAG_LEN;
                if partial.remaining == 0 {
                    out.extend_from_slice(&partial.plaintext);
                    self.partial = None;
                }
                continue;
            }
            let Some(block) = available.get(..ENCRYPTED_HEADER_LEN) else {
                return Ok(at);
            };
            let frame_start = out.len();
            self.recv.open(block, out)?;
            at += ENCRYPTED_HEADER_LEN;
            let payload_len = out[frame_start..]
                .first_chunk::<FRAME_HEADER_LEN>()
                .map_or(0, declared_len);
            if payload_len > self.max_payload {
                return Err(NoiseError::FrameTooLarge {
                    len: payload_len,
                    max: self.max_payload,
                });
            }
            let ciphertext_len = payload_ciphertext_len(payload_len);
            if let Some(payload) = src[at..].get(..ciphertext_len) {
                // The whole frame is here: decrypt its chunks straight into the output.
                for block in payload.chunks(MAX_PLAINTEXT_LEN + TAG_LEN) {
                    self.recv.open(block, out)?;
                }
                at += ciphertext_len;
            } else {
                // Wait for the rest. The buffer grows as chunks are authenticated, never ahead
                // of them: a forged length cannot make us allocate 16 MiB up front.
                let plaintext = out.split_off(frame_start);
                self.partial = Some(PartialFrame {
                    plaintext,
                    remaining: payload_len,
                });
            }
        }
    }
}

/// The U24 `msg_length` of a frame header.
fn declared_len(header: &[u8; FRAME_HEADER_LEN]) -> usize {
    usize::from(header[3]) | usize::from(header[4]) << 8 | usize::from(header[5]) << 16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Spec2025Transport, Spec2025Transport) {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        (
            Spec2025Transport::new(&a, &b).unwrap(),
            Spec2025Transport::new(&b, &a).unwrap(),
        )
    }

    fn frame(len: usize) -> Vec<u8> {
        let mut f = vec![0x00, 0x80, 0x1b];
        f.extend_from_slice(&(len as u32).to_le_bytes()[..3]);
        f.extend((0..len).map(|i| (i * 7 + 3) as u8));
        f
    }

    #[test]
    fn spec_2025_ciphertext_length_follows_pt_len_to_ct_len() {
        // §4.6: 22-byte header, then ⌈len / 65 519⌉ MACs.
        for (len, expected) in [
            (0usize, 22usize),
            (1, 22 + 17),
            (100, 22 + 116),
            (65_519, 22 + 65_535),
            (65_520, 22 + 65_535 + 17),
            (200_000, 22 + 200_000 + 4 * 16),
        ] {
            let (mut a, mut b) = pair();
            let f = frame(len);
            let mut wire = Vec::new();
            a.encrypt_frame(&f, &mut wire).unwrap();
            assert_eq!(wire.len(), expected, "payload {len}");
            assert_eq!(22 + payload_ciphertext_len(len), expected);
            // Fed in uneven pieces.
            let mut out = Vec::new();
            for piece in wire.chunks(7_777) {
                b.decrypt(piece, &mut out).unwrap();
            }
            assert_eq!(out, f);
            assert_eq!(b.buffered_len(), 0);
        }
    }

    #[test]
    fn spec_2025_oversized_frame_is_refused_at_its_header() {
        let (mut a, mut b) = pair();
        b.set_max_payload(100);
        let mut wire = Vec::new();
        a.encrypt_frame(&frame(101), &mut wire).unwrap();
        let mut out = Vec::new();
        // Only the 22-byte header is needed to refuse it.
        assert_eq!(
            b.decrypt(&wire[..22], &mut out),
            Err(NoiseError::FrameTooLarge { len: 101, max: 100 })
        );
        assert!(b.is_closed() && out.is_empty());
    }

    #[test]
    fn spec_2025_header_length_must_match_payload() {
        let (mut a, _) = pair();
        let mut f = frame(10);
        f.pop();
        let mut wire = Vec::new();
        assert_eq!(
            a.encrypt_frame(&f, &mut wire),
            Err(NoiseError::InvalidFrameBoundaries)
        );
        assert!(wire.is_empty());
        assert_eq!(
            a.encrypt_frame(&[0, 0], &mut wire),
            Err(NoiseError::InvalidFrameBoundaries)
        );
    }

    #[test]
    fn spec_2025_tampered_chunk_kills_the_channel_r26() {
        let (mut a, mut b) = pair();
        let mut wire = Vec::new();
        a.encrypt_frame(&frame(70_000), &mut wire).unwrap();
        let last = wire.len() - 1;
        wire[last] ^= 1;
        let mut out = Vec::new();
        assert_eq!(
            b.decrypt(&wire, &mut out),
            Err(NoiseError::TransportDecrypt)
        );
        assert!(out.is_empty());
        assert!(b.is_closed());
        assert_eq!(b.decrypt(&[], &mut out), Err(NoiseError::Closed));
    }

    #[test]
    fn spec_2025_nonce_exhaustion_r27() {
        let (mut a, mut b) = pair();
        a.set_nonces_for_test(u64::MAX - 1, 0);
        b.set_nonces_for_test(0, u64::MAX);
        let mut wire = Vec::new();
        // Header takes the last nonce, the payload chunk finds none.
        assert_eq!(
            a.encrypt_frame(&frame(1), &mut wire),
            Err(NoiseError::NonceExhausted)
        );
        assert!(wire.is_empty() && a.is_closed());
        let mut wire = Vec::new();
        let (mut c, _) = pair();
        c.set_nonces_for_test(u64::MAX - 1, 0);
        c.encrypt_frame(&frame(0), &mut wire).unwrap();
        let mut out = Vec::new();
        assert_eq!(b.decrypt(&wire, &mut out), Err(NoiseError::NonceExhausted));
        assert!(b.is_closed());
    }

    #[test]
    fn spec_2025_frames_back_to_back_in_one_read() {
        let (mut a, mut b) = pair();
        let (f1, f2) = (frame(3), frame(0));
        let mut batch = f1.clone();
        batch.extend_from_slice(&f2);
        let mut wire = Vec::new();
        a.encrypt_frames(&batch, &[f1.len(), batch.len()], &mut wire)
            .unwrap();
        let mut out = Vec::new();
        b.decrypt(&wire, &mut out).unwrap();
        assert_eq!(out, batch);
    }
}
