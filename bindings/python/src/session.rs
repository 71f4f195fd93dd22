//! The sans-I/O session: one connection's handshake, setup, framing and message flow.
//!
//! Call order (as in the core): after `receive_data`, `send` or `handle_timeout`, take
//! `data_to_send()` and write it, look at `poll_timeout()`, then drain `next_event()`.

use crate::conv::StrArg;
use crate::errors::{code_of_session, error, PyResultExt, ResultCode};
use crate::events::now_ms;
use crate::keys::{authority_key_arg, unix_now, PyCertificate, PyPoolUrl, PyStaticSecretKey};
use crate::messages::{dialect, PyMessage, PyRawFrame};
use crate::{conv, event_class};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3::IntoPyObjectExt;
use std::sync::Mutex;
use sv2::codec::Str0255;
use sv2::messages::{Protocol, SetupConnection};
use sv2::noise::{Cipher, InitiatorConfig, NegotiationForm, NoiseProfile, ResponderConfig};
use sv2::session::{
    ClientConfig, ClientSecurity, CloseReason, Event, Limits, ProtocolSupport, Role, ServerConfig,
    ServerSecurity, Session, SetupPolicy, Timeouts,
};

pub fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Common => "common",
        Protocol::Mining => "mining",
        Protocol::JobNegotiation => "job-negotiation",
        Protocol::TemplateDistribution => "template-distribution",
        Protocol::Telemetry => "telemetry",
    }
}

fn protocol_arg(py: Python<'_>, name: &str) -> PyResult<Protocol> {
    Ok(match name {
        "mining" => Protocol::Mining,
        "job-negotiation" => Protocol::JobNegotiation,
        "template-distribution" => Protocol::TemplateDistribution,
        other => {
            return Err(error(
                py,
                ResultCode::INVALID_ARG,
                format!(
                    "unknown protocol {other:?}: mining, job-negotiation or template-distribution"
                ),
            ))
        }
    })
}

fn profile_arg(py: Python<'_>, name: Option<&str>) -> PyResult<Option<NoiseProfile>> {
    name.map(|name| {
        NoiseProfile::from_name(name).ok_or_else(|| {
            error(
                py,
                ResultCode::INVALID_ARG,
                format!("unknown Noise profile {name:?}: sri-2023 or braiins-2021"),
            )
        })
    })
    .transpose()
}

/// The name events use for a cipher (unchanged since 0.1; configs accept it too).
fn cipher_name(c: Cipher) -> &'static str {
    match c {
        Cipher::ChaChaPoly => "chachapoly",
        Cipher::AesGcm => "aesgcm",
    }
}

/// Cipher names as any binding accepts them: wire tags (`CHCH`, `AESG`) or Noise names
/// (`ChaChaPoly`, `AESGCM`), case-insensitive.
pub(crate) fn ciphers_arg(
    py: Python<'_>,
    names: Option<Vec<String>>,
) -> PyResult<Option<Vec<Cipher>>> {
    names
        .map(|names| {
            if names.is_empty() {
                return Err(error(
                    py,
                    ResultCode::INVALID_ARG,
                    "ciphers is empty: give CHCH, AESG or both",
                ));
            }
            names
                .iter()
                .map(|n| {
                    Cipher::from_name(n).ok_or_else(|| {
                        error(py, ResultCode::INVALID_ARG, Cipher::unknown_name_error(n))
                    })
                })
                .collect()
        })
        .transpose()
}

fn form_name(f: NegotiationForm) -> &'static str {
    match f {
        NegotiationForm::Str3 => "str3",
        NegotiationForm::Str2 => "str2",
        NegotiationForm::None => "none",
    }
}

/// Limits and timeouts shared by both configs.
fn limits_timeouts(
    max_frame_payload: Option<usize>,
    max_buffered_input: Option<usize>,
    max_buffered_output: Option<usize>,
    max_channels: Option<usize>,
    handshake_timeout_ms: Option<u64>,
    setup_timeout_ms: Option<u64>,
    idle_timeout_ms: Option<u64>,
) -> (Limits, Timeouts) {
    let d = Limits::default();
    let limits = Limits {
        max_frame_payload: max_frame_payload.unwrap_or(d.max_frame_payload),
        max_buffered_input: max_buffered_input.unwrap_or(d.max_buffered_input),
        max_buffered_output: max_buffered_output.unwrap_or(d.max_buffered_output),
        max_channels: max_channels.unwrap_or(d.max_channels),
    };
    // 0 disables a timer.
    let t = |v: u64| (v > 0).then_some(v);
    let timeouts = Timeouts {
        handshake_ms: handshake_timeout_ms.and_then(t),
        setup_ms: setup_timeout_ms.and_then(t),
        idle_ms: idle_timeout_ms.and_then(t),
        ..Timeouts::default()
    };
    (limits, timeouts)
}

/// Configuration of a client session. Security is explicit: give the pool's authority key
/// (or a `stratum2+tcp://host:port/<key>` URL) for Noise, or `plaintext=True` for a local
/// network. Timeouts are in milliseconds (0 disables one).
#[pyclass(frozen, module = "sv2._sv2", name = "ClientConfig")]
pub struct PyClientConfig {
    pub config: ClientConfig,
    /// The wire tap hook: called with each traced frame's JSON line.
    pub trace: Option<PyObject>,
    /// Certificate validity is checked at this unix time (None: when the session starts).
    pub now_unix: Option<u64>,
}

#[pymethods]
impl PyClientConfig {
    #[new]
    #[pyo3(signature = (
        *, url = None, authority_key = None, plaintext = false, protocol = "mining", flags = 0,
        vendor = StrArg(Str0255::from("libsv2-python")), hardware_version = StrArg::default(),
        firmware = StrArg::default(), device_id = StrArg::default(),
        endpoint_host = None, endpoint_port = None, setup = None, dialect = "spec",
        noise_profile = None, ciphers = None, negotiate = true, min_version = 2, max_version = 2,
        rng_seed = None, now_unix = None, max_frame_payload = None, max_buffered_input = None,
        max_buffered_output = None, max_channels = None, handshake_timeout_ms = 10_000,
        setup_timeout_ms = 10_000, idle_timeout_ms = 0, trace = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        url: Option<&Bound<'_, PyAny>>,
        authority_key: Option<&Bound<'_, PyAny>>,
        plaintext: bool,
        protocol: &str,
        flags: u32,
        vendor: StrArg,
        hardware_version: StrArg,
        firmware: StrArg,
        device_id: StrArg,
        endpoint_host: Option<&Bound<'_, PyAny>>,
        endpoint_port: Option<u16>,
        setup: Option<&Bound<'_, PyAny>>,
        dialect: &str,
        noise_profile: Option<&str>,
        ciphers: Option<Vec<String>>,
        negotiate: bool,
        min_version: u16,
        max_version: u16,
        rng_seed: Option<&Bound<'_, PyAny>>,
        now_unix: Option<u64>,
        max_frame_payload: Option<usize>,
        max_buffered_input: Option<usize>,
        max_buffered_output: Option<usize>,
        max_channels: Option<usize>,
        handshake_timeout_ms: Option<u64>,
        setup_timeout_ms: Option<u64>,
        idle_timeout_ms: Option<u64>,
        trace: Option<PyObject>,
    ) -> PyResult<Self> {
        let url = url
            .map(|u| -> PyResult<sv2::keys::PoolUrl> {
                if let Ok(u) = u.downcast::<PyPoolUrl>() {
                    return Ok(u.get().0.clone());
                }
                sv2::keys::PoolUrl::parse(&u.extract::<String>()?)
                    .and_then(sv2::keys::PoolUrl::require_2022)
                    .py(py)
            })
            .transpose()?;
        let mut key = authority_key
            .map(|k| authority_key_arg(py, k))
            .transpose()?;
        let mut plaintext = plaintext;
        if let Some(u) = &url {
            match u.authority_key() {
                Some(k) if key.is_some_and(|given| given != *k) => {
                    return Err(error(
                        py,
                        ResultCode::INVALID_CONFIG,
                        "authority_key differs from the key in the URL",
                    ))
                }
                Some(k) => key = Some(*k),
                None => plaintext = true,
            }
        }
        let security = match (key, plaintext) {
            (Some(_), true) => {
                return Err(error(
                    py,
                    ResultCode::INVALID_CONFIG,
                    "an authority key and plaintext=True exclude each other",
                ))
            }
            (None, false) => {
                return Err(error(
                    py,
                    ResultCode::INVALID_CONFIG,
                    "give the pool's authority_key (or a stratum2+tcp:// URL) for Noise, or plaintext=True for a local network",
                ))
            }
            (None, true) => ClientSecurity::Plaintext,
            (Some(k), false) => {
                let mut noise = InitiatorConfig::new(k, 0);
                noise.profile = profile_arg(py, noise_profile)?;
                noise.ciphers = ciphers_arg(py, ciphers)?;
                noise.negotiate = negotiate;
                noise.rng_seed = rng_seed.map(conv::fixed_in::<32>).transpose()?;
                ClientSecurity::Noise(noise)
            }
        };
        if min_version > max_version {
            return Err(error(
                py,
                ResultCode::INVALID_ARG,
                format!("min_version {min_version} is above max_version {max_version}"),
            ));
        }
        let setup = match setup {
            Some(s) => match PyMessage::extract(s)? {
                sv2::messages::Message::SetupConnection(s) => *s,
                _ => {
                    return Err(pyo3::exceptions::PyTypeError::new_err(
                        "setup must be a SetupConnection",
                    ))
                }
            },
            None => {
                let host = match (endpoint_host, &url) {
                    (Some(h), _) => conv::str_in(h)?,
                    (None, Some(u)) => Str0255::from(u.host.to_string()),
                    (None, None) => Str0255::default(),
                };
                let port = endpoint_port.or(url.as_ref().map(|u| u.port)).unwrap_or(0);
                SetupConnection {
                    protocol: protocol_arg(py, protocol)?.setup_value().unwrap_or(0),
                    min_version,
                    max_version,
                    flags,
                    endpoint_host: host,
                    endpoint_port: port,
                    vendor: vendor.0,
                    hardware_version: hardware_version.0,
                    firmware: firmware.0,
                    device_id: device_id.0,
                }
            }
        };
        let (limits, timeouts) = limits_timeouts(
            max_frame_payload,
            max_buffered_input,
            max_buffered_output,
            max_channels,
            handshake_timeout_ms,
            setup_timeout_ms,
            idle_timeout_ms,
        );
        Ok(Self {
            config: ClientConfig {
                security,
                setup,
                dialect: self::dialect(py, dialect)?,
                limits,
                timeouts,
                send_policy: None,
                trace: trace.is_some(),
            },
            now_unix,
            trace,
        })
    }

    /// The SetupConnection the client sends.
    #[getter]
    fn setup(&self, py: Python<'_>) -> PyResult<PyObject> {
        crate::messages_generated::wrap(py, sv2::messages::Message::from(self.config.setup.clone()))
    }
    /// True for an unencrypted connection.
    #[getter]
    fn plaintext(&self) -> bool {
        matches!(self.config.security, ClientSecurity::Plaintext)
    }
    /// The dialect's name.
    #[getter]
    fn dialect(&self) -> &'static str {
        self.config.dialect.name()
    }
    /// The Noise negotiation the client speaks (`"sri-2023"` = STR3, `"braiins-2021"` = STR2):
    /// the `noise_profile` given, else the dialect's own. None in plaintext.
    #[getter]
    fn noise_profile(&self) -> Option<&'static str> {
        match &self.config.security {
            ClientSecurity::Plaintext => None,
            ClientSecurity::Noise(n) => Some(
                n.profile
                    .unwrap_or_else(|| NoiseProfile::of_dialect(self.config.dialect))
                    .name(),
            ),
            // Not constructible from Python yet (issue 20); named for completeness.
            ClientSecurity::Spec2025(_) => Some(sv2::noise::SPEC_2025),
        }
    }
}

/// Configuration of a server session; share one among all connections. Noise needs the
/// server's static secret key and the certificate an authority signed for its public key;
/// `plaintext=True` is for local networks. `setup_check(setup)` may return an error code
/// string to refuse a client (SetupConnection.Error), or None to accept it. `protocols` lists
/// what the server accepts as `(name, supported_flags, success_flags)` tuples (default
/// `[("mining", 0b111, 0)]`): a client asking for a flag outside `supported_flags` is refused
/// with `unsupported-feature-flags`; `success_flags` go out in SetupConnection.Success.
/// `open_channel_timeout_ms` closes a Mining client that asks for no channel that long after
/// setup (R55; 0 disables).
#[pyclass(frozen, module = "sv2._sv2", name = "ServerConfig")]
pub struct PyServerConfig {
    pub config: ServerConfig,
    /// The wire tap hook (see `PyClientConfig::trace`).
    pub trace: Option<PyObject>,
}

#[pymethods]
impl PyServerConfig {
    #[new]
    #[pyo3(signature = (
        *, static_key = None, certificate = None, plaintext = false, protocols = None,
        setup_check = None, dialect = "spec", noise_profile = None, ciphers = None,
        accept_no_negotiation = true, rng_seed = None, max_frame_payload = None,
        max_buffered_input = None, max_buffered_output = None, max_channels = None,
        handshake_timeout_ms = 10_000, setup_timeout_ms = 10_000, idle_timeout_ms = 0,
        open_channel_timeout_ms = 60_000, trace = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        static_key: Option<PyRef<'_, PyStaticSecretKey>>,
        certificate: Option<PyRef<'_, PyCertificate>>,
        plaintext: bool,
        protocols: Option<Vec<(String, u32, u32)>>,
        setup_check: Option<PyObject>,
        dialect: &str,
        noise_profile: Option<&str>,
        ciphers: Option<Vec<String>>,
        accept_no_negotiation: bool,
        rng_seed: Option<&Bound<'_, PyAny>>,
        max_frame_payload: Option<usize>,
        max_buffered_input: Option<usize>,
        max_buffered_output: Option<usize>,
        max_channels: Option<usize>,
        handshake_timeout_ms: Option<u64>,
        setup_timeout_ms: Option<u64>,
        idle_timeout_ms: Option<u64>,
        open_channel_timeout_ms: Option<u64>,
        trace: Option<PyObject>,
    ) -> PyResult<Self> {
        let security =
            match (static_key, certificate, plaintext) {
                (None, None, true) => ServerSecurity::Plaintext,
                (Some(key), Some(cert), false) => {
                    if key.0.public_key() != cert.0.server_public_key {
                        return Err(error(
                            py,
                            ResultCode::INVALID_CONFIG,
                            "the certificate was signed for another server key",
                        ));
                    }
                    let mut noise = ResponderConfig::new(key.0.clone(), cert.0.certificate);
                    noise.profile = profile_arg(py, noise_profile)?;
                    noise.cipher_preference = ciphers_arg(py, ciphers)?;
                    noise.accept_no_negotiation = accept_no_negotiation;
                    noise.rng_seed = rng_seed.map(conv::fixed_in::<32>).transpose()?;
                    ServerSecurity::Noise(noise)
                }
                _ => return Err(error(
                    py,
                    ResultCode::INVALID_CONFIG,
                    "give static_key and certificate for Noise, or plaintext=True (and neither)",
                )),
            };
        let protocols = match protocols {
            None => vec![ProtocolSupport::mining()],
            Some(list) => list
                .into_iter()
                .map(|(name, supported_flags, success_flags)| {
                    Ok(ProtocolSupport {
                        protocol: protocol_arg(py, &name)?,
                        supported_flags,
                        success_flags,
                    })
                })
                .collect::<PyResult<Vec<_>>>()?,
        };
        let mut config = ServerConfig::new(security, protocols);
        config.setup_policy = setup_check.map(|check| {
            SetupPolicy::new(move |setup: &SetupConnection| {
                Python::with_gil(|py| {
                    let msg = crate::messages_generated::wrap(
                        py,
                        sv2::messages::Message::from(setup.clone()),
                    )
                    .map_err(|e| e.to_string())?;
                    match check.call1(py, (msg,)) {
                        Ok(r) if r.is_none(py) => Ok(()),
                        Ok(r) => Err(r
                            .extract::<String>(py)
                            .unwrap_or_else(|_| "setup_check returned a non-string".to_string())),
                        // An exception in the check refuses the client; the error is shown
                        // through sys.unraisablehook rather than lost.
                        Err(e) => {
                            e.write_unraisable(py, Some(check.bind(py)));
                            Err("internal-error".to_string())
                        }
                    }
                })
            })
        });
        config.dialect = self::dialect(py, dialect)?;
        (config.limits, config.timeouts) = limits_timeouts(
            max_frame_payload,
            max_buffered_input,
            max_buffered_output,
            max_channels,
            handshake_timeout_ms,
            setup_timeout_ms,
            idle_timeout_ms,
        );
        // R55: a Mining client that sets up and asks for no channel is closed (0 disables).
        config.timeouts.open_channel_ms = open_channel_timeout_ms.filter(|ms| *ms > 0);
        config.trace = trace.is_some();
        Ok(Self { config, trace })
    }

    /// True for an unencrypted server.
    #[getter]
    fn plaintext(&self) -> bool {
        matches!(self.config.security, ServerSecurity::Plaintext)
    }
    /// The dialect's name.
    #[getter]
    fn dialect(&self) -> &'static str {
        self.config.dialect.name()
    }
}

event_class!(
    /// The Noise handshake completed.
    HandshakeComplete, "HandshakeComplete" {
        /// `"chachapoly"` or `"aesgcm"`.
        cipher: String,
        /// The negotiation form: `"str3"`, `"str2"` or `"none"`.
        form: String,
    }
);

event_class!(
    /// SetupConnection succeeded: messages of `protocol` may flow.
    SetupComplete, "SetupComplete" {
        /// `"mining"`, `"job-negotiation"` or `"template-distribution"`.
        protocol: String,
        /// The version in use (2).
        version: u16,
        /// The flags the client requested.
        requested_flags: u32,
        /// The flags of SetupConnection.Success.
        success_flags: u32,
        /// The client's SetupConnection.
        setup: PyObject,
    }
);

event_class!(
    /// The session ended. `reason` is `"setup-rejected"`, `"peer-closed"`, `"local-close"`
    /// or `"error"`; for errors `code` is the result code (0 otherwise) and `detail` the
    /// message; for a refused setup `error_code` is the spec's error code string.
    Closed, "Closed" {
        /// Why.
        reason: String,
        /// The result code of an error, else 0.
        code: u32,
        /// A human-readable description.
        detail: String,
        /// SetupConnection.Error's error_code, if the setup was refused.
        error_code: Option<String>,
        /// SetupConnection.Error's flags (unsupported flags), else 0.
        flags: u32,
    }
);

/// A session event as a Python object: messages as themselves, unknown channel frames as
/// `RawFrame`, and the `HandshakeComplete`, `SetupComplete` and `Closed` classes.
pub fn event_to_py(py: Python<'_>, event: Event) -> PyResult<PyObject> {
    match event {
        Event::Message(m) => crate::messages_generated::wrap(py, m),
        Event::Forward(raw) => PyRawFrame(raw).into_py_any(py),
        Event::HandshakeComplete { cipher, form } => HandshakeComplete {
            cipher: cipher_name(cipher).into(),
            form: form_name(form).into(),
        }
        .into_py_any(py),
        Event::SetupComplete {
            protocol,
            version,
            requested_flags,
            success_flags,
            setup,
        } => SetupComplete {
            protocol: protocol_name(protocol).into(),
            version,
            requested_flags,
            success_flags,
            setup: crate::messages_generated::wrap(
                py,
                sv2::messages::Message::SetupConnection(setup),
            )?,
        }
        .into_py_any(py),
        Event::Closed(reason) => closed_event(reason).into_py_any(py),
    }
}

/// The `Closed` event for a close reason.
pub fn closed_event(reason: CloseReason) -> Closed {
    match reason {
        CloseReason::SetupRejected { flags, error_code } => Closed {
            reason: "setup-rejected".into(),
            code: ResultCode::SETUP_REJECTED as u32,
            detail: format!("SetupConnection.Error: {error_code}"),
            error_code: Some(error_code.to_string_lossy()),
            flags,
        },
        CloseReason::PeerClosed => Closed {
            reason: "peer-closed".into(),
            code: 0,
            detail: "the peer closed the connection".into(),
            error_code: None,
            flags: 0,
        },
        CloseReason::LocalClose => Closed {
            reason: "local-close".into(),
            code: 0,
            detail: "closed locally".into(),
            error_code: None,
            flags: 0,
        },
        CloseReason::Error(e) => Closed {
            reason: "error".into(),
            code: code_of_session(&e) as u32,
            detail: e.to_string(),
            error_code: None,
            flags: 0,
        },
    }
}

/// One connection's protocol state, sans I/O: feed it received bytes, write out what
/// `data_to_send()` returns, and drain `next_event()`. `now_ms` defaults to
/// `time.monotonic_ns() // 1_000_000`.
#[pyclass(module = "sv2._sv2", name = "Session")]
pub struct PySession {
    // The core session is Send but not Sync (its Noise backend); the mutex makes the Python
    // object shareable. Calls never contend in practice (one connection, one task).
    pub inner: Mutex<Session>,
    /// The config's wire tap hook.
    pub trace: Option<PyObject>,
}

/// Hands trace lines to the hook, outside any lock so that the hook may call back. A hook
/// that raises is reported through `sys.unraisablehook`: the protocol has moved on already,
/// and a logging error must not look like a protocol error.
pub(crate) fn call_trace_hook(py: Python<'_>, hook: &PyObject, lines: Vec<String>) {
    for line in lines {
        if let Err(e) = hook.call1(py, (line,)) {
            e.write_unraisable(py, Some(hook.bind(py)));
        }
    }
}

impl PySession {
    pub fn new(inner: Session, trace: Option<PyObject>) -> Self {
        Self {
            inner: Mutex::new(inner),
            trace,
        }
    }
    /// Runs `f` on the session, then gives the frames it traced to the hook.
    fn traced<R>(&self, py: Python<'_>, f: impl FnOnce(&mut Session) -> R) -> R {
        let (result, lines) = {
            let mut session = self.get();
            let result = f(&mut session);
            let lines: Vec<String> = match &self.trace {
                Some(_) => std::iter::from_fn(|| session.next_trace_json()).collect(),
                None => Vec::new(),
            };
            (result, lines)
        };
        if let Some(hook) = &self.trace {
            call_trace_hook(py, hook, lines);
        }
        result
    }
    /// The session (a poisoned lock means an earlier call panicked; the state is still the
    /// core's consistent state, so it is used as is).
    pub fn get(&self) -> std::sync::MutexGuard<'_, Session> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PySession {
    /// A client session. With Noise the first handshake message is ready to send at once.
    #[staticmethod]
    #[pyo3(signature = (config, now_ms = None))]
    fn client(py: Python<'_>, config: &PyClientConfig, now_ms: Option<u64>) -> PyResult<Self> {
        let mut cfg = config.config.clone();
        if let ClientSecurity::Noise(noise) = &mut cfg.security {
            noise.now_unix = config.now_unix.unwrap_or_else(unix_now);
        }
        let now = self::now_ms(py, now_ms)?;
        let hook = config.trace.as_ref().map(|h| h.clone_ref(py));
        let session = Self::new(Session::client(cfg, now).py(py)?, hook);
        // A plaintext client's SetupConnection is queued (and traced) already.
        session.traced(py, |_| ());
        Ok(session)
    }

    /// A server session waiting for the client's first bytes.
    #[staticmethod]
    #[pyo3(signature = (config, now_ms = None))]
    fn server(py: Python<'_>, config: &PyServerConfig, now_ms: Option<u64>) -> PyResult<Self> {
        let now = self::now_ms(py, now_ms)?;
        let hook = config.trace.as_ref().map(|h| h.clone_ref(py));
        Ok(Self::new(
            Session::server(config.config.clone(), now).py(py)?,
            hook,
        ))
    }

    /// Bytes received from the socket. Raises on a protocol, Noise or framing error (the
    /// session is then closed and a `Closed` event follows).
    #[pyo3(signature = (data, now_ms = None))]
    fn receive_data(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        if let Ok(b) = data.downcast::<PyBytes>() {
            return self
                .traced(py, |s| s.receive_data(b.as_bytes(), now))
                .py(py);
        }
        let data = conv::bytes_in(data)?;
        self.traced(py, |s| s.receive_data(&data, now)).py(py)
    }

    /// The next event, or None when idle.
    fn next_event(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let event = self.traced(py, |s| s.next_event());
        event.map(|e| event_to_py(py, e)).transpose()
    }

    /// Every pending event.
    fn events(&self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        let events = self.traced(py, |s| {
            std::iter::from_fn(|| s.next_event()).collect::<Vec<_>>()
        });
        events.into_iter().map(|e| event_to_py(py, e)).collect()
    }

    /// Queues a message for the peer (only after setup).
    #[pyo3(signature = (message, now_ms = None))]
    fn send(
        &self,
        py: Python<'_>,
        message: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        if let Ok(raw) = message.downcast::<PyRawFrame>() {
            return self
                .traced(py, |s| s.send_raw(&raw.get().0, now_ms.unwrap_or(0)))
                .py(py);
        }
        let m = message.downcast::<PyMessage>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err("expected a message or RawFrame")
        })?;
        self.traced(py, |s| s.send(&m.get().0, now_ms.unwrap_or(0)))
            .py(py)
    }

    /// Queues several messages (one write, one encryption batch).
    #[pyo3(signature = (messages, now_ms = None))]
    fn send_all(
        &self,
        py: Python<'_>,
        messages: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        for m in messages.try_iter()? {
            self.send(py, &m?, now_ms)?;
        }
        Ok(())
    }

    /// Every pending byte for the socket (empty when there is nothing to send).
    fn data_to_send<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let mut out = Vec::new();
        self.get().take_data_to_send(&mut out);
        PyBytes::new(py, &out)
    }

    /// True when bytes are waiting to be sent.
    #[getter]
    fn wants_write(&self) -> bool {
        self.get().wants_write()
    }

    /// When (monotonic ms) `handle_timeout` must be called next, if ever.
    fn poll_timeout(&self) -> Option<u64> {
        self.get().poll_timeout()
    }

    /// Fires expired timers.
    #[pyo3(signature = (now_ms = None))]
    fn handle_timeout(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.traced(py, |s| s.handle_timeout(now));
        Ok(())
    }

    /// The socket reached end of file.
    fn peer_closed(&self) {
        self.get().peer_closed();
    }

    /// Ends the session from this side; queued bytes can still be taken.
    fn close(&self) {
        self.get().close();
    }

    /// `"client"` or `"server"`.
    #[getter]
    fn role(&self) -> &'static str {
        match self.get().role() {
            Role::Client => "client",
            Role::Server => "server",
        }
    }
    /// True once SetupConnection succeeded and until the session closes.
    #[getter]
    fn is_ready(&self) -> bool {
        self.get().is_ready()
    }
    /// True once the session has ended.
    #[getter]
    fn is_closed(&self) -> bool {
        self.get().is_closed()
    }
    /// The negotiated protocol once set up.
    #[getter]
    fn protocol(&self) -> Option<&'static str> {
        self.get().protocol().map(protocol_name)
    }
    /// The dialect's name.
    #[getter]
    fn dialect(&self) -> &'static str {
        self.get().dialect().name()
    }
    /// Channels open on this connection.
    #[getter]
    fn open_channels(&self) -> usize {
        self.get().open_channels()
    }
    /// Frames of unknown kinds discarded so far.
    #[getter]
    fn discarded_frames(&self) -> u64 {
        self.get().discarded_frames()
    }
    fn __repr__(&self) -> String {
        format!("<{:?}>", *self.get())
    }
}

/// Adds the session classes.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyClientConfig>()?;
    module.add_class::<PyServerConfig>()?;
    module.add_class::<PySession>()?;
    module.add_class::<HandshakeComplete>()?;
    module.add_class::<SetupComplete>()?;
    module.add_class::<Closed>()?;
    Ok(())
}
