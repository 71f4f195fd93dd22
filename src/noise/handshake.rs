//! The handshake state machine: negotiation (A.3.2 steps 2–5), Noise NX messages 1 and 2, and
//! the server certificate (A.3.3), sans-I/O.
//!
//! ```text
//!  initiator                                    responder
//!  N1  STR3|STR2 ‖ offered ids   ────────▶      detects the form (R21), chooses
//!                                ◀────────  N2  chosen id (STR3) | STR2 ‖ 01 ‖ id
//!  M1  -> e (32 bytes)           ────────▶
//!                                ◀────────  M2  <- e, ee, s, es, SIGNATURE_NOISE_MESSAGE
//!  verifies the certificate
//! ```
//!
//! Without negotiation (legacy Braiins) the initiator starts with M1. Every message carries a
//! U16 LE length prefix (§3.3.4). Each step accepts exactly the lengths it can take, so a
//! message out of order is refused by its length before any cryptography runs.

use super::backend::{nx_25519_blake2s, BackendParams, HandshakeBackend, SplitKeys};
use super::dialect::{self, FirstMessage, NoiseDialect, MAX_NEGOTIATION_LEN, MESSAGE_1_LEN};
use super::rng::NoiseRng;
use super::transport::{NoiseTransport, SendPolicy};
use super::{Cipher, NegotiationForm, NoiseError, NoiseProfile, LENGTH_PREFIX_LEN};
use crate::keys::{
    AuthorityPublicKey, Certificate, SignatureLayout, StaticPublicKey, StaticSecretKey,
};

/// Size of Noise message 2 without its payload: `e` (32) ‖ encrypted `s` (32 + 16) ‖ tag of
/// the encrypted payload (16).
const MESSAGE_2_OVERHEAD: usize = 32 + 32 + 16 + 16;

/// How a client runs the handshake.
#[derive(Clone)]
#[non_exhaustive]
pub struct InitiatorConfig {
    /// The pool authority's Ed25519 key (from the URL, A.3.5): the certificate must verify
    /// under it (R24).
    pub authority_key: AuthorityPublicKey,
    /// Current unix time in seconds, for the certificate validity window (R25). The library
    /// reads no clock.
    pub now_unix: u64,
    /// The negotiation to speak. `None` (the default): the one of the session's wire dialect
    /// ([`NoiseProfile::of_dialect`]: braiins-2021 speaks STR2, the others STR3), and
    /// [`NoiseProfile::Sri2023`] for a handshake run on its own. `Some` overrides the dialect.
    pub profile: Option<NoiseProfile>,
    /// Algorithms to offer, in order (at most 255). `None`: the profile's default,
    /// ChaChaPoly then AESGCM.
    pub ciphers: Option<Vec<Cipher>>,
    /// `false` skips negotiation altogether: the first message is `-> e` of a ChaChaPoly
    /// handshake with an empty prologue. Only the Braiins 2021 dialect knows this form.
    pub negotiate: bool,
    /// Seed for the ephemeral key; `None` uses the OS random source. Only for reproducible
    /// tests, or devices given a good seed from elsewhere.
    pub rng_seed: Option<[u8; 32]>,
}

impl InitiatorConfig {
    /// The default client: SRI 2023 dialect, offers ChaChaPoly then AESGCM, OS randomness.
    pub fn new(authority_key: AuthorityPublicKey, now_unix: u64) -> Self {
        InitiatorConfig {
            authority_key,
            now_unix,
            profile: None,
            ciphers: None,
            negotiate: true,
            rng_seed: None,
        }
    }
}

/// How a server runs the handshake.
///
/// A responder speaks whichever dialect the initiator opened with (R21): STR3 initiators get
/// the SRI replies and a 74-byte certificate message, STR2 and negotiation-free initiators the
/// Braiins replies and a 76-byte one. Its own profile sets only its cipher preference.
#[derive(Clone)]
#[non_exhaustive]
pub struct ResponderConfig {
    /// The server's X25519 static key (`s`), with its public half derived once here rather
    /// than in every handshake. Private so the two cannot disagree; see
    /// [`ResponderConfig::new`].
    static_secret: StaticSecretKey,
    static_public: StaticPublicKey,
    /// The certificate the authority signed for `s`.
    pub certificate: Certificate,
    /// Whose cipher preference to use when `cipher_preference` is `None`. `None` (the
    /// default): the session's wire dialect decides ([`NoiseProfile::of_dialect`]: a
    /// braiins-2021 server prefers AESGCM as Braiins does), [`NoiseProfile::Sri2023`] for a
    /// handshake run on its own.
    pub profile: Option<NoiseProfile>,
    /// Algorithms this server supports, most preferred first; it picks the first one offered.
    /// `None`: the profile's order (SRI: ChaChaPoly first; Braiins: AESGCM whenever offered).
    pub cipher_preference: Option<Vec<Cipher>>,
    /// Accept initiators that skip negotiation (legacy Braiins clients). Default `true`, as
    /// R21 asks; set `false` to require negotiation.
    pub accept_no_negotiation: bool,
    /// Seed for the ephemeral key; `None` uses the OS random source.
    pub rng_seed: Option<[u8; 32]>,
}

impl ResponderConfig {
    /// A server with the default profile that accepts every first-message form.
    pub fn new(static_secret: StaticSecretKey, certificate: Certificate) -> Self {
        ResponderConfig {
            static_public: static_secret.public_key(),
            static_secret,
            certificate,
            profile: None,
            cipher_preference: None,
            accept_no_negotiation: true,
            rng_seed: None,
        }
    }

    /// The server's static public key (the `s` sent in the handshake).
    pub fn static_public_key(&self) -> StaticPublicKey {
        self.static_public
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

impl std::fmt::Debug for InitiatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitiatorConfig")
            .field("authority_key", &self.authority_key)
            .field("now_unix", &self.now_unix)
            .field("profile", &self.profile)
            .field("ciphers", &self.ciphers)
            .field("negotiate", &self.negotiate)
            .field("rng_seed", &redact_seed(&self.rng_seed))
            .finish()
    }
}

impl std::fmt::Debug for ResponderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponderConfig")
            .field("static_secret", &self.static_secret)
            .field("static_public", &self.static_public)
            .field("certificate", &self.certificate)
            .field("profile", &self.profile)
            .field("cipher_preference", &self.cipher_preference)
            .field("accept_no_negotiation", &self.accept_no_negotiation)
            .field("rng_seed", &redact_seed(&self.rng_seed))
            .finish()
    }
}

enum Role {
    Initiator {
        authority_key: AuthorityPublicKey,
        now_unix: u64,
        dialect: &'static NoiseDialect,
    },
    Responder {
        static_secret: StaticSecretKey,
        static_public: StaticPublicKey,
        certificate: Certificate,
        preference: Vec<Cipher>,
        accept_no_negotiation: bool,
    },
}

enum Step {
    /// Initiator: N1 sent, waiting for N2. Keeps the raw offered ids for the prologue.
    AwaitReply { offered: Vec<u32> },
    /// Initiator: M1 sent, waiting for M2.
    AwaitMessage2 { backend: Box<dyn HandshakeBackend> },
    /// Responder: waiting for N1 or (without negotiation) M1.
    AwaitFirst,
    /// Responder: N2 sent, waiting for M1.
    AwaitMessage1 {
        backend: Box<dyn HandshakeBackend>,
        layout: SignatureLayout,
    },
    /// Done; the transport keys are waiting for `into_transport`.
    Complete { keys: SplitKeys },
    /// An error ended the handshake (R26).
    Failed,
}

/// One Noise handshake, initiator or responder, as a sans-I/O state machine.
///
/// Feed received bytes to [`receive_data`](Self::receive_data), send what
/// [`data_to_send`](Self::data_to_send) yields, and once [`is_complete`](Self::is_complete)
/// (and the output is drained) call [`into_transport`](Self::into_transport). Any error is
/// final: later calls return [`NoiseError::Closed`].
pub struct NoiseHandshake {
    role: Role,
    step: Step,
    /// Taken when the backend is built (once per handshake).
    rng: Option<NoiseRng>,
    /// Received bytes not yet consumed; after completion, the transport bytes that followed.
    inbox: Vec<u8>,
    /// Length-prefixed messages waiting for `data_to_send`.
    outbox: Vec<u8>,
    cipher: Option<Cipher>,
    form: Option<NegotiationForm>,
    server_key: Option<StaticPublicKey>,
    certificate: Option<(Certificate, SignatureLayout)>,
    handshake_hash: Option<[u8; 32]>,
}

impl std::fmt::Debug for NoiseHandshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let step = match self.step {
            Step::AwaitReply { .. } => "AwaitReply",
            Step::AwaitMessage2 { .. } => "AwaitMessage2",
            Step::AwaitFirst => "AwaitFirst",
            Step::AwaitMessage1 { .. } => "AwaitMessage1",
            Step::Complete { .. } => "Complete",
            Step::Failed => "Failed",
        };
        f.debug_struct("NoiseHandshake")
            .field("initiator", &self.is_initiator())
            .field("step", &step)
            .field("cipher", &self.cipher)
            .field("form", &self.form)
            .field("server_key", &self.server_key)
            .finish()
    }
}

impl NoiseHandshake {
    /// Starts a client handshake. Its first message is ready in `data_to_send` at once.
    pub fn initiator(config: InitiatorConfig) -> Result<Self, NoiseError> {
        let profile = config.profile.unwrap_or_default();
        let dialect = profile.dialect();
        let ciphers = config
            .ciphers
            .unwrap_or_else(|| dialect.default_offer.to_vec());
        if ciphers.is_empty() {
            return Err(NoiseError::InvalidConfig("no algorithm to offer"));
        }
        if ciphers.len() > 255 {
            return Err(NoiseError::InvalidConfig(
                "more than 255 algorithms offered",
            ));
        }
        if !config.negotiate && !dialect.may_skip_negotiation {
            return Err(NoiseError::InvalidConfig(
                "only the Braiins 2021 dialect can skip negotiation",
            ));
        }
        let mut hs = NoiseHandshake {
            role: Role::Initiator {
                authority_key: config.authority_key,
                now_unix: config.now_unix,
                dialect,
            },
            step: Step::Failed,
            rng: Some(NoiseRng::new(config.rng_seed)),
            inbox: Vec::new(),
            outbox: Vec::new(),
            cipher: None,
            form: None,
            server_key: None,
            certificate: None,
            handshake_hash: None,
        };
        if config.negotiate {
            let offered: Vec<u32> = ciphers.iter().map(|c| c.id()).collect();
            let mut n1 = Vec::with_capacity(5 + 4 * offered.len());
            dialect::encode_negotiation(dialect.magic, &offered, &mut n1);
            hs.push_message(&n1)?;
            hs.form = Some(if profile == NoiseProfile::Sri2023 {
                NegotiationForm::Str3
            } else {
                NegotiationForm::Str2
            });
            hs.step = Step::AwaitReply { offered };
        } else {
            hs.form = Some(NegotiationForm::None);
            let backend = hs.start_backend(Cipher::ChaChaPoly, &[], None)?;
            hs.step = hs.send_message_1(backend)?;
        }
        Ok(hs)
    }

    /// Starts a server handshake; it waits for the client's first message.
    pub fn responder(config: ResponderConfig) -> Result<Self, NoiseError> {
        let preference = config.cipher_preference.unwrap_or_else(|| {
            config
                .profile
                .unwrap_or_default()
                .dialect()
                .default_preference
                .to_vec()
        });
        if preference.is_empty() {
            return Err(NoiseError::InvalidConfig("no supported algorithm"));
        }
        let server_key = config.static_public;
        Ok(NoiseHandshake {
            role: Role::Responder {
                static_secret: config.static_secret,
                static_public: config.static_public,
                certificate: config.certificate,
                preference,
                accept_no_negotiation: config.accept_no_negotiation,
            },
            step: Step::AwaitFirst,
            rng: Some(NoiseRng::new(config.rng_seed)),
            inbox: Vec::new(),
            outbox: Vec::new(),
            cipher: None,
            form: None,
            server_key: Some(server_key),
            certificate: None,
            handshake_hash: None,
        })
    }

    /// Feeds bytes received from the peer, in any chunking. Processes every complete message;
    /// bytes after the last handshake message are kept for [`into_transport`](Self::into_transport)
    /// (they are only stored, so call it as soon as the handshake is complete).
    ///
    /// Each message's length prefix is checked against what the current step accepts before
    /// its body is awaited, so a bad prefix is refused at once rather than after up to 64 KiB
    /// of waiting and buffering.
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

    /// Appends the bytes to send to the peer (possibly none) to `out`.
    pub fn data_to_send(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.outbox);
    }

    /// Whether `data_to_send` has bytes waiting.
    pub fn wants_write(&self) -> bool {
        !self.outbox.is_empty()
    }

    /// Whether the handshake has completed (the initiator has verified the certificate; the
    /// responder has produced its last message).
    pub fn is_complete(&self) -> bool {
        matches!(self.step, Step::Complete { .. })
    }

    /// Whether an error ended this handshake.
    pub fn is_failed(&self) -> bool {
        matches!(self.step, Step::Failed)
    }

    /// Whether this side is the initiator (client).
    pub fn is_initiator(&self) -> bool {
        matches!(self.role, Role::Initiator { .. })
    }

    /// The AEAD, once negotiated.
    pub fn cipher(&self) -> Option<Cipher> {
        self.cipher
    }

    /// Which first-message form is used: what the initiator sent, or what the responder
    /// detected (known once the first message has been read).
    pub fn negotiation_form(&self) -> Option<NegotiationForm> {
        self.form
    }

    /// The server's static key: the responder's own, or the one the initiator received (set
    /// only after the certificate verified).
    pub fn server_static_key(&self) -> Option<StaticPublicKey> {
        self.server_key
    }

    /// The server certificate and the layout it travelled in: the verified one (initiator) or
    /// the one sent (responder), once the handshake is complete.
    pub fn certificate(&self) -> Option<(Certificate, SignatureLayout)> {
        self.certificate
    }

    /// The Noise handshake hash `h`, identical on both sides once complete; usable as a
    /// channel-binding value.
    pub fn handshake_hash(&self) -> Option<[u8; 32]> {
        self.handshake_hash
    }

    /// Turns a completed handshake into the transport, returning with it the bytes received
    /// after the last handshake message (to pass to [`NoiseTransport::decrypt`] first).
    ///
    /// Fails with [`NoiseError::HandshakeIncomplete`] if the handshake is not complete or its
    /// last message has not been taken with `data_to_send`, and with [`NoiseError::Closed`]
    /// after an error. The send policy follows the peer's dialect:
    /// [`SendPolicy::FramePerMessage`] for STR3, [`SendPolicy::FramePerMessageNoSplit`] for
    /// STR2 and negotiation-free peers.
    pub fn into_transport(self) -> Result<(NoiseTransport, Vec<u8>), NoiseError> {
        let NoiseHandshake {
            step,
            inbox,
            outbox,
            cipher,
            form,
            ..
        } = self;
        match step {
            Step::Complete { keys } if outbox.is_empty() => {
                let cipher = cipher.ok_or(NoiseError::Internal("complete without a cipher"))?;
                let reassembles = form
                    .map(|f| f.profile().dialect().reassembles_split_frames)
                    .unwrap_or(false);
                let policy = if reassembles {
                    SendPolicy::FramePerMessage
                } else {
                    SendPolicy::FramePerMessageNoSplit
                };
                Ok((NoiseTransport::new(cipher, keys, policy)?, inbox))
            }
            Step::Failed => Err(NoiseError::Closed),
            _ => Err(NoiseError::HandshakeIncomplete),
        }
    }

    /// Takes complete messages off the inbox and runs them through the state machine.
    fn process_inbox(&mut self) -> Result<(), NoiseError> {
        let mut consumed = 0;
        let result = loop {
            if self.is_complete() {
                break Ok(());
            }
            let available = &self.inbox[consumed..];
            let Some(prefix) = available.first_chunk::<LENGTH_PREFIX_LEN>() else {
                break Ok(());
            };
            let len = usize::from(u16::from_le_bytes(*prefix));
            // Check the announced length before waiting for the body, so a bad prefix is
            // refused at once and nothing larger than the step allows is ever buffered.
            if let Err(e) = self.check_length(len) {
                break Err(e);
            }
            let Some(message) = available.get(LENGTH_PREFIX_LEN..LENGTH_PREFIX_LEN + len) else {
                break Ok(());
            };
            let message = message.to_vec();
            consumed += LENGTH_PREFIX_LEN + len;
            if let Err(e) = self.on_message(&message) {
                break Err(e);
            }
        };
        self.inbox.drain(..consumed);
        result
    }

    /// The lengths each step accepts.
    fn check_length(&self, len: usize) -> Result<(), NoiseError> {
        if len == 0 {
            // A server's first bytes with a zero prefix: the 0x0000 extension type of a
            // plaintext frame (SetupConnection), from a client that is not using Noise.
            if matches!(self.step, Step::AwaitFirst) && matches!(self.role, Role::Responder { .. })
            {
                return Err(NoiseError::PlaintextPeer);
            }
            return Err(NoiseError::ZeroLengthMessage);
        }
        // (step name, the one or two lengths it accepts)
        let (step, a, b) = match (&self.step, &self.role) {
            (Step::AwaitFirst, _) => {
                if len > MAX_NEGOTIATION_LEN {
                    return Err(NoiseError::MessageTooLong {
                        len,
                        max: MAX_NEGOTIATION_LEN,
                    });
                }
                return Ok(());
            }
            (Step::AwaitReply { .. }, Role::Initiator { dialect, .. }) => {
                // The other dialect's reply length passes too, so that `on_reply` can tell a
                // server of the other dialect (and name it) from a broken reply.
                (
                    "N2",
                    dialect::reply_len(dialect),
                    dialect::other_reply_len(dialect),
                )
            }
            (Step::AwaitMessage1 { .. }, _) => ("-> e", MESSAGE_1_LEN, MESSAGE_1_LEN),
            (Step::AwaitMessage2 { .. }, _) => (
                "<- e, ee, s, es",
                MESSAGE_2_OVERHEAD + SignatureLayout::Raw.message_len(),
                MESSAGE_2_OVERHEAD + SignatureLayout::LengthPrefixed.message_len(),
            ),
            _ => return Err(NoiseError::Internal("no message expected in this state")),
        };
        let max = a.max(b);
        if len > max {
            Err(NoiseError::MessageTooLong { len, max })
        } else if len != a && len != b {
            Err(NoiseError::UnexpectedHandshakeLength { step, len })
        } else {
            Ok(())
        }
    }

    fn on_message(&mut self, message: &[u8]) -> Result<(), NoiseError> {
        let step = std::mem::replace(&mut self.step, Step::Failed);
        self.step = match step {
            Step::AwaitReply { offered } => self.on_reply(&offered, message)?,
            Step::AwaitMessage2 { backend } => self.on_message_2(backend, message)?,
            Step::AwaitFirst => self.on_first(message)?,
            Step::AwaitMessage1 { backend, layout } => {
                self.on_message_1(backend, layout, message)?
            }
            Step::Complete { .. } | Step::Failed => {
                return Err(NoiseError::Internal("message after the handshake ended"))
            }
        };
        Ok(())
    }

    /// Initiator, N2: check the choice, build the prologue, send M1.
    fn on_reply(&mut self, offered: &[u32], reply: &[u8]) -> Result<Step, NoiseError> {
        let Role::Initiator { dialect, .. } = &self.role else {
            return Err(NoiseError::Internal("reply on a responder"));
        };
        let dialect: &'static NoiseDialect = dialect;
        if let Some(answered) = dialect::reply_of_other_dialect(dialect, reply) {
            return Err(NoiseError::DialectMismatch { answered });
        }
        let id = dialect::decode_reply(dialect, reply)?;
        let cipher = Cipher::from_id(id)
            .filter(|_| offered.contains(&id))
            .ok_or(NoiseError::UnofferedCipher(id))?;
        let prologue = dialect::prologue(dialect, offered, cipher, reply);
        let backend = self.start_backend(cipher, &prologue, None)?;
        self.send_message_1(backend)
    }

    /// Initiator: write M1 (`-> e`, empty payload) and wait for M2.
    fn send_message_1(
        &mut self,
        mut backend: Box<dyn HandshakeBackend>,
    ) -> Result<Step, NoiseError> {
        let mut m1 = Vec::with_capacity(MESSAGE_1_LEN);
        backend.write_message(&[], &mut m1)?;
        self.push_message(&m1)?;
        Ok(Step::AwaitMessage2 { backend })
    }

    /// Initiator, M2: decrypt `s` and the certificate, verify it (R23, R24, R25).
    fn on_message_2(
        &mut self,
        mut backend: Box<dyn HandshakeBackend>,
        message: &[u8],
    ) -> Result<Step, NoiseError> {
        let Role::Initiator {
            authority_key,
            now_unix,
            ..
        } = &self.role
        else {
            return Err(NoiseError::Internal("message 2 on a responder"));
        };
        let mut payload = Vec::with_capacity(SignatureLayout::LengthPrefixed.message_len());
        backend.read_message(message, &mut payload)?;
        let server_key = StaticPublicKey::from_bytes(
            backend
                .remote_static()
                .ok_or(NoiseError::Internal("no remote static key after message 2"))?,
        );
        let (certificate, layout) = Certificate::decode(&payload)?;
        certificate.verify(authority_key, &server_key, *now_unix)?;
        self.server_key = Some(server_key);
        self.certificate = Some((certificate, layout));
        Ok(self.finish(backend))
    }

    /// Responder, first message: detect the form (R21) and answer it.
    fn on_first(&mut self, message: &[u8]) -> Result<Step, NoiseError> {
        let Role::Responder {
            preference,
            accept_no_negotiation,
            static_secret,
            static_public,
            ..
        } = &self.role
        else {
            return Err(NoiseError::Internal("first message on an initiator"));
        };
        // Cloned (zeroized on drop) because starting the backend borrows `self` mutably.
        let static_key = (static_secret.clone(), *static_public);
        match dialect::classify_first_message(message)? {
            FirstMessage::Message1 => {
                if !accept_no_negotiation {
                    return Err(NoiseError::NegotiationRequired);
                }
                if !preference.contains(&Cipher::ChaChaPoly) {
                    return Err(NoiseError::NoCommonCipher);
                }
                self.form = Some(NegotiationForm::None);
                let backend = self.start_backend(
                    Cipher::ChaChaPoly,
                    &[],
                    Some((&static_key.0, &static_key.1)),
                )?;
                let layout = NegotiationForm::None.profile().dialect().snm_layout;
                self.on_message_1(backend, layout, message)
            }
            FirstMessage::Offer { form, ids } => {
                let dialect = form.profile().dialect();
                let chosen = dialect::choose(preference, &ids)?;
                let mut reply = Vec::with_capacity(9);
                dialect::encode_reply(dialect, chosen, &mut reply);
                let prologue = dialect::prologue(dialect, &ids, chosen, &reply);
                self.form = Some(form);
                let backend =
                    self.start_backend(chosen, &prologue, Some((&static_key.0, &static_key.1)))?;
                self.push_message(&reply)?;
                Ok(Step::AwaitMessage1 {
                    backend,
                    layout: dialect.snm_layout,
                })
            }
        }
    }

    /// Responder, M1: read `-> e`, answer with M2 carrying the certificate.
    fn on_message_1(
        &mut self,
        mut backend: Box<dyn HandshakeBackend>,
        layout: SignatureLayout,
        message: &[u8],
    ) -> Result<Step, NoiseError> {
        let Role::Responder { certificate, .. } = &self.role else {
            return Err(NoiseError::Internal("message 1 on an initiator"));
        };
        let certificate = *certificate;
        let mut payload = Vec::new();
        backend.read_message(message, &mut payload)?;
        // The length check allows exactly 32 bytes, so the (cleartext) payload is empty.
        let snm = certificate.encode(layout);
        let mut m2 = Vec::with_capacity(MESSAGE_2_OVERHEAD + snm.len());
        backend.write_message(&snm, &mut m2)?;
        self.push_message(&m2)?;
        self.certificate = Some((certificate, layout));
        Ok(self.finish(backend))
    }

    fn finish(&mut self, mut backend: Box<dyn HandshakeBackend>) -> Step {
        self.handshake_hash = Some(backend.handshake_hash());
        Step::Complete {
            keys: backend.split(),
        }
    }

    fn start_backend(
        &mut self,
        cipher: Cipher,
        prologue: &[u8],
        static_key: Option<(&StaticSecretKey, &StaticPublicKey)>,
    ) -> Result<Box<dyn HandshakeBackend>, NoiseError> {
        let rng = self
            .rng
            .take()
            .ok_or(NoiseError::Internal("handshake started twice"))?;
        self.cipher = Some(cipher);
        nx_25519_blake2s(BackendParams {
            cipher,
            initiator: self.is_initiator(),
            prologue,
            static_key,
            rng,
        })
    }

    /// Queues one message with its U16 LE length prefix (R22).
    fn push_message(&mut self, message: &[u8]) -> Result<(), NoiseError> {
        let len = u16::try_from(message.len())
            .map_err(|_| NoiseError::Internal("handshake message over 65 535 bytes"))?;
        self.outbox.extend_from_slice(&len.to_le_bytes());
        self.outbox.extend_from_slice(message);
        Ok(())
    }
}
