//! The sans-I/O connection: one [`Session`] owns one TCP connection's protocol state — the Noise
//! handshake (or plaintext on a local network), the SetupConnection exchange (3.7), framing and
//! the flow of messages. It is fed received bytes and the current time and hands back events
//! and bytes to send; it performs no I/O, reads no clock and starts no threads.
//!
//! # Call order
//!
//! ```text
//! let mut s = Session::client(config, now_ms)?;       // or Session::server(config, now_ms)
//! loop {
//!     s.take_data_to_send(&mut out);                  // write `out` to the socket
//!     // wait for the socket or for s.poll_timeout()
//!     s.receive_data(&bytes, now_ms)?;                // or s.handle_timeout(now_ms)
//!     while let Some(event) = s.next_event() { … }   // may call s.send(&msg, now_ms)
//! }
//! ```
//!
//! After any `receive_data`, `send` or `handle_timeout`: drain the bytes to send
//! ([`Session::data_to_send`] or [`Session::take_data_to_send`]), then look at
//! [`Session::poll_timeout`], then drain [`Session::next_event`]. Messages are decoded when
//! `next_event` is called, so a peer cannot make the session queue events faster than the
//! application takes them: [`Session::receive_data`] refuses input beyond
//! [`Limits::max_buffered_input`] with [`SessionError::InputBufferFull`] (nothing is consumed;
//! drain events and retry).
//!
//! Many `send` calls before one `take_data_to_send` produce one contiguous write.

mod connections;
pub mod pair;
mod secure;
mod setup;

pub use connections::{ConnectionId, ConnectionSet};

pub use setup::{ProtocolSupport, SetupCheck, SetupPolicy};

use crate::codec::{DecodeError, EncodeError, FrameError, RawFrame, Str0255, StreamDecoder};
use crate::messages::{
    self, Dialect, Frame, Message, MessageKind, Protocol, SetupConnection, SetupConnectionError,
};
use crate::noise::{
    Cipher, InitiatorConfig, NegotiationForm, NoiseError, NoiseHandshake, NoiseProfile,
    ResponderConfig, SendPolicy, Spec2025Handshake, Spec2025InitiatorConfig,
    Spec2025ResponderConfig,
};
use secure::{AnyHandshake, AnyTransport};
use std::collections::{HashSet, VecDeque};
use std::fmt;

/// Resource limits of one session. Hitting one is an error that leaves the session consistent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest frame payload accepted from the peer. A header announcing more closes the
    /// session before anything is buffered.
    pub max_frame_payload: usize,
    /// Bytes received but not yet turned into events (plaintext and undecrypted); beyond this
    /// `receive_data` refuses input until events are drained.
    pub max_buffered_input: usize,
    /// Bytes queued for sending (encoded, not yet taken by `data_to_send`); beyond this `send`
    /// refuses the message.
    pub max_buffered_output: usize,
    /// Channels open on this connection (counted from Open*MiningChannel.Success and
    /// CloseChannel).
    pub max_channels: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_payload: 1 << 20,
            max_buffered_input: (1 << 20) + (1 << 17),
            max_buffered_output: 16 << 20,
            max_channels: 100_000,
        }
    }
}

/// Timeouts, in milliseconds of the caller's monotonic clock. `None` disables one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// From creation until the Noise handshake completes.
    pub handshake_ms: Option<u64>,
    /// From the end of the handshake (or creation, in plaintext) until setup completes.
    pub setup_ms: Option<u64>,
    /// Longest time without any received byte once set up.
    pub idle_ms: Option<u64>,
    /// Servers of the Mining Protocol: from SetupConnection.Success until the client asks for
    /// its first channel (OpenStandardMiningChannel or OpenExtendedMiningChannel). A client
    /// that sets up and never mines only holds a connection slot (R55; the spec leaves the
    /// value to the implementation, 60 s by default). Ignored by clients and other protocols.
    pub open_channel_ms: Option<u64>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            handshake_ms: Some(10_000),
            setup_ms: Some(10_000),
            idle_ms: None,
            open_channel_ms: Some(60_000),
        }
    }
}

/// How a client secures its connection.
#[derive(Clone, Debug)]
pub enum ClientSecurity {
    /// No encryption: only for a local network (R18, E11).
    Plaintext,
    /// Noise NX with the pool's authority key (3.3).
    Noise(InitiatorConfig),
    /// The spec-2025 dialect's Noise layer (`Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256`,
    /// chunked transport) with the pool's x-only authority key.
    Spec2025(Spec2025InitiatorConfig),
}

/// How a server secures its connections.
#[derive(Clone, Debug)]
pub enum ServerSecurity {
    /// No encryption: only for a local network.
    Plaintext,
    /// Noise NX with the server's static key and certificate.
    Noise(ResponderConfig),
    /// The spec-2025 dialect's Noise layer with a secp256k1 static key and a BIP340
    /// certificate.
    Spec2025(Spec2025ResponderConfig),
}

/// Configuration of a client session.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Plaintext or Noise.
    pub security: ClientSecurity,
    /// The SetupConnection to send first (R30); `min_version`/`max_version` should be 2.
    pub setup: SetupConnection,
    /// The wire dialect of the peer.
    pub dialect: &'static Dialect,
    /// Resource limits.
    pub limits: Limits,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// How frames map onto Noise messages; `None` keeps the negotiated dialect's default (one
    /// frame per message). [`SendPolicy::Stream`] packs a batch of frames into as few messages
    /// as possible, for peers known to reassemble a stream (E8) such as libsv2 itself.
    pub send_policy: Option<SendPolicy>,
    /// Start with the wire tap on ([`Session::set_trace`]), so that the first frames (the
    /// SetupConnection of a plaintext client) are traced too. Default off.
    pub trace: bool,
}

impl ClientConfig {
    /// A client for `protocol` with `flags`, announcing `vendor` (R36), with default limits.
    pub fn new(security: ClientSecurity, protocol: Protocol, flags: u32, vendor: &str) -> Self {
        ClientConfig {
            security,
            setup: SetupConnection {
                protocol: protocol.setup_value().unwrap_or(0),
                min_version: 2,
                max_version: 2,
                flags,
                vendor: vendor.into(),
                ..Default::default()
            },
            dialect: Dialect::default(),
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            send_policy: None,
            trace: false,
        }
    }
}

/// Configuration of a server session (cheap to clone: share one among all connections).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Plaintext or Noise.
    pub security: ServerSecurity,
    /// The protocols served, with their flags.
    pub protocols: Vec<ProtocolSupport>,
    /// Optional check of the client's vendor/hardware/firmware/device_id.
    pub setup_policy: Option<SetupPolicy>,
    /// The wire dialect of the peers.
    pub dialect: &'static Dialect,
    /// Resource limits.
    pub limits: Limits,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// How frames map onto Noise messages (see [`ClientConfig::send_policy`]).
    pub send_policy: Option<SendPolicy>,
    /// Start with the wire tap on (see [`ClientConfig::trace`]).
    pub trace: bool,
}

impl ServerConfig {
    /// A server for the given protocols with default limits.
    pub fn new(security: ServerSecurity, protocols: Vec<ProtocolSupport>) -> Self {
        ServerConfig {
            security,
            protocols,
            setup_policy: None,
            dialect: Dialect::default(),
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            send_policy: None,
            trace: false,
        }
    }
}

/// Which way a traced frame went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceDirection {
    /// Queued by this side (`send`, `send_raw`, and the session's own setup messages).
    Sent,
    /// Received from the peer (after decryption).
    Received,
}

impl TraceDirection {
    /// `"sent"` or `"received"`, as in the JSON form.
    pub fn name(self) -> &'static str {
        match self {
            TraceDirection::Sent => "sent",
            TraceDirection::Received => "received",
        }
    }
}

/// One frame of a session's trace: the plaintext SV2 frame as it is (or was) on the wire
/// before encryption. Formatting is left to [`TraceEntry::to_json`], so that tracing costs a
/// copy of the frame and no JSON until someone reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// Sent or received.
    pub direction: TraceDirection,
    /// Header and payload.
    pub frame: Vec<u8>,
    /// Entries dropped just before this one because the trace queue was full.
    pub dropped_before: u64,
}

impl TraceEntry {
    /// The entry as one line of JSON: `{"direction": "sent", "frame": {…}}`, the frame in the
    /// `sv2 decode` form ([`messages::json`]), plus `"dropped_before": n` when entries were
    /// lost.
    pub fn to_json(&self, dialect: &Dialect) -> String {
        let mut object = serde_json::Map::new();
        object.insert("direction".into(), self.direction.name().into());
        object.insert(
            "frame".into(),
            messages::json::frame_bytes_to_json(dialect, &self.frame),
        );
        if self.dropped_before > 0 {
            object.insert("dropped_before".into(), self.dropped_before.into());
        }
        serde_json::Value::Object(object).to_string()
    }
}

/// Most trace entries kept; beyond this the oldest are dropped (and counted), so a trace
/// nobody drains holds at most this many frames.
pub const MAX_TRACE_ENTRIES: usize = 1024;

#[derive(Default)]
struct Trace {
    entries: VecDeque<TraceEntry>,
    dropped: u64,
}

impl Trace {
    fn push(&mut self, direction: TraceDirection, header: &[u8], payload: &[u8]) {
        if self.entries.len() >= MAX_TRACE_ENTRIES {
            // The oldest goes; the entry now first carries the count of all lost before it.
            let lost = self.entries.pop_front().map_or(0, |e| e.dropped_before + 1);
            match self.entries.front_mut() {
                Some(front) => front.dropped_before += lost,
                None => self.dropped += lost,
            }
        }
        let mut frame = Vec::with_capacity(header.len() + payload.len());
        frame.extend_from_slice(header);
        frame.extend_from_slice(payload);
        self.entries.push_back(TraceEntry {
            direction,
            frame,
            dropped_before: std::mem::take(&mut self.dropped),
        });
    }
}

/// Which end of the connection this session is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    /// The downstream end (opens the connection, sends SetupConnection).
    Client,
    /// The upstream end.
    Server,
}

/// What the session reports.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The Noise handshake completed (encrypted sessions only).
    HandshakeComplete {
        /// The negotiated cipher (always ChaChaPoly in spec-2025).
        cipher: Cipher,
        /// The negotiation form used ([`NegotiationForm::None`] in spec-2025, which has no
        /// negotiation).
        form: NegotiationForm,
    },
    /// SetupConnection succeeded: messages of `protocol` may now flow.
    SetupComplete {
        /// The negotiated protocol.
        protocol: Protocol,
        /// The version in use (2).
        version: u16,
        /// The flags the client requested in SetupConnection.
        requested_flags: u32,
        /// The flags of SetupConnection.Success (3.7.2), to be honoured by the client (R37).
        success_flags: u32,
        /// The client's SetupConnection (vendor, hardware, firmware, device id).
        setup: Box<SetupConnection>,
    },
    /// A message of the negotiated protocol (or Common) from the peer.
    Message(Message),
    /// A frame of an unknown extension with the channel_msg bit set, untouched, for a proxy to
    /// forward to the channel's other end (3.5, R48). Unknown non-channel frames are discarded
    /// (R50, R16).
    Forward(RawFrame),
    /// The session ended; nothing more will be received. Bytes still queued (for example a
    /// SetupConnection.Error) should be sent before closing the socket.
    Closed(CloseReason),
}

/// Why a session ended.
#[derive(Clone, Debug, PartialEq)]
pub enum CloseReason {
    /// SetupConnection.Error: sent (server) or received (client) (R32).
    SetupRejected {
        /// The flags the server does not support (0 if the error is not about flags).
        flags: u32,
        /// The error code.
        error_code: Str0255,
    },
    /// The peer closed the connection at a frame boundary.
    PeerClosed,
    /// [`Session::close`] was called.
    LocalClose,
    /// A protocol, security or resource error ended the session.
    Error(SessionError),
}

/// Whether the first bytes a plaintext server received open a Noise handshake rather than a
/// SetupConnection frame: a 2-byte length prefix followed by the `STR3`/`STR2` negotiation
/// magic, or by the 32-byte `-> e` of the legacy form without negotiation (whose prefix, 32,
/// would be extension type 0x0020: never a SetupConnection, which is extension 0 type 0).
fn looks_like_noise_handshake(first: &[u8]) -> bool {
    match first {
        [_, _, b'S', b'T', b'R', b'3' | b'2', ..] => true,
        [32, 0, ..] => first.len() >= 6,
        _ => false,
    }
}

/// Which timer expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// The Noise handshake did not complete in time.
    Handshake,
    /// SetupConnection did not complete in time.
    Setup,
    /// Nothing was received for too long.
    Idle,
    /// A Mining Protocol client set up the connection but asked for no channel in time (R55).
    OpenChannel,
}

/// A peer broke the protocol's rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolViolation {
    /// The first message was not SetupConnection (R30).
    #[error("the first message must be SetupConnection, got {0:?}")]
    FirstMessageNotSetup(MessageKind),
    /// A plaintext server's first bytes are the start of a Noise handshake (R30): the client
    /// uses Noise and the server does not.
    #[error(
        "the client started a Noise handshake, but this server is plaintext: the client uses \
         Noise (a stratum2+tcp://…/<authority key> URL) and the server has no key and \
         certificate; give the client a stratum2+tcp+plain:// URL or configure the server for Noise"
    )]
    NoiseHandshakeOnPlaintext,
    /// SetupConnection arrived on a connection already set up (R154).
    #[error("second SetupConnection on a connection already set up")]
    SecondSetup,
    /// The server answered SetupConnection with something else (R31).
    #[error("expected SetupConnection.Success or .Error, got {0:?}")]
    UnexpectedSetupReply(MessageKind),
    /// SetupConnection.Success named a version the client did not offer (R33).
    #[error("server chose version {0}, which was not offered")]
    VersionNotOffered(u16),
    /// A message of a protocol other than the negotiated one (R35).
    #[error("{kind:?} is not a message of the negotiated protocol {negotiated:?}")]
    WrongProtocol {
        /// The message.
        kind: MessageKind,
        /// The protocol negotiated in SetupConnection.
        negotiated: Protocol,
    },
    /// A message that only travels the other way.
    #[error("{0:?} does not travel in this direction")]
    WrongDirection(MessageKind),
    /// A frame could not be decoded.
    #[error("{0}")]
    Decode(DecodeError),
}

/// Session errors: each has its own variant so callers (and the C API) can tell them apart.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SessionError {
    /// The Noise layer failed (handshake, certificate, AEAD, nonce limit).
    #[error("noise: {0}")]
    Noise(#[from] NoiseError),
    /// A frame header announced more than the configured maximum.
    #[error("framing: {0}")]
    Frame(#[from] FrameError),
    /// The peer broke the protocol.
    #[error("protocol violation: {0}")]
    Protocol(#[from] ProtocolViolation),
    /// A message could not be encoded (value too long for its type, not in the dialect).
    #[error("{0}")]
    Encode(#[from] EncodeError),
    /// A timer expired.
    #[error("{0:?} timeout")]
    Timeout(TimeoutKind),
    /// The peer closed the connection in the middle of a frame or handshake message.
    #[error("peer closed the connection with {buffered} bytes of an incomplete frame")]
    PeerClosedMidFrame {
        /// Bytes of the incomplete frame.
        buffered: usize,
    },
    /// The peer closed the connection before the handshake and setup completed.
    #[error("peer closed the connection before setup completed ({buffered} bytes of an incomplete message){hint}")]
    PeerClosedBeforeSetup {
        /// Bytes of the incomplete message.
        buffered: usize,
        /// For a client, the likely cause when a server hangs up at once: the other side of a
        /// URL-scheme mismatch (empty when there is no such guess).
        hint: &'static str,
    },
    /// `receive_data` would buffer more than `max_buffered_input`: drain `next_event` and
    /// retry (nothing was consumed).
    #[error("input buffer full ({buffered} bytes buffered, limit {limit}): drain events first")]
    InputBufferFull {
        /// Bytes already buffered.
        buffered: usize,
        /// The limit.
        limit: usize,
    },
    /// `send` would queue more than `max_buffered_output`: take the pending bytes and retry
    /// (the message was not queued).
    #[error(
        "output buffer full ({buffered} bytes queued, limit {limit}): send pending data first"
    )]
    OutputBufferFull {
        /// Bytes already queued.
        buffered: usize,
        /// The limit.
        limit: usize,
    },
    /// Opening one more channel would exceed `max_channels`.
    #[error("channel limit of {max} reached")]
    TooManyChannels {
        /// The limit.
        max: usize,
    },
    /// The call is not valid in the session's current state (e.g. `send` before setup).
    #[error("not allowed now: {0}")]
    WrongState(&'static str),
    /// The application tried to send a message of the wrong protocol or direction.
    #[error("cannot send {0:?} on this connection")]
    NotSendable(MessageKind),
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    InvalidConfig(&'static str),
    /// The session has ended.
    #[error("session closed")]
    Closed,
}

enum Phase {
    Handshake(Box<AnyHandshake>),
    Setup,
    Ready { protocol: Protocol },
    Closed,
}

enum Side {
    Client {
        setup: SetupConnection,
    },
    Server {
        protocols: Vec<ProtocolSupport>,
        policy: Option<SetupPolicy>,
    },
}

/// One connection's protocol state. See the module documentation for the call order.
pub struct Session {
    role: Role,
    side: Side,
    dialect: &'static Dialect,
    limits: Limits,
    timeouts: Timeouts,
    phase: Phase,
    transport: Option<AnyTransport>,
    inbound: StreamDecoder,
    /// Encoded frames waiting for encryption (Noise only), and where each ends.
    outbound_plain: Vec<u8>,
    frame_ends: Vec<usize>,
    /// Bytes ready for the socket, from `wire_read` on.
    outbound_wire: Vec<u8>,
    wire_read: usize,
    events: VecDeque<Event>,
    channels: HashSet<u32>,
    phase_deadline: Option<(u64, TimeoutKind)>,
    last_receive_ms: u64,
    discarded_frames: u64,
    peer_eof: bool,
    send_policy: Option<SendPolicy>,
    /// `None` unless tracing was switched on: the only cost when off is this check.
    trace: Option<Box<Trace>>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = match self.phase {
            Phase::Handshake(_) => "handshake",
            Phase::Setup => "setup",
            Phase::Ready { .. } => "ready",
            Phase::Closed => "closed",
        };
        f.debug_struct("Session")
            .field("role", &self.role)
            .field("phase", &phase)
            .finish()
    }
}

impl Session {
    fn new(
        role: Role,
        side: Side,
        dialect: &'static Dialect,
        limits: Limits,
        timeouts: Timeouts,
        handshake: Option<AnyHandshake>,
        now_ms: u64,
    ) -> Session {
        let (phase, phase_deadline) = match handshake {
            Some(hs) => (
                Phase::Handshake(Box::new(hs)),
                timeouts
                    .handshake_ms
                    .map(|t| (now_ms.saturating_add(t), TimeoutKind::Handshake)),
            ),
            None => (
                Phase::Setup,
                timeouts
                    .setup_ms
                    .map(|t| (now_ms.saturating_add(t), TimeoutKind::Setup)),
            ),
        };
        let mut session = Session {
            role,
            side,
            dialect,
            limits,
            timeouts,
            phase,
            transport: None,
            inbound: StreamDecoder::new(limits.max_frame_payload),
            outbound_plain: Vec::new(),
            frame_ends: Vec::new(),
            outbound_wire: Vec::new(),
            wire_read: 0,
            events: VecDeque::new(),
            channels: HashSet::new(),
            phase_deadline,
            last_receive_ms: now_ms,
            discarded_frames: 0,
            peer_eof: false,
            send_policy: None,
            trace: None,
        };
        if let Phase::Handshake(hs) = &mut session.phase {
            hs.data_to_send(&mut session.outbound_wire);
        }
        session
    }

    /// A client session. With Noise the handshake's first message is ready to send at once;
    /// in plaintext the SetupConnection is (R30).
    pub fn client(config: ClientConfig, now_ms: u64) -> Result<Session, SessionError> {
        let handshake = match config.security {
            ClientSecurity::Plaintext => None,
            ClientSecurity::Noise(mut noise) => {
                // The dialect alone selects the negotiation unless the config overrides it.
                noise.profile = Some(
                    noise
                        .profile
                        .unwrap_or_else(|| NoiseProfile::of_dialect(config.dialect)),
                );
                Some(AnyHandshake::V2022(NoiseHandshake::initiator(noise)?))
            }
            ClientSecurity::Spec2025(noise) => {
                Some(AnyHandshake::Spec2025(Spec2025Handshake::initiator(noise)?))
            }
        };
        let plaintext = handshake.is_none();
        let mut session = Session::new(
            Role::Client,
            Side::Client {
                setup: config.setup,
            },
            config.dialect,
            config.limits,
            config.timeouts,
            handshake,
            now_ms,
        );
        session.send_policy = config.send_policy;
        session.set_trace(config.trace);
        if plaintext {
            session.send_setup()?;
        }
        Ok(session)
    }

    /// A server session, waiting for the client's first bytes.
    pub fn server(config: ServerConfig, now_ms: u64) -> Result<Session, SessionError> {
        if config.protocols.is_empty() {
            return Err(SessionError::InvalidConfig(
                "a server must serve at least one protocol",
            ));
        }
        let handshake = match config.security {
            ServerSecurity::Plaintext => None,
            ServerSecurity::Noise(mut noise) => {
                // A braiins-2021 server prefers what Braiins prefers (AESGCM) unless told.
                noise.profile = Some(
                    noise
                        .profile
                        .unwrap_or_else(|| NoiseProfile::of_dialect(config.dialect)),
                );
                Some(AnyHandshake::V2022(NoiseHandshake::responder(noise)?))
            }
            ServerSecurity::Spec2025(noise) => {
                Some(AnyHandshake::Spec2025(Spec2025Handshake::responder(noise)?))
            }
        };
        let mut session = Session::new(
            Role::Server,
            Side::Server {
                protocols: config.protocols,
                policy: config.setup_policy,
            },
            config.dialect,
            config.limits,
            config.timeouts,
            handshake,
            now_ms,
        );
        session.send_policy = config.send_policy;
        session.set_trace(config.trace);
        Ok(session)
    }

    /// Client or server.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The wire dialect.
    pub fn dialect(&self) -> &'static Dialect {
        self.dialect
    }

    /// True once SetupConnection succeeded and until the session closes.
    pub fn is_ready(&self) -> bool {
        matches!(self.phase, Phase::Ready { .. })
    }

    /// True once the session has ended.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// The negotiated protocol, once set up.
    pub fn protocol(&self) -> Option<Protocol> {
        match self.phase {
            Phase::Ready { protocol } => Some(protocol),
            _ => None,
        }
    }

    /// Frames of unknown kinds discarded so far (R16, R50).
    pub fn discarded_frames(&self) -> u64 {
        self.discarded_frames
    }

    /// Channels currently open on this connection.
    pub fn open_channels(&self) -> usize {
        self.channels.len()
    }

    /// Bytes received from the socket. See the module documentation for what to call next.
    pub fn receive_data(&mut self, data: &[u8], now_ms: u64) -> Result<(), SessionError> {
        if matches!(self.phase, Phase::Closed) {
            return Err(SessionError::Closed);
        }
        let buffered =
            self.inbound.buffered() + self.transport.as_ref().map_or(0, |t| t.buffered_len());
        if buffered + data.len() > self.limits.max_buffered_input {
            return Err(SessionError::InputBufferFull {
                buffered,
                limit: self.limits.max_buffered_input,
            });
        }
        self.last_receive_ms = now_ms;
        let result = self.receive_inner(data, now_ms);
        if let Err(error) = &result {
            self.fail(error.clone());
        }
        result
    }

    fn receive_inner(&mut self, data: &[u8], now_ms: u64) -> Result<(), SessionError> {
        let after_handshake = match &mut self.phase {
            Phase::Handshake(hs) => {
                hs.receive_data(data)?;
                hs.data_to_send(&mut self.outbound_wire);
                if !hs.is_complete() {
                    return Ok(());
                }
                Some(self.finish_handshake(now_ms)?)
            }
            _ => None,
        };
        // Bytes that arrived with the last handshake message belong to the transport.
        let data = after_handshake.as_deref().unwrap_or(data);
        match &mut self.transport {
            Some(transport) => self.inbound.push_with(|buf| transport.decrypt(data, buf))?,
            None => self.inbound.push(data),
        }
        if self.transport.is_none()
            && self.role == Role::Server
            && matches!(self.phase, Phase::Setup)
            && looks_like_noise_handshake(self.inbound.pending())
        {
            return Err(ProtocolViolation::NoiseHandshakeOnPlaintext.into());
        }
        // Setup is handled here; later frames wait for next_event (backpressure).
        while matches!(self.phase, Phase::Setup) {
            let Some((header, payload)) = self.inbound.next_frame()? else {
                break;
            };
            if let Some(trace) = &mut self.trace {
                trace.push(TraceDirection::Received, &header.to_bytes(), payload);
            }
            let frame = messages::decode(self.dialect, header, payload)
                .map_err(|e| SessionError::Protocol(ProtocolViolation::Decode(e)))?;
            self.handle_setup_frame(frame)?;
        }
        Ok(())
    }

    /// Turns the completed handshake into the transport; returns the bytes received after it.
    fn finish_handshake(&mut self, now_ms: u64) -> Result<Vec<u8>, SessionError> {
        let Phase::Handshake(hs) = std::mem::replace(&mut self.phase, Phase::Setup) else {
            return Err(SessionError::WrongState("handshake state lost"));
        };
        let outcome = hs.outcome();
        let (mut transport, rest) = hs.into_transport()?;
        if let Some(policy) = self.send_policy {
            transport.set_send_policy(policy);
        }
        transport.set_max_payload(self.limits.max_frame_payload);
        self.transport = Some(transport);
        if let Some((cipher, form)) = outcome {
            self.events
                .push_back(Event::HandshakeComplete { cipher, form });
        }
        self.phase_deadline = self
            .timeouts
            .setup_ms
            .map(|t| (now_ms.saturating_add(t), TimeoutKind::Setup));
        if self.role == Role::Client {
            self.send_setup()?;
        }
        Ok(rest)
    }

    fn send_setup(&mut self) -> Result<(), SessionError> {
        let Side::Client { setup } = &self.side else {
            return Err(SessionError::WrongState(
                "only clients send SetupConnection",
            ));
        };
        let message = Message::from(setup.clone());
        self.queue(&message)
    }

    fn handle_setup_frame(&mut self, frame: Frame) -> Result<(), SessionError> {
        let message = match frame {
            Frame::Message(m) => m,
            // Nothing but setup is valid before Ready (R154): unknown frames are discarded.
            Frame::Raw(_) => {
                self.discarded_frames += 1;
                return Ok(());
            }
        };
        match (&self.side, message) {
            (Side::Server { .. }, Message::SetupConnection(setup)) => self.answer_setup(*setup),
            (Side::Server { .. }, other) => {
                Err(ProtocolViolation::FirstMessageNotSetup(other.kind()).into())
            }
            (Side::Client { setup }, Message::SetupConnectionSuccess(success)) => {
                // braiins-2021 servers always answer version 0 (dialect quirk): that is 2.
                let used_version = if success.used_version == 0
                    && self.dialect.setup_success_version_zero_means_2()
                {
                    2
                } else {
                    success.used_version
                };
                if used_version < setup.min_version || used_version > setup.max_version {
                    return Err(ProtocolViolation::VersionNotOffered(success.used_version).into());
                }
                let protocol = protocol_of(setup.protocol).ok_or(SessionError::InvalidConfig(
                    "SetupConnection.protocol names no known protocol",
                ))?;
                // SRI 2023 pools echo the client's flags (profile deviation): they carry no
                // Success meaning, so the client must not act on them.
                let success_flags = if self.dialect.pool_echoes_setup_flags() {
                    0
                } else {
                    success.flags
                };
                let event = Event::SetupComplete {
                    protocol,
                    version: used_version,
                    requested_flags: setup.flags,
                    success_flags,
                    setup: Box::new(setup.clone()),
                };
                self.enter_ready(protocol);
                self.events.push_back(event);
                Ok(())
            }
            (Side::Client { .. }, Message::SetupConnectionError(error)) => {
                // R32: the connection is dead after a SetupConnection.Error.
                self.close_with(CloseReason::SetupRejected {
                    flags: error.flags,
                    error_code: error.error_code,
                });
                Ok(())
            }
            (Side::Client { .. }, other) => {
                Err(ProtocolViolation::UnexpectedSetupReply(other.kind()).into())
            }
        }
    }

    fn answer_setup(&mut self, setup: SetupConnection) -> Result<(), SessionError> {
        let Side::Server { protocols, policy } = &self.side else {
            return Err(SessionError::WrongState(
                "only servers answer SetupConnection",
            ));
        };
        match setup::check(&setup, protocols, policy.as_ref(), self.dialect) {
            Ok((protocol, success_flags)) => {
                let success = messages::SetupConnectionSuccess {
                    used_version: 2,
                    flags: success_flags,
                };
                self.queue(&Message::SetupConnectionSuccess(success))?;
                let requested_flags = setup.flags;
                self.enter_ready(protocol);
                self.events.push_back(Event::SetupComplete {
                    protocol,
                    version: 2,
                    requested_flags,
                    success_flags,
                    setup: Box::new(setup),
                });
                Ok(())
            }
            Err((flags, error_code)) => {
                let error = SetupConnectionError {
                    flags,
                    error_code: error_code.clone(),
                };
                self.queue(&Message::SetupConnectionError(error))?;
                self.flush_plaintext()?;
                // R32: close after sending the error; the queued bytes remain to be sent.
                self.close_with(CloseReason::SetupRejected { flags, error_code });
                Ok(())
            }
        }
    }

    fn enter_ready(&mut self, protocol: Protocol) {
        self.phase = Phase::Ready { protocol };
        // In Ready the phase deadline is only the server's wait for a first channel (R55).
        self.phase_deadline = match (&self.side, protocol, self.timeouts.open_channel_ms) {
            (Side::Server { .. }, Protocol::Mining, Some(ms)) => Some((
                self.last_receive_ms.saturating_add(ms),
                TimeoutKind::OpenChannel,
            )),
            _ => None,
        };
    }

    /// The next event, decoding the next received frame if needed. `None` when idle.
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Some(event);
            }
            let Phase::Ready { protocol } = self.phase else {
                return None;
            };
            match self.next_ready_frame(protocol) {
                Ok(Some(event)) => return Some(event),
                Ok(None) if self.peer_eof => {
                    let buffered = self.inbound.buffered()
                        + self.transport.as_ref().map_or(0, |t| t.buffered_len());
                    if buffered > 0 {
                        self.fail(SessionError::PeerClosedMidFrame { buffered });
                    } else {
                        self.close_with(CloseReason::PeerClosed);
                    }
                }
                Ok(None) => return None,
                Err(error) => self.fail(error),
            }
        }
    }

    fn next_ready_frame(&mut self, protocol: Protocol) -> Result<Option<Event>, SessionError> {
        loop {
            let Some((header, payload)) = self.inbound.next_frame()? else {
                return Ok(None);
            };
            if let Some(trace) = &mut self.trace {
                trace.push(TraceDirection::Received, &header.to_bytes(), payload);
            }
            let frame = messages::decode(self.dialect, header, payload)
                .map_err(|e| SessionError::Protocol(ProtocolViolation::Decode(e)))?;
            let message = match frame {
                Frame::Message(m) => m,
                Frame::Raw(raw) if raw.header.channel_msg() && raw.header.extension_id() != 0 => {
                    return Ok(Some(Event::Forward(raw)));
                }
                Frame::Raw(_) => {
                    self.discarded_frames += 1;
                    continue;
                }
            };
            let kind = message.kind();
            if matches!(kind, MessageKind::SetupConnection) {
                return Err(ProtocolViolation::SecondSetup.into());
            }
            if !self.allowed(kind, protocol, self.role.peer()) {
                return Err(
                    if kind.protocol() == protocol || kind.protocol() == Protocol::Common {
                        ProtocolViolation::WrongDirection(kind).into()
                    } else {
                        ProtocolViolation::WrongProtocol {
                            kind,
                            negotiated: protocol,
                        }
                        .into()
                    },
                );
            }
            self.track_channels(&message, self.role.peer())?;
            if matches!(
                kind,
                MessageKind::OpenStandardMiningChannel | MessageKind::OpenExtendedMiningChannel
            ) {
                self.phase_deadline = None; // R55: the client asked for a channel
            }
            return Ok(Some(Event::Message(message)));
        }
    }

    /// Whether `kind` may be sent by `sender` on a connection set up for `protocol` (R35).
    fn allowed(&self, kind: MessageKind, protocol: Protocol, sender: Role) -> bool {
        let info = kind.info();
        let protocol_ok = match info.protocol {
            Protocol::Common => true,
            // The Telemetry extension rides on Mining connections of dialects that define it.
            Protocol::Telemetry => protocol == Protocol::Mining,
            p => p == protocol,
        };
        let direction_ok = match sender {
            Role::Client => {
                info.direction.starts_with("Client->Server") || info.direction.contains("and")
            }
            Role::Server => {
                info.direction.starts_with("Server->Client") || info.direction.contains("and")
            }
        };
        // Setup messages belong to the setup phase only.
        let setup_message = matches!(
            kind,
            MessageKind::SetupConnection
                | MessageKind::SetupConnectionSuccess
                | MessageKind::SetupConnectionError
        );
        protocol_ok && direction_ok && !setup_message
    }

    /// Counts channels from the messages that open and close them; `opener` is the side that
    /// sends the Success.
    fn track_channels(&mut self, message: &Message, sender: Role) -> Result<(), SessionError> {
        let opened = message.channel_id_of_success();
        if let (Some(id), Role::Server) = (opened, sender) {
            if !self.channels.contains(&id) && self.channels.len() >= self.limits.max_channels {
                return Err(SessionError::TooManyChannels {
                    max: self.limits.max_channels,
                });
            }
            self.channels.insert(id);
        }
        if let Message::CloseChannel(close) = message {
            self.channels.remove(&close.channel_id);
        }
        Ok(())
    }

    /// Queues a message for the peer. Only after setup (R17, R30); only messages of the
    /// negotiated protocol in this role's direction. On error nothing is queued.
    pub fn send(&mut self, message: &Message, _now_ms: u64) -> Result<(), SessionError> {
        let protocol = match self.phase {
            Phase::Ready { protocol } => protocol,
            Phase::Closed => return Err(SessionError::Closed),
            _ => {
                return Err(SessionError::WrongState(
                    "send before SetupConnection completed",
                ))
            }
        };
        let kind = message.kind();
        if !self.allowed(kind, protocol, self.role) {
            return Err(SessionError::NotSendable(kind));
        }
        let before = self.channels.len();
        self.track_channels(message, self.role)?;
        let result = self.queue(message);
        if result.is_err() && self.channels.len() > before {
            if let Some(id) = message.channel_id_of_success() {
                self.channels.remove(&id);
            }
        }
        result
    }

    /// Queues a raw frame (forwarding an unknown extension, R48). Only after setup.
    pub fn send_raw(&mut self, frame: &RawFrame, _now_ms: u64) -> Result<(), SessionError> {
        match self.phase {
            Phase::Ready { .. } => {}
            Phase::Closed => return Err(SessionError::Closed),
            _ => {
                return Err(SessionError::WrongState(
                    "send before SetupConnection completed",
                ))
            }
        }
        let len = crate::codec::HEADER_LEN + frame.payload.len();
        self.check_output_room(len)?;
        let target = self.encoding_buffer();
        let start = target.len();
        frame.write_to(target);
        self.trace_sent(start);
        self.end_frame();
        Ok(())
    }

    fn check_output_room(&self, extra: usize) -> Result<(), SessionError> {
        let buffered = self.outbound_plain.len() + self.outbound_wire.len() - self.wire_read;
        if buffered + extra > self.limits.max_buffered_output {
            return Err(SessionError::OutputBufferFull {
                buffered,
                limit: self.limits.max_buffered_output,
            });
        }
        Ok(())
    }

    /// Where frames are encoded: straight into the wire buffer in plaintext, into the
    /// plaintext batch (encrypted at `data_to_send`) with Noise.
    fn encoding_buffer(&mut self) -> &mut Vec<u8> {
        if self.transport.is_some() {
            &mut self.outbound_plain
        } else {
            &mut self.outbound_wire
        }
    }

    fn end_frame(&mut self) {
        if self.transport.is_some() {
            self.frame_ends.push(self.outbound_plain.len());
        }
    }

    fn queue(&mut self, message: &Message) -> Result<(), SessionError> {
        self.check_output_room(0)?;
        let limit = self.limits.max_buffered_output;
        let already = self.outbound_plain.len() + self.outbound_wire.len() - self.wire_read;
        let dialect = self.dialect;
        let buffer = self.encoding_buffer();
        let start = buffer.len();
        message.encode_frame(dialect, buffer)?;
        if already + (buffer.len() - start) > limit {
            buffer.truncate(start);
            return Err(SessionError::OutputBufferFull {
                buffered: already,
                limit,
            });
        }
        self.trace_sent(start);
        self.end_frame();
        Ok(())
    }

    /// Records the frame just encoded from `start` of the encoding buffer, if tracing.
    fn trace_sent(&mut self, start: usize) {
        if self.trace.is_none() {
            return;
        }
        let buffer = if self.transport.is_some() {
            &self.outbound_plain
        } else {
            &self.outbound_wire
        };
        let frame = &buffer[start..];
        if let Some(trace) = &mut self.trace {
            trace.push(TraceDirection::Sent, &[], frame);
        }
    }

    /// Switches the wire tap on or off. While on, every SV2 frame sent or received (decrypted,
    /// before any check) is kept for [`Session::next_trace`], at most [`MAX_TRACE_ENTRIES`]
    /// (the oldest are dropped and counted). Off by default; switching off discards what was
    /// kept. The handshake's Noise messages are not frames and are not traced.
    pub fn set_trace(&mut self, enabled: bool) {
        match (enabled, self.trace.is_some()) {
            (true, false) => self.trace = Some(Box::default()),
            (false, true) => self.trace = None,
            _ => {}
        }
    }

    /// Whether the wire tap is on.
    pub fn is_tracing(&self) -> bool {
        self.trace.is_some()
    }

    /// The oldest traced frame not yet taken.
    pub fn next_trace(&mut self) -> Option<TraceEntry> {
        self.trace.as_mut()?.entries.pop_front()
    }

    /// The oldest traced frame not yet taken, as its JSON line (see [`TraceEntry::to_json`]).
    pub fn next_trace_json(&mut self) -> Option<String> {
        let dialect = self.dialect;
        self.next_trace().map(|e| e.to_json(dialect))
    }

    /// Encrypts the queued frames into the wire buffer (one batch, one contiguous write).
    fn flush_plaintext(&mut self) -> Result<(), SessionError> {
        if self.outbound_plain.is_empty() {
            return Ok(());
        }
        let Some(transport) = &mut self.transport else {
            return Err(SessionError::WrongState(
                "plaintext frames without a transport",
            ));
        };
        if self.wire_read > 0 && self.wire_read == self.outbound_wire.len() {
            self.outbound_wire.clear();
            self.wire_read = 0;
        }
        transport.encrypt_frames(
            &self.outbound_plain,
            &self.frame_ends,
            &mut self.outbound_wire,
        )?;
        self.outbound_plain.clear();
        self.frame_ends.clear();
        Ok(())
    }

    /// True when bytes are waiting to be sent.
    pub fn wants_write(&self) -> bool {
        !self.outbound_plain.is_empty() || self.wire_read < self.outbound_wire.len()
    }

    /// Copies up to `buf.len()` pending bytes into `buf`, returning how many. Call until it
    /// returns 0.
    pub fn data_to_send(&mut self, buf: &mut [u8]) -> usize {
        if let Err(error) = self.flush_plaintext() {
            self.fail(error);
        }
        let pending = &self.outbound_wire[self.wire_read..];
        let n = pending.len().min(buf.len());
        buf[..n].copy_from_slice(&pending[..n]);
        self.wire_read += n;
        if self.wire_read == self.outbound_wire.len() {
            self.outbound_wire.clear();
            self.wire_read = 0;
        }
        n
    }

    /// Appends every pending byte to `out`.
    pub fn take_data_to_send(&mut self, out: &mut Vec<u8>) {
        if let Err(error) = self.flush_plaintext() {
            self.fail(error);
        }
        out.extend_from_slice(&self.outbound_wire[self.wire_read..]);
        self.outbound_wire.clear();
        self.wire_read = 0;
    }

    /// The next time (caller's monotonic milliseconds) at which `handle_timeout` must be
    /// called, if any.
    pub fn poll_timeout(&self) -> Option<u64> {
        match self.phase {
            Phase::Closed => None,
            Phase::Ready { .. } => {
                let idle = self
                    .timeouts
                    .idle_ms
                    .map(|t| self.last_receive_ms.saturating_add(t));
                let open_channel = self.phase_deadline.map(|(at, _)| at);
                idle.into_iter().chain(open_channel).min()
            }
            _ => self.phase_deadline.map(|(at, _)| at),
        }
    }

    /// Fires expired timers: a handshake, setup, idle or first-channel timeout closes the
    /// session.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        let phase_expired = self
            .phase_deadline
            .filter(|(at, _)| now_ms >= *at)
            .map(|(_, kind)| kind);
        let expired = match self.phase {
            Phase::Closed => None,
            Phase::Ready { .. } => phase_expired.or_else(|| {
                self.timeouts
                    .idle_ms
                    .filter(|t| now_ms >= self.last_receive_ms.saturating_add(*t))
                    .map(|_| TimeoutKind::Idle)
            }),
            _ => phase_expired,
        };
        if let Some(kind) = expired {
            self.fail(SessionError::Timeout(kind));
        }
    }

    /// The socket reached end of file. Complete frames already received are still delivered
    /// by `next_event`; then the session closes with `PeerClosed`, or with an error if the
    /// peer stopped inside a frame, the handshake or the setup.
    pub fn peer_closed(&mut self) {
        match self.phase {
            Phase::Closed => {}
            Phase::Ready { .. } => self.peer_eof = true,
            _ => {
                let buffered = self.inbound.buffered()
                    + self.transport.as_ref().map_or(0, |t| t.buffered_len());
                // A server that hangs up on a new client usually refused its URL scheme: a
                // Noise server drops a plaintext SetupConnection, a plaintext server a handshake.
                let hint = match (&self.role, &self.phase, &self.transport) {
                    (Role::Client, Phase::Handshake(_), _) => {
                        "; it hung up during the Noise handshake: if the server is plaintext, \
                         use a stratum2+tcp+plain:// URL"
                    }
                    (Role::Client, _, None) => {
                        "; this client is plaintext: if the server speaks Noise, use its \
                         stratum2+tcp://HOST:PORT/<authority key> URL"
                    }
                    _ => "",
                };
                self.fail(SessionError::PeerClosedBeforeSetup { buffered, hint });
            }
        }
    }

    /// Ends the session from this side. Queued bytes can still be taken.
    pub fn close(&mut self) {
        if !matches!(self.phase, Phase::Closed) {
            self.close_with(CloseReason::LocalClose);
        }
    }

    fn close_with(&mut self, reason: CloseReason) {
        self.phase = Phase::Closed;
        self.phase_deadline = None;
        self.events.push_back(Event::Closed(reason));
    }

    fn fail(&mut self, error: SessionError) {
        if !matches!(self.phase, Phase::Closed) {
            self.close_with(CloseReason::Error(error));
        }
    }
}

impl Role {
    fn peer(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}

impl Message {
    fn channel_id_of_success(&self) -> Option<u32> {
        match self {
            Message::OpenStandardMiningChannelSuccess(m) => Some(m.channel_id),
            Message::OpenExtendedMiningChannelSuccess(m) => Some(m.channel_id),
            _ => None,
        }
    }
}

/// The protocol named by a SetupConnection.protocol value.
pub fn protocol_of(value: u8) -> Option<Protocol> {
    match value {
        0 => Some(Protocol::Mining),
        1 => Some(Protocol::JobNegotiation),
        2 => Some(Protocol::TemplateDistribution),
        _ => None,
    }
}
