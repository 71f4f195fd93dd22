//! The Noise NX secure channel (spec 3.3, CHECKLIST A.3, E7–E13).
//!
//! Two sans-I/O objects: a [`NoiseHandshake`] runs the algorithm negotiation and the
//! `Noise_NX_25519_{ChaChaPoly|AESGCM}_BLAKE2s` handshake with the server certificate, and then
//! turns into a [`NoiseTransport`] that encrypts and decrypts the SV2 byte stream. Neither reads
//! a clock, opens a socket or starts a thread: bytes go in, bytes come out, and the certificate
//! is checked against the `now_unix` the caller configured.
//!
//! # Dialects
//!
//! The 2022 spec leaves the negotiation bytes unspecified (E7), and two incompatible forms were
//! deployed. Both are supported, kept as data in one table per [`NoiseProfile`]:
//!
//! | | [`NoiseProfile::Sri2023`] (default, "STR3") | [`NoiseProfile::Braiins2021`] ("STR2") |
//! |---|---|---|
//! | offer `N1` | `STR3` ‖ SEQ0_255\[U32\] | `STR2` ‖ SEQ0_255\[U32\] (or no negotiation at all) |
//! | reply `N2` | bare 4-byte algorithm id | `STR2` ‖ `01` ‖ id (9 bytes) |
//! | prologue | `n` ‖ offered ids ‖ chosen id | `00 01` ‖ reply (empty without negotiation) |
//! | SIGNATURE_NOISE_MESSAGE | 74 bytes | 76 bytes |
//! | large SV2 frames | split over Noise messages | one frame per Noise message, ≤ 65 519 bytes |
//!
//! A responder accepts all three first messages (STR3, STR2, bare `-> e`) and tells them apart
//! by length and magic (R21); an initiator speaks its configured profile.
//!
//! # Call order
//!
//! ```text
//! let mut hs = NoiseHandshake::initiator(cfg)?;      // or ::responder(cfg)
//! loop {
//!     hs.data_to_send(&mut out);                      // write `out` to the socket
//!     if hs.is_complete() { break; }
//!     hs.receive_data(&bytes_from_socket)?;           // any chunking, even 1 byte
//! }
//! hs.data_to_send(&mut out);                          // the responder's last message
//! let (mut transport, leftover) = hs.into_transport()?;
//! transport.decrypt(&leftover, &mut plaintext)?;      // bytes that came with the last message
//! transport.encrypt_frames(&frames, &frame_ends, &mut out)?;
//! transport.decrypt(&bytes_from_socket, &mut plaintext)?;
//! ```
//!
//! The spec-2025 dialect (sv2-spec 0f38d51) has its own pair with the same verbs:
//! [`Spec2025Handshake`] (secp256k1 ElligatorSwift, SHA-256, BIP340 certificate; 64- and
//! 234-byte messages, no negotiation, no length prefix) and [`Spec2025Transport`] (22-byte
//! encrypted header, payload in ≤ 65 519-byte chunks).
//!
//! After any error both objects are dead: every later call returns [`NoiseError::Closed`]
//! (R26, no resync).

mod backend;
mod dialect;
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
mod rng;
mod secp;
mod transport;
mod transport2025;

pub use handshake::{InitiatorConfig, NoiseHandshake, ResponderConfig};
pub use secp::{
    Spec2025Handshake, Spec2025InitiatorConfig, Spec2025ResponderConfig, ELLSWIFT_LEN,
    SPEC_2025_MESSAGE_1_LEN, SPEC_2025_MESSAGE_2_LEN, SPEC_2025_PROTOCOL_NAME,
};
pub use transport::{NoiseTransport, SendPolicy};
pub use transport2025::{payload_ciphertext_len, Spec2025Transport, ENCRYPTED_HEADER_LEN};

/// The name of the 2025 dialect everywhere a dialect is named (issue 20): the
/// `Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256` suite of [`Spec2025Handshake`] and the
/// chunked framing of [`Spec2025Transport`].
pub const SPEC_2025: &str = "spec-2025";

use crate::keys::CertificateError;

/// Largest Noise message on the wire, without its 2-byte length prefix (Noise spec, §3.3.4).
pub const MAX_MESSAGE_LEN: usize = 65_535;
/// Size of the AEAD tag that every encrypted Noise message carries.
pub const TAG_LEN: usize = 16;
/// Largest plaintext one transport message can carry: 65 535 − 16.
pub const MAX_PLAINTEXT_LEN: usize = MAX_MESSAGE_LEN - TAG_LEN;
/// Size of the U16 LE length prefix in front of every Noise message (§3.3.4).
pub const LENGTH_PREFIX_LEN: usize = 2;

/// The AEAD of the Noise suite.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Cipher {
    /// ChaCha20-Poly1305 (IETF): `Noise_NX_25519_ChaChaPoly_BLAKE2s`, id `CHCH`.
    ChaChaPoly,
    /// AES-256-GCM: `Noise_NX_25519_AESGCM_BLAKE2s`, id `AESG`.
    AesGcm,
}

impl Cipher {
    /// Both ciphers, ChaChaPoly first (the order SRI offers them and prefers them in).
    pub const ALL: [Cipher; 2] = [Cipher::ChaChaPoly, Cipher::AesGcm];

    /// The negotiation id: the ASCII tag read as a little-endian u32 (`CHCH` = 0x48434843,
    /// `AESG` = 0x47534541), so the tag's characters appear in reading order on the wire.
    pub fn id(self) -> u32 {
        match self {
            Cipher::ChaChaPoly => u32::from_le_bytes(*b"CHCH"),
            Cipher::AesGcm => u32::from_le_bytes(*b"AESG"),
        }
    }

    /// The cipher with this negotiation id, if it is one we know.
    pub fn from_id(id: u32) -> Option<Cipher> {
        Cipher::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The name on the wire: the 4-character negotiation tag, `"CHCH"` or `"AESG"`. Errors and
    /// logs name ciphers by it, since it is what a packet capture or a peer's log shows.
    pub fn wire_name(self) -> &'static str {
        match self {
            Cipher::ChaChaPoly => "CHCH",
            Cipher::AesGcm => "AESG",
        }
    }

    /// The cipher a configuration names, case-insensitively: the wire tag (`CHCH`, `AESG`), the
    /// Noise name (`ChaChaPoly`, `AESGCM`) or a common spelling (`chacha20-poly1305`,
    /// `aes-256-gcm`, `aes-gcm`, `aesgcm`). Every binding reads cipher names through this.
    pub fn from_name(name: &str) -> Option<Cipher> {
        let folded: String = name
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match folded.as_str() {
            "chch" | "chachapoly" | "chacha20poly1305" => Some(Cipher::ChaChaPoly),
            "aesg" | "aesgcm" | "aes256gcm" => Some(Cipher::AesGcm),
            _ => None,
        }
    }

    /// A list of cipher names separated by commas or spaces (`"AESG,CHCH"`,
    /// `"chacha20-poly1305 aesgcm"`), in order. Empty lists, unknown names and repeats are
    /// refused with a readable text.
    pub fn parse_list(text: &str) -> Result<Vec<Cipher>, String> {
        let mut list = Vec::new();
        for name in text.split([',', ' ']).filter(|n| !n.is_empty()) {
            let cipher = Cipher::from_name(name).ok_or_else(|| Cipher::unknown_name_error(name))?;
            if list.contains(&cipher) {
                return Err(format!("cipher {cipher} named twice"));
            }
            list.push(cipher);
        }
        if list.is_empty() {
            return Err("no cipher named: give CHCH, AESG or both".into());
        }
        Ok(list)
    }

    /// The text of the error for a name [`Cipher::from_name`] does not know.
    pub fn unknown_name_error(name: &str) -> String {
        format!("unknown cipher {name:?}: CHCH (ChaChaPoly) or AESG (AESGCM)")
    }

    /// The full Noise protocol name of the suite with this cipher.
    pub fn protocol_name(self) -> &'static str {
        match self {
            Cipher::ChaChaPoly => "Noise_NX_25519_ChaChaPoly_BLAKE2s",
            Cipher::AesGcm => "Noise_NX_25519_AESGCM_BLAKE2s",
        }
    }
}

/// Which deployed dialect of the 2022 Noise layer to speak (CHECKLIST E7, R21).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum NoiseProfile {
    /// SRI from 2022-08 to 2023-07 ("STR3"): bare reply, offer ‖ choice prologue, 74-byte
    /// certificate message. Closest to the spec text; the default.
    #[default]
    Sri2023,
    /// Braiins ii-stratum and Braiins Pool 2021 ("STR2", or no negotiation at all): full reply
    /// message, `00 01 ‖ reply` prologue, 76-byte certificate message, one SV2 frame per Noise
    /// message.
    Braiins2021,
}

impl NoiseProfile {
    /// Both profiles, in the order of their names in error messages.
    pub const ALL: [NoiseProfile; 2] = [NoiseProfile::Sri2023, NoiseProfile::Braiins2021];

    /// The negotiation the wire dialect `dialect` speaks: `braiins-2021` the Braiins one
    /// ("STR2"), `spec` and `sri-2023` the SRI one ("STR3"). Sessions use it whenever the Noise
    /// configuration leaves its profile unset, so the dialect alone is enough to reach a
    /// deployed implementation.
    pub fn of_dialect(dialect: &crate::messages::Dialect) -> NoiseProfile {
        if dialect.name() == "braiins-2021" {
            NoiseProfile::Braiins2021
        } else {
            NoiseProfile::Sri2023
        }
    }

    /// The profile's name, which is also the wire dialect that speaks it: `"sri-2023"` or
    /// `"braiins-2021"`.
    pub fn name(self) -> &'static str {
        match self {
            NoiseProfile::Sri2023 => "sri-2023",
            NoiseProfile::Braiins2021 => "braiins-2021",
        }
    }

    /// The profile named `name` (`"sri-2023"` or `"braiins-2021"`, case-insensitive).
    pub fn from_name(name: &str) -> Option<NoiseProfile> {
        NoiseProfile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The magic of its NegotiationMessage as text: `"STR3"` or `"STR2"`.
    pub fn magic_text(self) -> &'static str {
        match self {
            NoiseProfile::Sri2023 => "STR3",
            NoiseProfile::Braiins2021 => "STR2",
        }
    }
}

/// A negotiation id as users meet it: its 4-character tag when printable (`AESG`), with the
/// number beside it since an unknown id may not be text.
fn id_text(id: u32) -> String {
    let tag = id.to_le_bytes();
    if tag.iter().all(|b| b.is_ascii_graphic()) {
        format!("{} ({id:#010x})", String::from_utf8_lossy(&tag))
    } else {
        format!("{id:#010x}")
    }
}

impl std::fmt::Display for Cipher {
    /// The wire name (`CHCH`, `AESG`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.wire_name())
    }
}

impl std::fmt::Display for NoiseProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which first-message form a handshake used: what a responder detected, or what an initiator
/// sent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum NegotiationForm {
    /// `STR3` negotiation (SRI 2022/2023).
    Str3,
    /// `STR2` negotiation (Braiins 2021, SRI 2022-07/08).
    Str2,
    /// No negotiation: the first message is `-> e` of a ChaChaPoly handshake with an empty
    /// prologue (legacy Braiins clients).
    None,
}

impl NegotiationForm {
    /// The profile whose wire rules this form follows.
    pub fn profile(self) -> NoiseProfile {
        match self {
            NegotiationForm::Str3 => NoiseProfile::Sri2023,
            NegotiationForm::Str2 | NegotiationForm::None => NoiseProfile::Braiins2021,
        }
    }
}

/// Everything that can go wrong in the secure channel. Each cause is its own variant so that
/// the C ABI can map them to distinct codes; none carries peer-controlled strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoiseError {
    /// A Noise message with a length prefix of 0 (never valid: every message carries at least
    /// a key or a tag).
    #[error("Noise message with length prefix 0")]
    ZeroLengthMessage,
    /// The first bytes a Noise server received are a plaintext Stratum V2 frame: its
    /// extension type 0x0000 reads as a Noise length prefix of 0. The client is not using Noise.
    #[error(
        "the client sent a plaintext Stratum V2 frame where this server expects a Noise handshake: \
         the server speaks Noise and the client is plaintext (a stratum2+tcp+plain:// URL?); \
         give the client the pool's stratum2+tcp://HOST:PORT/<authority key> URL"
    )]
    PlaintextPeer,
    /// A length prefix larger than any message allowed at this point of the protocol.
    #[error("Noise message of {len} bytes where at most {max} are allowed")]
    MessageTooLong {
        /// The announced length.
        len: usize,
        /// The largest length allowed here.
        max: usize,
    },
    /// A transport message shorter than the 16-byte AEAD tag.
    #[error("transport message of {len} bytes is shorter than the AEAD tag")]
    MessageTooShort {
        /// The announced length.
        len: usize,
    },
    /// A handshake message whose length is not the one this step requires (which is also how
    /// a message that arrives out of order shows).
    #[error("handshake message {step} has {len} bytes, which is not a valid length for it")]
    UnexpectedHandshakeLength {
        /// Which message was expected (`"N1"`, `"N2"`, `"-> e"`, `"<- e, ee, s, es"`).
        step: &'static str,
        /// Its length.
        len: usize,
    },
    /// A negotiation message that does not parse (bad magic, count/length mismatch, a reply
    /// naming more than one algorithm).
    #[error("malformed negotiation message: {0}")]
    MalformedNegotiation(&'static str),
    /// The initiator skipped negotiation but this responder is configured to refuse that.
    #[error("the initiator skipped algorithm negotiation, which this responder refuses")]
    NegotiationRequired,
    /// No algorithm offered by the initiator is supported by the responder.
    #[error("no encryption algorithm in common with the peer")]
    NoCommonCipher,
    /// The responder answered the offer in the other dialect's negotiation form (a 9-byte
    /// `STR2` reply to an `STR3` offer, or a bare 4-byte id to an `STR2` offer): the client is
    /// configured with the wrong dialect.
    #[error(
        "the server answered with the {answered} negotiation ({magic}); configure dialect {answered}",
        magic = answered.magic_text()
    )]
    DialectMismatch {
        /// The profile whose reply form the server used.
        answered: NoiseProfile,
    },
    /// The responder chose an algorithm the initiator did not offer (id as on the wire).
    #[error("the responder chose algorithm {}, which was not offered", id_text(*.0))]
    UnofferedCipher(u32),
    /// Decryption of a handshake message failed: a tampered message, a different prologue
    /// (negotiation mismatch, R20) or a peer speaking another dialect.
    #[error("handshake message failed authentication")]
    HandshakeDecrypt,
    /// Decryption of a transport message failed (tampering, loss or reordering); the channel
    /// is closed (R26).
    #[error("transport message failed authentication")]
    TransportDecrypt,
    /// A peer sent an X25519 key whose shared secret is all zeros (a low-order point).
    #[error("the peer's ephemeral key is a low-order point")]
    InvalidPublicKey,
    /// The server certificate was refused (bad signature or wrong authority, not yet valid,
    /// expired, malformed).
    #[error("server certificate refused: {0}")]
    Certificate(#[from] CertificateError),
    /// A CipherState nonce reached its last value; the connection must be closed (R27).
    #[error("nonce space exhausted: the connection must be re-established")]
    NonceExhausted,
    /// A frame does not fit one Noise message and this peer's dialect cannot reassemble split
    /// frames (braiins-2021); or, in spec-2025, a received header announces a payload over the
    /// configured limit.
    #[error("SV2 frame of {len} bytes exceeds the {max}-byte limit of this peer's dialect")]
    FrameTooLarge {
        /// Frame length.
        len: usize,
        /// Largest frame the peer accepts.
        max: usize,
    },
    /// `frame_ends` passed to [`NoiseTransport::encrypt_frames`] is not strictly increasing or
    /// does not end at the plaintext length.
    #[error("frame boundaries do not partition the plaintext")]
    InvalidFrameBoundaries,
    /// The configuration cannot work (e.g. an empty or over-long algorithm list).
    #[error("invalid Noise configuration: {0}")]
    InvalidConfig(&'static str),
    /// The operating system's random number generator failed.
    #[error("random number generator failed")]
    Rng,
    /// [`NoiseHandshake::into_transport`] was called before the handshake completed.
    #[error("the handshake is not complete")]
    HandshakeIncomplete,
    /// An earlier error ended the channel; it cannot be used any more (R26).
    #[error("the secure channel was closed by an earlier error")]
    Closed,
    /// The Noise backend failed in a way the protocol does not explain (a bug, not peer input).
    #[error("internal Noise backend error: {0}")]
    Internal(&'static str),
}
