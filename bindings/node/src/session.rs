//! The sans-I/O session (one connection: Noise, SetupConnection, framing), its configuration
//! and its events.

use crate::codec::FrameHeader;
use crate::conv::{bytes_out, u256_of};
use crate::errors::{invalid, js, session_code, Result, SETUP_REJECTED};
use crate::messages_generated::{from_js, to_js, Message};
use crate::{now_or, unix_now, Dialect};
use napi::bindgen_prelude::{Buffer, FnArgs, FunctionRef, Uint8Array};
use napi::threadsafe_function::UnknownReturnValue;
use napi::Env;
use napi_derive::napi;
use sv2::keys::{AuthorityPublicKey, ServerCertificate, StaticSecretKey};
use sv2::messages::Protocol as CoreProtocol;
use sv2::noise::{Cipher, InitiatorConfig, NegotiationForm, NoiseProfile, ResponderConfig};
use sv2::session::{
    ClientConfig as CoreClientConfig, ClientSecurity, CloseReason as CoreCloseReason,
    Event as CoreEvent, ProtocolSupport, ServerConfig as CoreServerConfig, ServerSecurity,
    Session as CoreSession,
};

/// A sub-protocol negotiated by SetupConnection.
#[napi(string_enum)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Mining Protocol (spec 4).
    Mining,
    /// Job Negotiation Protocol (spec 5).
    JobNegotiation,
    /// Template Distribution Protocol (spec 6).
    TemplateDistribution,
}

impl Protocol {
    pub(crate) fn core(self) -> CoreProtocol {
        match self {
            Protocol::Mining => CoreProtocol::Mining,
            Protocol::JobNegotiation => CoreProtocol::JobNegotiation,
            Protocol::TemplateDistribution => CoreProtocol::TemplateDistribution,
        }
    }
    pub(crate) fn of(p: CoreProtocol) -> String {
        p.name().to_string()
    }
}

/// Timeouts in milliseconds; `0` disables one. Defaults: handshake 10 s, setup 10 s, idle
/// off, open channel 60 s.
#[napi(object)]
#[derive(Clone)]
pub struct Timeouts {
    /// From creation until the Noise handshake completes.
    pub handshake_ms: Option<f64>,
    /// From the end of the handshake (or creation, in plaintext) until setup completes.
    pub setup_ms: Option<f64>,
    /// Longest time without a received byte once set up.
    pub idle_ms: Option<f64>,
    /// Mining servers: from setup until the client asks for its first channel; then the
    /// connection closes with `SV2_ERR_TIMEOUT_OPEN_CHANNEL` (R55).
    pub open_channel_ms: Option<f64>,
}

pub(crate) fn apply_timeouts(t: &Option<Timeouts>, out: &mut sv2::session::Timeouts) {
    let conv = |v: f64| if v <= 0.0 { None } else { Some(v as u64) };
    if let Some(t) = t {
        if let Some(v) = t.handshake_ms {
            out.handshake_ms = conv(v);
        }
        if let Some(v) = t.setup_ms {
            out.setup_ms = conv(v);
        }
        if let Some(v) = t.idle_ms {
            out.idle_ms = conv(v);
        }
        if let Some(v) = t.open_channel_ms {
            out.open_channel_ms = conv(v);
        }
    }
}

/// Configuration of a client session.
#[napi(object)]
pub struct ClientConfig {
    /// The pool authority's public key text: the connection uses Noise and the server's
    /// certificate must verify under it. Absent: plaintext, which must then be asked for with
    /// `plaintext: true` (local networks only).
    pub authority_key: Option<String>,
    /// Explicitly unencrypted (no authority key).
    pub plaintext: Option<bool>,
    /// The protocol to set up (default `'Mining'`).
    pub protocol: Option<Protocol>,
    /// SetupConnection flags (spec bit layout for the Mining Protocol).
    pub flags: Option<u32>,
    /// SetupConnection.vendor (default `'libsv2-node'`).
    pub vendor: Option<String>,
    /// SetupConnection.hardware_version.
    pub hardware_version: Option<String>,
    /// SetupConnection.firmware.
    pub firmware: Option<String>,
    /// SetupConnection.device_id.
    pub device_id: Option<String>,
    /// SetupConnection.endpoint_host (the host the client connected to).
    pub endpoint_host: Option<String>,
    /// SetupConnection.endpoint_port.
    pub endpoint_port: Option<u32>,
    /// Wire dialect of the server (default `'spec'`). It also selects the Noise negotiation
    /// (`'braiins-2021'`: STR2, the others STR3) unless `noiseProfile` overrides it.
    pub dialect: Option<Dialect>,
    /// Overrides the dialect's Noise negotiation: `'sri-2023'` (STR3) or `'braiins-2021'`
    /// (STR2), case-insensitive.
    #[napi(ts_type = "'sri-2023' | 'braiins-2021'")]
    pub noise_profile: Option<String>,
    /// Ciphers to offer, in order, by wire or Noise name, case-insensitive (`['AESG', 'CHCH']`,
    /// `['ChaChaPoly']`; default CHCH then AESG).
    pub ciphers: Option<Vec<String>>,
    /// `false` starts the handshake without negotiation (bare `-> e`, ChaChaPoly), as legacy
    /// Braiins 2021 clients do; only the braiins-2021 negotiation allows it. Default `true`.
    pub negotiate: Option<bool>,
    /// SetupConnection.min_version (default 2).
    pub min_version: Option<u32>,
    /// SetupConnection.max_version (default 2).
    pub max_version: Option<u32>,
    /// Start with the wire tap on, so that the very first frames (a plaintext client's
    /// SetupConnection) are kept for the hook `setTrace` installs. Default `false`.
    pub trace: Option<bool>,
    /// Unix seconds for the certificate validity check (default: the system clock).
    pub now_unix: Option<f64>,
    /// 32-byte seed for the Noise ephemeral key (tests only; default: OS randomness).
    pub rng_seed: Option<Uint8Array>,
    /// Timeouts.
    pub timeouts: Option<Timeouts>,
    /// Largest frame payload accepted from the peer (default 1 MiB).
    pub max_frame_payload: Option<u32>,
}

fn noise_profile(name: &Option<String>) -> Result<Option<NoiseProfile>> {
    name.as_deref()
        .map(|n| {
            NoiseProfile::from_name(n).ok_or_else(|| {
                invalid(format!(
                    "unknown noiseProfile {n:?}: sri-2023 or braiins-2021"
                ))
            })
        })
        .transpose()
}

/// Cipher names as every binding reads them: wire tags or Noise names, case-insensitive.
fn ciphers(names: &Option<Vec<String>>) -> Result<Option<Vec<Cipher>>> {
    names
        .as_ref()
        .map(|names| {
            if names.is_empty() {
                return Err(invalid("ciphers is empty: give CHCH, AESG or both"));
            }
            names
                .iter()
                .map(|n| Cipher::from_name(n).ok_or_else(|| invalid(Cipher::unknown_name_error(n))))
                .collect()
        })
        .transpose()
}

fn version_arg(what: &str, v: Option<u32>) -> Result<u16> {
    v.map_or(Ok(2), |v| {
        u16::try_from(v).map_err(|_| invalid(format!("{what} must be <= 65535")))
    })
}

fn seed(s: &Option<Uint8Array>) -> Result<Option<[u8; 32]>> {
    s.as_ref()
        .map(|s| u256_of("rngSeed", s).map(|u| u.0))
        .transpose()
}

pub(crate) fn core_client_config(c: &ClientConfig) -> Result<CoreClientConfig> {
    let security = match (&c.authority_key, c.plaintext.unwrap_or(false)) {
        (Some(_), true) => {
            return Err(invalid(
                "give either authorityKey (Noise) or plaintext: true, not both",
            ))
        }
        (None, false) => {
            return Err(invalid(
                "no authorityKey: set plaintext: true for an unencrypted connection",
            ))
        }
        (None, true) => ClientSecurity::Plaintext,
        (Some(key), false) => {
            let key = AuthorityPublicKey::from_text(key).map_err(js)?;
            let now = c.now_unix.map_or_else(unix_now, |n| n as u64);
            let mut init = InitiatorConfig::new(key, now);
            init.profile = noise_profile(&c.noise_profile)?;
            init.ciphers = ciphers(&c.ciphers)?;
            init.negotiate = c.negotiate.unwrap_or(true);
            init.rng_seed = seed(&c.rng_seed)?;
            ClientSecurity::Noise(init)
        }
    };
    let protocol = c.protocol.unwrap_or(Protocol::Mining).core();
    let mut cfg = CoreClientConfig::new(
        security,
        protocol,
        c.flags.unwrap_or(0),
        c.vendor.as_deref().unwrap_or("libsv2-node"),
    );
    let s = &mut cfg.setup;
    if let Some(v) = &c.hardware_version {
        s.hardware_version = v.as_str().into();
    }
    if let Some(v) = &c.firmware {
        s.firmware = v.as_str().into();
    }
    if let Some(v) = &c.device_id {
        s.device_id = v.as_str().into();
    }
    if let Some(v) = &c.endpoint_host {
        s.endpoint_host = v.as_str().into();
    }
    s.min_version = version_arg("minVersion", c.min_version)?;
    s.max_version = version_arg("maxVersion", c.max_version)?;
    if s.min_version > s.max_version {
        return Err(invalid("minVersion is above maxVersion"));
    }
    if let Some(v) = c.endpoint_port {
        s.endpoint_port = u16::try_from(v).map_err(|_| invalid("endpointPort must be <= 65535"))?;
    }
    cfg.dialect = crate::codec::dialect_of(c.dialect);
    apply_timeouts(&c.timeouts, &mut cfg.timeouts);
    if let Some(m) = c.max_frame_payload {
        cfg.limits.max_frame_payload = m as usize;
    }
    cfg.trace = c.trace.unwrap_or(false);
    Ok(cfg)
}

/// A wire tap hook: `(line: string) => void`.
pub(crate) type TraceHook = FunctionRef<String, UnknownReturnValue>;
/// The pool's wire tap hook: `(conn: number, line: string) => void`.
pub(crate) type PoolTraceHook = FunctionRef<FnArgs<(f64, String)>, UnknownReturnValue>;

/// Hands each traced line to the hook. An exception in the hook is thrown from the call that
/// moved the frame, after the protocol work of that call is done (napi rethrows the pending
/// JavaScript exception itself, not a converted one).
pub(crate) fn call_trace_hook(
    env: &Env,
    hook: &Option<TraceHook>,
    mut next: impl FnMut() -> Option<String>,
) -> Result<()> {
    let Some(hook) = hook else {
        return Ok(());
    };
    let hook = hook.borrow_back(env).map_err(|e| invalid(e.reason))?;
    while let Some(line) = next() {
        hook.call(line)
            .map_err(|e| crate::errors::err(("PendingException", 0), e.reason))?;
    }
    Ok(())
}

/// A protocol a server offers.
#[napi(object)]
#[derive(Clone)]
pub struct ProtocolOffer {
    /// The protocol.
    pub protocol: Protocol,
    /// Flags of SetupConnection the server supports (others are refused with
    /// SetupConnection.Error).
    pub supported_flags: Option<u32>,
    /// Flags sent in SetupConnection.Success.
    pub success_flags: Option<u32>,
}

/// Configuration of a server session (or of a `PoolServer`'s sessions).
#[napi(object)]
pub struct ServerConfig {
    /// The server's static secret key text (Noise `s`); needs `certificate`.
    pub static_secret_key: Option<String>,
    /// The certificate file text the authority signed for the static key.
    pub certificate: Option<String>,
    /// Explicitly unencrypted (local networks only).
    pub plaintext: Option<bool>,
    /// Protocols served (default: Mining with flags 0b111 supported). `PoolServer` ignores it.
    pub protocols: Option<Vec<ProtocolOffer>>,
    /// Wire dialect of the clients (default `'spec'`). The server answers every Noise
    /// negotiation form; the dialect sets its cipher preference (`'braiins-2021'`: AESGCM
    /// whenever offered) unless `noiseProfile` or `ciphers` override it.
    pub dialect: Option<Dialect>,
    /// Overrides whose cipher preference to use: `'sri-2023'` (ChaChaPoly first) or
    /// `'braiins-2021'` (AESGCM first), case-insensitive.
    #[napi(ts_type = "'sri-2023' | 'braiins-2021'")]
    pub noise_profile: Option<String>,
    /// Ciphers supported, most preferred first, by wire or Noise name (`['AESG', 'CHCH']`).
    pub ciphers: Option<Vec<String>>,
    /// Accept clients that skip negotiation (legacy Braiins 2021; default `true`, R21).
    pub accept_no_negotiation: Option<bool>,
    /// Start with the wire tap on (see `ClientConfig.trace`).
    pub trace: Option<bool>,
    /// 32-byte seed for the ephemeral keys (tests only).
    pub rng_seed: Option<Uint8Array>,
    /// Timeouts.
    pub timeouts: Option<Timeouts>,
    /// Largest frame payload accepted (default 1 MiB).
    pub max_frame_payload: Option<u32>,
}

pub(crate) fn core_server_config(c: &ServerConfig) -> Result<CoreServerConfig> {
    let security = match (
        &c.static_secret_key,
        &c.certificate,
        c.plaintext.unwrap_or(false),
    ) {
        (None, None, true) => ServerSecurity::Plaintext,
        (Some(key), Some(cert), false) => {
            let key = StaticSecretKey::from_text(key).map_err(js)?;
            let cert = ServerCertificate::from_text(cert).map_err(js)?;
            if cert.server_public_key != key.public_key() {
                return Err(crate::errors::err(
                    crate::errors::CERT_MALFORMED,
                    "the certificate was signed for another server key",
                ));
            }
            let mut resp = ResponderConfig::new(key, cert.certificate);
            resp.profile = noise_profile(&c.noise_profile)?;
            resp.cipher_preference = ciphers(&c.ciphers)?;
            resp.accept_no_negotiation = c.accept_no_negotiation.unwrap_or(true);
            resp.rng_seed = seed(&c.rng_seed)?;
            ServerSecurity::Noise(resp)
        }
        _ => {
            return Err(invalid(
                "give staticSecretKey and certificate (Noise), or plaintext: true alone",
            ))
        }
    };
    let protocols = match &c.protocols {
        None => vec![ProtocolSupport::mining()],
        Some(list) => list
            .iter()
            .map(|p| ProtocolSupport {
                protocol: p.protocol.core(),
                supported_flags: p.supported_flags.unwrap_or(0),
                success_flags: p.success_flags.unwrap_or(0),
            })
            .collect(),
    };
    let mut cfg = CoreServerConfig::new(security, protocols);
    cfg.dialect = crate::codec::dialect_of(c.dialect);
    apply_timeouts(&c.timeouts, &mut cfg.timeouts);
    if let Some(m) = c.max_frame_payload {
        cfg.limits.max_frame_payload = m as usize;
    }
    cfg.trace = c.trace.unwrap_or(false);
    Ok(cfg)
}

/// Why a session ended.
#[napi(object)]
#[derive(Clone)]
pub struct CloseReason {
    /// `'SetupRejected'` (SetupConnection.Error sent or received), `'PeerClosed'`,
    /// `'LocalClose'` or `'Error'`.
    #[napi(ts_type = "'SetupRejected' | 'PeerClosed' | 'LocalClose' | 'Error'")]
    pub kind: String,
    /// For `'Error'` and `'SetupRejected'`: the C name of the code (`SV2_ERR_…`).
    pub code: Option<String>,
    /// For `'Error'` and `'SetupRejected'`: the C number.
    pub errno: Option<u32>,
    /// A readable description.
    pub message: String,
    /// For `'SetupRejected'`: the SetupConnection.Error `error_code`.
    pub setup_error_code: Option<String>,
    /// For `'SetupRejected'`: the unsupported flags.
    pub flags: Option<u32>,
}

pub(crate) fn close_reason(r: &CoreCloseReason) -> CloseReason {
    let plain = |kind: &str, message: &str| CloseReason {
        kind: kind.into(),
        code: None,
        errno: None,
        message: message.into(),
        setup_error_code: None,
        flags: None,
    };
    match r {
        CoreCloseReason::SetupRejected { flags, error_code } => CloseReason {
            kind: "SetupRejected".into(),
            code: Some(SETUP_REJECTED.0.into()),
            errno: Some(SETUP_REJECTED.1),
            message: format!("SetupConnection refused: {error_code} (flags {flags:#x})"),
            setup_error_code: Some(error_code.to_string_lossy()),
            flags: Some(*flags),
        },
        CoreCloseReason::PeerClosed => plain("PeerClosed", "the peer closed the connection"),
        CoreCloseReason::LocalClose => plain("LocalClose", "closed locally"),
        CoreCloseReason::Error(e) => {
            let (name, num) = session_code(e);
            CloseReason {
                kind: "Error".into(),
                code: Some(name.into()),
                errno: Some(num),
                message: e.to_string(),
                setup_error_code: None,
                flags: None,
            }
        }
    }
}

/// What a session reports. `switch (event.type)` narrows it.
#[napi(discriminant = "type")]
pub enum SessionEvent {
    /// The Noise handshake completed.
    HandshakeComplete {
        /// `'ChaChaPoly'` or `'AesGcm'`.
        cipher: String,
        /// `'Str3'`, `'Str2'` or `'None'` (no negotiation).
        form: String,
    },
    /// SetupConnection succeeded.
    SetupComplete {
        /// The negotiated protocol.
        protocol: String,
        /// The protocol version (2).
        version: u32,
        /// Flags the client asked for.
        requested_flags: u32,
        /// Flags of SetupConnection.Success.
        success_flags: u32,
        /// The client's SetupConnection.
        setup: Message,
    },
    /// A message from the peer.
    Message {
        /// The message.
        message: Message,
    },
    /// A frame of an unknown extension with the channel_msg bit, for a proxy to forward.
    Forward {
        /// Its header.
        header: FrameHeader,
        /// Its payload.
        payload: Uint8Array,
    },
    /// The session ended.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

pub(crate) fn cipher_name(c: Cipher) -> String {
    match c {
        Cipher::ChaChaPoly => "ChaChaPoly",
        Cipher::AesGcm => "AesGcm",
    }
    .into()
}

fn session_event(e: CoreEvent) -> SessionEvent {
    match e {
        CoreEvent::HandshakeComplete { cipher, form } => SessionEvent::HandshakeComplete {
            cipher: cipher_name(cipher),
            form: match form {
                NegotiationForm::Str3 => "Str3",
                NegotiationForm::Str2 => "Str2",
                NegotiationForm::None => "None",
            }
            .into(),
        },
        CoreEvent::SetupComplete {
            protocol,
            version,
            requested_flags,
            success_flags,
            setup,
        } => SessionEvent::SetupComplete {
            protocol: Protocol::of(protocol),
            version: u32::from(version),
            requested_flags,
            success_flags,
            setup: to_js(&sv2::messages::Message::SetupConnection(setup)),
        },
        CoreEvent::Message(m) => SessionEvent::Message { message: to_js(&m) },
        CoreEvent::Forward(raw) => SessionEvent::Forward {
            header: FrameHeader::from(&raw.header),
            payload: bytes_out(&raw.payload),
        },
        CoreEvent::Closed(r) => SessionEvent::Closed {
            reason: close_reason(&r),
        },
    }
}

/// One connection's protocol state, sans I/O: feed received bytes with `receiveData`, write
/// what `dataToSend` returns to the socket, drain `nextEvent`, and call `handleTimeout` at
/// `pollTimeout`. `nowMs` defaults to `monotonicMs()`.
#[napi]
pub struct Session {
    inner: CoreSession,
    trace: Option<TraceHook>,
}

impl Session {
    fn flush_trace(&mut self, env: &Env) -> Result<()> {
        let inner = &mut self.inner;
        call_trace_hook(env, &self.trace, || inner.next_trace_json())
    }
}

#[napi]
impl Session {
    /// A client session (it sends SetupConnection once the handshake is done).
    #[napi(factory)]
    pub fn client(config: ClientConfig, now_ms: Option<f64>) -> Result<Session> {
        let cfg = core_client_config(&config)?;
        Ok(Session {
            inner: CoreSession::client(cfg, now_or(now_ms)).map_err(js)?,
            trace: None,
        })
    }

    /// A server session (it answers the client's SetupConnection).
    #[napi(factory)]
    pub fn server(config: ServerConfig, now_ms: Option<f64>) -> Result<Session> {
        let cfg = core_server_config(&config)?;
        Ok(Session {
            inner: CoreSession::server(cfg, now_or(now_ms)).map_err(js)?,
            trace: None,
        })
    }

    /// The wire tap: `hook(line)` is called with one JSON line per SV2 frame sent or received
    /// (decrypted), `{"direction": "sent"|"received", "frame": {…}}` with the frame in the
    /// `sv2 decode` form, from the calls that move frames (`receiveData`, `nextEvent`,
    /// `events`, `send`, `dataToSend`). Frames traced before (with `trace: true` in the
    /// config) are handed over at once. `null` switches it off. An exception in the hook is
    /// thrown from the call that moved the frame, after its protocol work is done.
    #[napi(ts_args_type = "hook: ((line: string) => void) | null")]
    pub fn set_trace(&mut self, env: Env, hook: Option<TraceHook>) -> Result<()> {
        self.inner.set_trace(hook.is_some());
        self.trace = hook;
        self.flush_trace(&env)
    }

    /// Bytes received from the socket.
    #[napi]
    pub fn receive_data(&mut self, env: Env, data: Uint8Array, now_ms: Option<f64>) -> Result<()> {
        let result = self.inner.receive_data(&data, now_or(now_ms)).map_err(js);
        self.flush_trace(&env)?;
        result
    }

    /// The next event, or `null`.
    #[napi]
    pub fn next_event(&mut self, env: Env) -> Result<Option<SessionEvent>> {
        let event = self.inner.next_event().map(session_event);
        self.flush_trace(&env)?;
        Ok(event)
    }

    /// Every pending event.
    #[napi]
    pub fn events(&mut self, env: Env) -> Result<Vec<SessionEvent>> {
        let events = std::iter::from_fn(|| self.inner.next_event())
            .map(session_event)
            .collect();
        self.flush_trace(&env)?;
        Ok(events)
    }

    /// Queues a message (encrypted once the handshake is done).
    #[napi]
    pub fn send(&mut self, env: Env, message: Message, now_ms: Option<f64>) -> Result<()> {
        let m = from_js(message)?;
        let result = self.inner.send(&m, now_or(now_ms)).map_err(js);
        self.flush_trace(&env)?;
        result
    }

    /// Bytes to write to the socket (empty when there are none).
    #[napi]
    pub fn data_to_send(&mut self, env: Env) -> Result<Buffer> {
        let mut out = Vec::new();
        self.inner.take_data_to_send(&mut out);
        self.flush_trace(&env)?;
        Ok(Buffer::from(out))
    }

    /// True when `dataToSend` has bytes.
    #[napi(getter)]
    pub fn wants_write(&self) -> bool {
        self.inner.wants_write()
    }

    /// When to call `handleTimeout` next (same clock as `nowMs`), or `null`.
    #[napi]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.inner.poll_timeout().map(|t| t as f64)
    }

    /// Fires expired timers.
    #[napi]
    pub fn handle_timeout(&mut self, now_ms: Option<f64>) {
        self.inner.handle_timeout(now_or(now_ms));
    }

    /// The socket reached end of file.
    #[napi]
    pub fn peer_closed(&mut self) {
        self.inner.peer_closed();
    }

    /// Closes the session from this side.
    #[napi]
    pub fn close(&mut self) {
        self.inner.close();
    }

    /// True once setup completed (messages may flow).
    #[napi(getter)]
    pub fn is_ready(&self) -> bool {
        self.inner.is_ready()
    }

    /// True once the session ended.
    #[napi(getter)]
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// `'client'` or `'server'`.
    #[napi(getter, ts_return_type = "'client' | 'server'")]
    pub fn role(&self) -> String {
        match self.inner.role() {
            sv2::session::Role::Client => "client",
            sv2::session::Role::Server => "server",
        }
        .into()
    }

    /// The negotiated protocol, once set up.
    #[napi(
        getter,
        ts_return_type = "'Mining' | 'JobNegotiation' | 'TemplateDistribution' | null"
    )]
    pub fn protocol(&self) -> Option<String> {
        self.inner.protocol().map(Protocol::of)
    }
}
