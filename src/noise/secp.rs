//! The spec-2025 handshake, `Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256` (sv2-spec 0f38d51
//! §4.4–4.5), sans-I/O, with the same verbs as [`super::NoiseHandshake`].
//!
//! ```text
//!  initiator                                      responder
//!  -> e            (64 bytes, ElligatorSwift)  ─────▶
//!                                              ◀─────  <- e, ee, s, es, SNM (64 + 80 + 90 = 234)
//!  verifies the BIP340 certificate
//! ```
//!
//! No negotiation, no prologue and no length prefix. snow has no secp256k1, so the NX pattern is
//! spelled out here exactly as §4.4.2 does: SHA-256, HMAC/HKDF, ChaCha20-Poly1305 (ring), and
//! BIP324 `v2_ecdh` (libsecp256k1's `ellswift_xdh` with the BIP324 tagged hash, where the
//! initiator's encoding always comes first). Every secret (ephemeral key, `ck`, `k`, DH outputs)
//! is zeroized when dropped.

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hmac;
use secp256k1::ellswift::{ElligatorSwift, ElligatorSwiftParty};
use secp256k1::{All, PublicKey, Secp256k1, SecretKey};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::rng::NoiseRng;
use super::transport2025::Spec2025Transport;
use super::{NoiseError, TAG_LEN};
use crate::keys::{SchnorrCertificate, Secp256k1SecretKey, XOnlyKey, SCHNORR_SNM_LEN};

/// The Noise protocol name of the spec-2025 suite (§4.5.1).
pub const SPEC_2025_PROTOCOL_NAME: &str = "Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256";
/// Size of an ElligatorSwift-encoded public key.
pub const ELLSWIFT_LEN: usize = 64;
/// Size of the first handshake message, `-> e`.
pub const SPEC_2025_MESSAGE_1_LEN: usize = ELLSWIFT_LEN;
/// Size of the second handshake message: `e` ‖ encrypted `s` ‖ encrypted SNM (64 + 80 + 90).
pub const SPEC_2025_MESSAGE_2_LEN: usize =
    ELLSWIFT_LEN + ELLSWIFT_LEN + TAG_LEN + SCHNORR_SNM_LEN + TAG_LEN;

/// How a client runs the spec-2025 handshake.
#[derive(Clone)]
#[non_exhaustive]
pub struct Spec2025InitiatorConfig {
    /// The pool authority's x-only key (from the URL): the certificate must verify under it.
    pub authority_key: XOnlyKey,
    /// Current unix time in seconds, for the certificate validity window (R25).
    pub now_unix: u64,
    /// Seed for the ephemeral key and its encoding; `None` uses the OS random source.
    pub rng_seed: Option<[u8; 32]>,
}

impl Spec2025InitiatorConfig {
    /// A client with OS randomness.
    pub fn new(authority_key: XOnlyKey, now_unix: u64) -> Self {
        Spec2025InitiatorConfig {
            authority_key,
            now_unix,
            rng_seed: None,
        }
    }
}

/// How a server runs the spec-2025 handshake.
#[derive(Clone)]
#[non_exhaustive]
pub struct Spec2025ResponderConfig {
    /// The server's static key `s`.
    pub static_secret: Secp256k1SecretKey,
    /// The certificate the authority signed for `s`'s x-only key.
    pub certificate: SchnorrCertificate,
    /// Seed for the ephemeral key and the encodings; `None` uses the OS random source.
    pub rng_seed: Option<[u8; 32]>,
}

impl Spec2025ResponderConfig {
    /// A server with OS randomness.
    pub fn new(static_secret: Secp256k1SecretKey, certificate: SchnorrCertificate) -> Self {
        Spec2025ResponderConfig {
            static_secret,
            certificate,
            rng_seed: None,
        }
    }
}

/// Shown instead of an RNG seed: a seed determines the ephemeral keys, so it is secret.
fn redact_seed(seed: &Option<[u8; 32]>) -> &'static str {
    if seed.is_some() {
        "Some(<redacted>)"
    } else {
        "None (OS)"
    }
}

impl std::fmt::Debug for Spec2025InitiatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec2025InitiatorConfig")
            .field("authority_key", &self.authority_key)
            .field("now_unix", &self.now_unix)
            .field("rng_seed", &redact_seed(&self.rng_seed))
            .finish()
    }
}

impl std::fmt::Debug for Spec2025ResponderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec2025ResponderConfig")
            .field("static_secret", &self.static_secret)
            .field("certificate", &self.certificate)
            .field("rng_seed", &redact_seed(&self.rng_seed))
            .finish()
    }
}

/// The Noise symmetric state of §4.4.2: `ck`, `h` and the handshake CipherState `(k, n)`.
struct SymmetricState {
    ck: Zeroizing<[u8; 32]>,
    h: [u8; 32],
    k: Option<Zeroizing<[u8; 32]>>,
    n: u64,
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&key);
    for part in parts {
        ctx.update(part);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(ctx.sign().as_ref());
    out
}

/// `HKDF(chaining_key, input_key_material)` with two outputs, as §4.4.2 spells it.
pub(crate) fn hkdf2(ck: &[u8; 32], ikm: &[u8]) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    let temp_key = hmac_sha256(ck, &[ikm]);
    let out1 = hmac_sha256(&temp_key, &[&[0x01]]);
    let out2 = hmac_sha256(&temp_key, &[&out1[..], &[0x02]]);
    (out1, out2)
}

/// The ChaCha20-Poly1305 nonce of Noise: 4 zero bytes, then the counter little-endian.
pub(crate) fn chacha_nonce(n: u64) -> Nonce {
    let mut bytes = [0u8; 12];
    bytes[4..].copy_from_slice(&n.to_le_bytes());
    Nonce::assume_unique_for_key(bytes)
}

pub(crate) fn chacha_key(key: &[u8; 32]) -> Result<LessSafeKey, NoiseError> {
    UnboundKey::new(&aead::CHACHA20_POLY1305, key)
        .map(LessSafeKey::new)
        .map_err(|_| NoiseError::Internal("ChaCha20-Poly1305 key size"))
}

impl SymmetricState {
    fn new() -> Self {
        // The name is longer than 32 bytes, so h = HASH(name); ck = h; then h = HASH(h) (§4.5.1).
        let h = sha256(&[SPEC_2025_PROTOCOL_NAME.as_bytes()]);
        SymmetricState {
            ck: Zeroizing::new(h),
            h: sha256(&[&h]),
            k: None,
            n: 0,
        }
    }

    fn mix_hash(&mut self, data: &[u8]) {
        self.h = sha256(&[&self.h, data]);
    }

    fn mix_key(&mut self, ikm: &[u8]) {
        let (ck, k) = hkdf2(&self.ck, ikm);
        self.ck = ck;
        self.k = Some(k);
        self.n = 0;
    }

    fn encrypt_and_hash(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        let start = out.len();
        out.extend_from_slice(plaintext);
        if let Some(k) = &self.k {
            let mut body = out.split_off(start);
            chacha_key(k)?
                .seal_in_place_append_tag(chacha_nonce(self.n), Aad::from(self.h), &mut body)
                .map_err(|_| NoiseError::Internal("ChaCha20-Poly1305 seal"))?;
            self.n += 1;
            out.extend_from_slice(&body);
        }
        let ciphertext = out[start..].to_vec();
        self.mix_hash(&ciphertext);
        Ok(())
    }

    fn decrypt_and_hash(&mut self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, NoiseError> {
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        let plaintext_len = if let Some(k) = &self.k {
            let plaintext = chacha_key(k)?
                .open_in_place(chacha_nonce(self.n), Aad::from(self.h), &mut buffer[..])
                .map_err(|_| NoiseError::HandshakeDecrypt)?;
            self.n += 1;
            plaintext.len()
        } else {
            buffer.len()
        };
        buffer.truncate(plaintext_len);
        self.mix_hash(ciphertext);
        Ok(buffer)
    }

    /// `Split()`: the two transport keys, initiator→responder first.
    fn split(&self) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
        hkdf2(&self.ck, &[])
    }
}

impl Drop for SymmetricState {
    fn drop(&mut self) {
        self.h.zeroize();
    }
}

/// An ephemeral (or static) key with its ElligatorSwift encoding.
struct EllSwiftKey {
    secret: SecretKey,
    encoded: ElligatorSwift,
}

impl Drop for EllSwiftKey {
    fn drop(&mut self) {
        self.secret.non_secure_erase();
    }
}

impl EllSwiftKey {
    /// `generateKey()` of §4.4.2, then `serializeEllSwift()`: 32 random bytes for the key (redrawn
    /// if out of range) and 32 for the encoding, all from the handshake RNG so a seed reproduces
    /// the handshake byte for byte.
    fn generate(secp: &Secp256k1<All>, rng: &mut NoiseRng) -> Result<Self, NoiseError> {
        let secret = loop {
            let mut bytes = Zeroizing::new([0u8; 32]);
            rng.fill(&mut bytes[..])?;
            if let Ok(secret) = SecretKey::from_slice(&bytes[..]) {
                break secret;
            }
        };
        Self::encode(secp, secret, rng)
    }

    /// The encoding needs a context with generator tables (the no-precomp context that
    /// `ElligatorSwift::new` uses aborts in libsecp256k1 0.10).
    fn encode(
        secp: &Secp256k1<All>,
        secret: SecretKey,
        rng: &mut NoiseRng,
    ) -> Result<Self, NoiseError> {
        let mut rand = Zeroizing::new([0u8; 32]);
        rng.fill(&mut rand[..])?;
        Ok(EllSwiftKey {
            secret,
            encoded: ElligatorSwift::from_seckey(secp, secret, Some(*rand)),
        })
    }

    /// `ECDH(k, rk)` = BIP324 `v2_ecdh`: the tagged hash takes the initiator's encoding first
    /// whichever side computes it (§4.4.2; not commutative in the roles).
    fn ecdh(&self, remote: &[u8; 64], initiator: bool) -> Zeroizing<[u8; 32]> {
        let remote = ElligatorSwift::from_array(*remote);
        let (a, b, party) = if initiator {
            (self.encoded, remote, ElligatorSwiftParty::A)
        } else {
            (remote, self.encoded, ElligatorSwiftParty::B)
        };
        Zeroizing::new(
            ElligatorSwift::shared_secret(a, b, self.secret, party, None).to_secret_bytes(),
        )
    }
}

/// Decodes an ElligatorSwift encoding to the x-only key a certificate signs. Every 64-byte
/// string decodes to a valid point (BIP324), so this cannot fail on peer input.
fn ellswift_to_x_only(encoded: &[u8; 64]) -> Result<XOnlyKey, NoiseError> {
    let point = PublicKey::from_ellswift(ElligatorSwift::from_array(*encoded));
    XOnlyKey::from_bytes_checked(point.x_only_public_key().0.serialize())
        .map_err(|_| NoiseError::InvalidPublicKey)
}

enum Role {
    Initiator {
        authority_key: XOnlyKey,
        now_unix: u64,
    },
    Responder {
        static_secret: Secp256k1SecretKey,
        certificate: SchnorrCertificate,
    },
}

enum Step {
    /// Initiator: `-> e` sent, waiting for the 234-byte reply.
    AwaitMessage2 {
        state: SymmetricState,
        ephemeral: EllSwiftKey,
    },
    /// Responder: waiting for the 64-byte `-> e`.
    AwaitMessage1,
    /// Done; the transport keys wait for `into_transport` (initiator→responder, then reverse).
    Complete {
        keys: (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>),
    },
    /// An error ended the handshake (R26).
    Failed,
}

/// One spec-2025 Noise handshake, initiator or responder, as a sans-I/O state machine with the
/// call order of [`super::NoiseHandshake`]. Any error is final: later calls return
/// [`NoiseError::Closed`].
pub struct Spec2025Handshake {
    role: Role,
    step: Step,
    rng: NoiseRng,
    inbox: Vec<u8>,
    outbox: Vec<u8>,
    server_key: Option<XOnlyKey>,
    certificate: Option<SchnorrCertificate>,
    handshake_hash: Option<[u8; 32]>,
}

impl std::fmt::Debug for Spec2025Handshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let step = match self.step {
            Step::AwaitMessage2 { .. } => "AwaitMessage2",
            Step::AwaitMessage1 => "AwaitMessage1",
            Step::Complete { .. } => "Complete",
            Step::Failed => "Failed",
        };
        f.debug_struct("Spec2025Handshake")
            .field("initiator", &self.is_initiator())
            .field("step", &step)
            .field("server_key", &self.server_key)
            .finish()
    }
}

impl Spec2025Handshake {
    /// Starts a client handshake; `-> e` is ready in `data_to_send` at once.
    pub fn initiator(config: Spec2025InitiatorConfig) -> Result<Self, NoiseError> {
        let mut rng = NoiseRng::new(config.rng_seed);
        let ephemeral = EllSwiftKey::generate(&Secp256k1::new(), &mut rng)?;
        let mut state = SymmetricState::new();
        let mut m1 = Vec::with_capacity(SPEC_2025_MESSAGE_1_LEN);
        let e = ephemeral.encoded.to_array();
        m1.extend_from_slice(&e);
        state.mix_hash(&e);
        // EncryptAndHash of the empty payload with no key: MixHash of nothing.
        state.encrypt_and_hash(&[], &mut m1)?;
        Ok(Spec2025Handshake {
            role: Role::Initiator {
                authority_key: config.authority_key,
                now_unix: config.now_unix,
            },
            step: Step::AwaitMessage2 { state, ephemeral },
            rng,
            inbox: Vec::new(),
            outbox: m1,
            server_key: None,
            certificate: None,
            handshake_hash: None,
        })
    }

    /// Starts a server handshake; it waits for `-> e`.
    pub fn responder(config: Spec2025ResponderConfig) -> Result<Self, NoiseError> {
        let server_key = config.static_secret.x_only_public_key();
        Ok(Spec2025Handshake {
            role: Role::Responder {
                static_secret: config.static_secret,
                certificate: config.certificate,
            },
            step: Step::AwaitMessage1,
            rng: NoiseRng::new(config.rng_seed),
            inbox: Vec::new(),
            outbox: Vec::new(),
            server_key: Some(server_key),
            certificate: None,
            handshake_hash: None,
        })
    }

    /// Feeds bytes from the peer in any chunking. Bytes after the last handshake message are
    /// kept for [`into_transport`](Self::into_transport). At most one message (≤ 234 bytes) is
    /// buffered before it is processed.
    pub fn receive_data(&mut self, data: &[u8]) -> Result<(), NoiseError> {
        if matches!(self.step, Step::Failed) {
            return Err(NoiseError::Closed);
        }
        self.inbox.extend_from_slice(data);
        let result = self.process_inbox();
        if result.is_err() {
            self.step = Step::Failed;
            self.inbox = Vec::new();
            self.outbox = Vec::new();
        }
        result
    }

    /// Appends the bytes to send (possibly none) to `out`.
    pub fn data_to_send(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.outbox);
    }

    /// Whether `data_to_send` has bytes waiting.
    pub fn wants_write(&self) -> bool {
        !self.outbox.is_empty()
    }

    /// Whether the handshake has completed.
    pub fn is_complete(&self) -> bool {
        matches!(self.step, Step::Complete { .. })
    }

    /// Whether an error ended this handshake.
    pub fn is_failed(&self) -> bool {
        matches!(self.step, Step::Failed)
    }

    /// Whether this side is the initiator.
    pub fn is_initiator(&self) -> bool {
        matches!(self.role, Role::Initiator { .. })
    }

    /// The server's x-only static key: the responder's own, or the one the initiator received
    /// (set only after the certificate verified).
    pub fn server_static_key(&self) -> Option<XOnlyKey> {
        self.server_key
    }

    /// The verified (initiator) or sent (responder) certificate, once complete.
    pub fn certificate(&self) -> Option<SchnorrCertificate> {
        self.certificate
    }

    /// The handshake hash `h`, identical on both sides once complete.
    pub fn handshake_hash(&self) -> Option<[u8; 32]> {
        self.handshake_hash
    }

    /// Turns a completed handshake (with its output drained) into the transport, returning
    /// the bytes received after the last handshake message.
    pub fn into_transport(self) -> Result<(Spec2025Transport, Vec<u8>), NoiseError> {
        let initiator = self.is_initiator();
        let Spec2025Handshake {
            step,
            inbox,
            outbox,
            ..
        } = self;
        match step {
            Step::Complete { keys } if outbox.is_empty() => {
                let (to_responder, to_initiator) = keys;
                let transport = if initiator {
                    Spec2025Transport::new(&to_responder, &to_initiator)?
                } else {
                    Spec2025Transport::new(&to_initiator, &to_responder)?
                };
                Ok((transport, inbox))
            }
            Step::Failed => Err(NoiseError::Closed),
            _ => Err(NoiseError::HandshakeIncomplete),
        }
    }

    fn process_inbox(&mut self) -> Result<(), NoiseError> {
        let needed = match self.step {
            Step::AwaitMessage1 => SPEC_2025_MESSAGE_1_LEN,
            Step::AwaitMessage2 { .. } => SPEC_2025_MESSAGE_2_LEN,
            Step::Complete { .. } | Step::Failed => return Ok(()),
        };
        if self.inbox.len() < needed {
            return Ok(());
        }
        let message: Vec<u8> = self.inbox.drain(..needed).collect();
        let step = std::mem::replace(&mut self.step, Step::Failed);
        self.step = match step {
            Step::AwaitMessage1 => self.on_message_1(&message)?,
            Step::AwaitMessage2 { state, ephemeral } => {
                self.on_message_2(state, ephemeral, &message)?
            }
            Step::Complete { .. } | Step::Failed => {
                return Err(NoiseError::Internal("message after the handshake ended"))
            }
        };
        Ok(())
    }

    /// Responder (§4.5.1.2, §4.5.2.1): read `-> e`, answer `<- e, ee, s, es, SNM`.
    fn on_message_1(&mut self, message: &[u8]) -> Result<Step, NoiseError> {
        let Role::Responder {
            static_secret,
            certificate,
        } = &self.role
        else {
            return Err(NoiseError::Internal("message 1 on an initiator"));
        };
        let mut re = [0u8; 64];
        re.copy_from_slice(message);
        let mut state = SymmetricState::new();
        state.mix_hash(&re);
        state.decrypt_and_hash(&[])?;

        let secp = Secp256k1::new();
        let ephemeral = EllSwiftKey::generate(&secp, &mut self.rng)?;
        let statik = EllSwiftKey::encode(&secp, static_secret.secret_key(), &mut self.rng)?;
        let certificate = *certificate;

        let mut m2 = Vec::with_capacity(SPEC_2025_MESSAGE_2_LEN);
        let e = ephemeral.encoded.to_array();
        m2.extend_from_slice(&e);
        state.mix_hash(&e);
        state.mix_key(&ephemeral.ecdh(&re, false)[..]);
        state.encrypt_and_hash(&statik.encoded.to_array(), &mut m2)?;
        state.mix_key(&statik.ecdh(&re, false)[..]);
        state.encrypt_and_hash(&certificate.encode(), &mut m2)?;
        debug_assert_eq!(m2.len(), SPEC_2025_MESSAGE_2_LEN);
        self.outbox.extend_from_slice(&m2);
        self.certificate = Some(certificate);
        self.handshake_hash = Some(state.h);
        Ok(Step::Complete {
            keys: state.split(),
        })
    }

    /// Initiator (§4.5.2.2, §4.5.3): decrypt `s` and the certificate, verify it (R24, R25).
    fn on_message_2(
        &mut self,
        mut state: SymmetricState,
        ephemeral: EllSwiftKey,
        message: &[u8],
    ) -> Result<Step, NoiseError> {
        let Role::Initiator {
            authority_key,
            now_unix,
        } = &self.role
        else {
            return Err(NoiseError::Internal("message 2 on a responder"));
        };
        let mut re = [0u8; 64];
        re.copy_from_slice(&message[..64]);
        state.mix_hash(&re);
        state.mix_key(&ephemeral.ecdh(&re, true)[..]);
        let rs_plain = state.decrypt_and_hash(&message[64..64 + ELLSWIFT_LEN + TAG_LEN])?;
        let mut rs = [0u8; 64];
        rs.copy_from_slice(&rs_plain);
        state.mix_key(&ephemeral.ecdh(&rs, true)[..]);
        let snm = state.decrypt_and_hash(&message[64 + ELLSWIFT_LEN + TAG_LEN..])?;
        let certificate = SchnorrCertificate::decode(&snm)?;
        let server_key = ellswift_to_x_only(&rs)?;
        certificate.verify(authority_key, &server_key, *now_unix)?;
        self.server_key = Some(server_key);
        self.certificate = Some(certificate);
        self.handshake_hash = Some(state.h);
        Ok(Step::Complete {
            keys: state.split(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::CertificateError;

    const NOW: u64 = 1_750_000_000;

    fn configs(now: u64, authority_seed: u8) -> (Spec2025InitiatorConfig, Spec2025ResponderConfig) {
        let authority = Secp256k1SecretKey::generate_seeded([authority_seed; 32]);
        let server = Secp256k1SecretKey::generate_seeded([2; 32]);
        let cert = SchnorrCertificate::sign(
            &Secp256k1SecretKey::generate_seeded([1; 32]),
            &server.x_only_public_key(),
            (NOW - 10) as u32,
            (NOW + 3600) as u32,
            &[9; 32],
        );
        let mut init = Spec2025InitiatorConfig::new(authority.x_only_public_key(), now);
        init.rng_seed = Some([3; 32]);
        let mut resp = Spec2025ResponderConfig::new(server, cert);
        resp.rng_seed = Some([4; 32]);
        (init, resp)
    }

    /// Runs a handshake feeding one byte at a time; returns (initiator, responder, m1, m2).
    fn run(
        init: Spec2025InitiatorConfig,
        resp: Spec2025ResponderConfig,
    ) -> (
        Result<Spec2025Handshake, NoiseError>,
        Spec2025Handshake,
        Vec<u8>,
        Vec<u8>,
    ) {
        let mut i = Spec2025Handshake::initiator(init).unwrap();
        let mut r = Spec2025Handshake::responder(resp).unwrap();
        let mut m1 = Vec::new();
        i.data_to_send(&mut m1);
        for b in &m1 {
            r.receive_data(std::slice::from_ref(b)).unwrap();
        }
        let mut m2 = Vec::new();
        r.data_to_send(&mut m2);
        let mut result = Ok(());
        for b in &m2 {
            result = i.receive_data(std::slice::from_ref(b));
            if result.is_err() {
                break;
            }
        }
        (result.map(|_| i), r, m1, m2)
    }

    #[test]
    fn spec_2025_message_sizes_are_64_and_234_without_length_prefix() {
        let (init, resp) = configs(NOW, 1);
        let (i, r, m1, m2) = run(init, resp);
        let i = i.unwrap();
        assert_eq!(m1.len(), 64);
        assert_eq!(m2.len(), 234);
        assert!(i.is_complete() && r.is_complete());
        assert_eq!(i.handshake_hash(), r.handshake_hash());
        assert_eq!(i.server_static_key(), r.server_static_key());
        // Seeded: the same handshake byte for byte.
        let (init, resp) = configs(NOW, 1);
        let (_, _, m1b, m2b) = run(init, resp);
        assert_eq!((m1, m2), (m1b, m2b));
    }

    #[test]
    fn spec_2025_transport_keys_match_and_are_directional() {
        let (init, resp) = configs(NOW, 1);
        let (i, r, _, _) = run(init, resp);
        let (mut ti, rest_i) = i.unwrap().into_transport().unwrap();
        let (mut tr, rest_r) = r.into_transport().unwrap();
        assert!(rest_i.is_empty() && rest_r.is_empty());
        let frame = [0u8, 0, 0x00, 3, 0, 0, 1, 2, 3];
        let mut wire = Vec::new();
        ti.encrypt_frame(&frame, &mut wire).unwrap();
        let mut out = Vec::new();
        tr.decrypt(&wire, &mut out).unwrap();
        assert_eq!(out, frame);
        let mut wire = Vec::new();
        tr.encrypt_frame(&frame, &mut wire).unwrap();
        let mut out = Vec::new();
        ti.decrypt(&wire, &mut out).unwrap();
        assert_eq!(out, frame);
    }

    #[test]
    fn spec_2025_wrong_authority_and_expired_certificate_are_refused_r24_r25() {
        let (init, resp) = configs(NOW, 5);
        let (i, _, _, _) = run(init, resp);
        assert_eq!(
            i.unwrap_err(),
            NoiseError::Certificate(CertificateError::BadSignature)
        );
        let (init, resp) = configs(NOW + 3601, 1);
        let (i, _, _, _) = run(init, resp);
        assert!(matches!(
            i.unwrap_err(),
            NoiseError::Certificate(CertificateError::Expired { .. })
        ));
    }

    #[test]
    fn spec_2025_tampered_message_2_fails_and_closes() {
        let (init, resp) = configs(NOW, 1);
        let mut i = Spec2025Handshake::initiator(init).unwrap();
        let mut r = Spec2025Handshake::responder(resp).unwrap();
        let mut m1 = Vec::new();
        i.data_to_send(&mut m1);
        r.receive_data(&m1).unwrap();
        let mut m2 = Vec::new();
        r.data_to_send(&mut m2);
        m2[100] ^= 1;
        assert_eq!(i.receive_data(&m2), Err(NoiseError::HandshakeDecrypt));
        assert!(i.is_failed());
        assert_eq!(i.receive_data(&[0]), Err(NoiseError::Closed));
    }

    #[test]
    fn spec_2025_any_64_bytes_are_a_key_and_bytes_after_m2_are_kept() {
        // Every 64-byte string is a valid ElligatorSwift encoding: garbage yields a handshake
        // the initiator then refuses, never a panic.
        let (_, resp) = configs(NOW, 1);
        let mut r = Spec2025Handshake::responder(resp).unwrap();
        r.receive_data(&[0xff; 64]).unwrap();
        assert!(r.is_complete());
        let (init, resp) = configs(NOW, 1);
        let mut i = Spec2025Handshake::initiator(init).unwrap();
        let mut r = Spec2025Handshake::responder(resp).unwrap();
        let mut m1 = Vec::new();
        i.data_to_send(&mut m1);
        r.receive_data(&m1).unwrap();
        let mut m2 = Vec::new();
        r.data_to_send(&mut m2);
        m2.extend_from_slice(&[7, 7, 7]);
        i.receive_data(&m2).unwrap();
        let (_, rest) = i.into_transport().unwrap();
        assert_eq!(rest, vec![7, 7, 7]);
    }

    #[test]
    fn hkdf_matches_rfc5869_with_empty_info() {
        // RFC 5869 HKDF-Extract/Expand with salt = ck, info = "", L = 64, via ring's HKDF.
        let ck = [0x0b; 32];
        let ikm = b"input key material";
        let (a, b) = hkdf2(&ck, ikm);
        let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, &ck).extract(ikm);
        struct Len64;
        impl ring::hkdf::KeyType for Len64 {
            fn len(&self) -> usize {
                64
            }
        }
        let mut expected = [0u8; 64];
        prk.expand(&[], Len64).unwrap().fill(&mut expected).unwrap();
        assert_eq!(&a[..], &expected[..32]);
        assert_eq!(&b[..], &expected[32..]);
    }
}

#[cfg(test)]
mod golden {
    use super::*;

    /// Seeded handshake bytes, pinned after they were checked against SRI's `noise_sv2` 2.0.0
    /// (interop/sri-2025): any change to the wire bytes of this suite shows here first.
    #[test]
    fn spec_2025_seeded_handshake_bytes_are_stable() {
        let authority = Secp256k1SecretKey::generate_seeded([1; 32]);
        let server = Secp256k1SecretKey::generate_seeded([2; 32]);
        let cert = SchnorrCertificate::sign(
            &authority,
            &server.x_only_public_key(),
            1_700_000_000,
            1_800_000_000,
            &[9; 32],
        );
        let mut init = Spec2025InitiatorConfig::new(authority.x_only_public_key(), 1_750_000_000);
        init.rng_seed = Some([3; 32]);
        let mut resp = Spec2025ResponderConfig::new(server, cert);
        resp.rng_seed = Some([4; 32]);
        let mut i = Spec2025Handshake::initiator(init).unwrap();
        let mut r = Spec2025Handshake::responder(resp).unwrap();
        let mut wire = Vec::new();
        i.data_to_send(&mut wire);
        r.receive_data(&wire).unwrap();
        let m1_len = wire.len();
        r.data_to_send(&mut wire);
        i.receive_data(&wire[m1_len..]).unwrap();
        let digest: [u8; 32] = Sha256::digest(&wire).into();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "802f4f4e008e519009c74ba67ff1b6e9b8f87d709e26e1a1aa2da3b47648f990"
        );
    }
}
