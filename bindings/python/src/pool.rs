//! The pool engine (upstream side of the Mining Protocol), its events and statistics, policy
//! hooks as Python callables, and the synthetic template source.
//!
//! Besides the message-at-a-time calls, two batch calls keep Python off the per-share path:
//! `receive(conn, session)` moves every Mining message a session decoded straight into the
//! engine, and `send_outgoing(sessions)` queues every engine reply on its session; neither
//! creates a Python object per share.

use crate::errors::{error, ResultCode};
use crate::events::now_ms;
use crate::messages::PyMessage;
use crate::session::{event_to_py, PySession};
use crate::{conv, event_class};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use pyo3::IntoPyObjectExt;
use std::sync::{Mutex, MutexGuard};
use sv2::codec::U256;
use sv2::messages::{Message, NewTemplate, SetCustomMiningJob};
use sv2::mining::pool::{
    ChannelKind, ChannelStats, ClientMaxTarget, CloseCause, ConnectionId, EngineError, PoolConfig,
    PoolEngine, PoolEvent, PoolPolicy, PoolSnapshot, SyntheticTemplateSource, TargetChangeCause,
    TxOut, VardiffConfig, DEFAULT_BLOCK_DIFFICULTY_FACTOR, REGTEST_NBITS,
};
use sv2::session::Event;

pub(crate) fn engine_error(py: Python<'_>, e: EngineError) -> PyErr {
    let code = match &e {
        EngineError::InvalidConfig(_) => ResultCode::INVALID_CONFIG,
        EngineError::UnknownConnection(_) => ResultCode::UNKNOWN_CONNECTION,
        EngineError::UnknownChannel(_) => ResultCode::UNKNOWN_CHANNEL,
        EngineError::UnsupportedFlags(_) => ResultCode::SETUP_REJECTED,
        EngineError::UnexpectedMessage(_) => ResultCode::UNEXPECTED_MESSAGE,
        EngineError::ConnectionExists(_) => ResultCode::WRONG_STATE,
        EngineError::NoPrevHash => ResultCode::NO_PREV_HASH,
        EngineError::UnknownTemplate(_) => ResultCode::UNKNOWN_TEMPLATE,
        EngineError::InvalidTemplate(_) => ResultCode::INVALID_TEMPLATE,
        EngineError::JobIdsExhausted | EngineError::ExtranonceSpaceExhausted => {
            ResultCode::EXHAUSTED
        }
        _ => ResultCode::INVALID_ARG,
    };
    let err = error(py, code, e.to_string());
    if let EngineError::UnsupportedFlags(flags) = e {
        let _ = err.value(py).setattr("flags", flags);
    }
    err
}

fn kind_name(k: ChannelKind) -> &'static str {
    match k {
        ChannelKind::Standard => "standard",
        ChannelKind::Extended => "extended",
    }
}

fn bytes(py: Python<'_>, b: &[u8]) -> Py<PyBytes> {
    PyBytes::new(py, b).unbind()
}

/// Policy hooks implemented by a Python object. Only the methods the object's class
/// overrides (relative to `sv2.PoolPolicy`) are called; the others keep the engine's
/// defaults at no cost. A hook that raises is reported through `sys.unraisablehook` and
/// answered conservatively (refuse the user or token, default target and outputs).
struct PyPolicy {
    obj: Py<PyAny>,
    authorize: bool,
    initial_target: bool,
    validate_token: bool,
    coinbase_outputs: bool,
}

impl PyPolicy {
    fn new(py: Python<'_>, obj: Py<PyAny>) -> PyResult<Self> {
        let base = py.import("sv2._policy")?.getattr("PoolPolicy")?;
        let bound = obj.bind(py);
        let ty = bound.get_type();
        // Used when the object has the method (any object with these methods works, also
        // one with callables as instance attributes), unless it is `PoolPolicy`'s default.
        let overrides = |name: &str| -> PyResult<bool> {
            if !bound.hasattr(name)? {
                return Ok(false);
            }
            let on_instance = bound
                .getattr("__dict__")
                .and_then(|d| d.contains(name))
                .unwrap_or(false);
            match ty.getattr(name) {
                Ok(m) if !on_instance => Ok(!m.is(&base.getattr(name)?)),
                _ => Ok(true),
            }
        };
        Ok(Self {
            authorize: overrides("authorize")?,
            initial_target: overrides("initial_target")?,
            validate_token: overrides("validate_mining_job_token")?,
            coinbase_outputs: overrides("coinbase_outputs")?,
            obj,
        })
    }

    fn call<T>(
        &self,
        name: &str,
        args: impl for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>>,
        convert: impl for<'py> FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
        fallback: T,
    ) -> T {
        Python::with_gil(|py| {
            let result = args(py)
                .and_then(|a| self.obj.bind(py).call_method1(name, a))
                .and_then(|r| convert(&r));
            match result {
                Ok(v) => v,
                Err(e) => {
                    e.write_unraisable(py, Some(self.obj.bind(py)));
                    fallback
                }
            }
        })
    }
}

impl PoolPolicy for PyPolicy {
    fn authorize(&mut self, conn: ConnectionId, user_identity: &str, kind: ChannelKind) -> bool {
        if !self.authorize {
            return true;
        }
        self.call(
            "authorize",
            |py| {
                pyo3::types::PyTuple::new(
                    py,
                    [
                        conn.into_py_any(py)?,
                        user_identity.into_py_any(py)?,
                        kind_name(kind).into_py_any(py)?,
                    ],
                )
            },
            |r| r.is_truthy(),
            false,
        )
    }

    fn initial_target(
        &mut self,
        conn: ConnectionId,
        user_identity: &str,
        nominal_hash_rate: f32,
    ) -> Option<U256> {
        if !self.initial_target {
            return None;
        }
        self.call(
            "initial_target",
            |py| {
                pyo3::types::PyTuple::new(
                    py,
                    [
                        conn.into_py_any(py)?,
                        user_identity.into_py_any(py)?,
                        nominal_hash_rate.into_py_any(py)?,
                    ],
                )
            },
            |r| {
                if r.is_none() {
                    Ok(None)
                } else {
                    conv::u256_in(r).map(Some)
                }
            },
            None,
        )
    }

    fn validate_mining_job_token(
        &mut self,
        conn: ConnectionId,
        channel_id: u32,
        user_identity: &str,
        token: &[u8],
        job: &SetCustomMiningJob,
    ) -> bool {
        if !self.validate_token {
            return false;
        }
        self.call(
            "validate_mining_job_token",
            |py| {
                let job = crate::messages_generated::wrap(py, Message::from(job.clone()))?;
                pyo3::types::PyTuple::new(
                    py,
                    [
                        conn.into_py_any(py)?,
                        channel_id.into_py_any(py)?,
                        user_identity.into_py_any(py)?,
                        PyBytes::new(py, token).into_any().unbind(),
                        job,
                    ],
                )
            },
            |r| r.is_truthy(),
            false,
        )
    }

    fn coinbase_outputs(&mut self, template: &NewTemplate) -> Option<Vec<TxOut>> {
        if !self.coinbase_outputs {
            return None;
        }
        self.call(
            "coinbase_outputs",
            |py| {
                let t = crate::messages_generated::wrap(py, Message::from(template.clone()))?;
                pyo3::types::PyTuple::new(py, [t])
            },
            |r| {
                if r.is_none() {
                    return Ok(None);
                }
                let mut out = Vec::new();
                for item in r.try_iter()? {
                    let (value, script): (u64, Vec<u8>) = {
                        let item = item?;
                        let value: u64 = item.get_item(0)?.extract()?;
                        let script = conv::bytes_in(&item.get_item(1)?)?.into_owned();
                        (value, script)
                    };
                    out.push(TxOut {
                        value,
                        script_pubkey: script,
                    });
                }
                Ok(Some(out))
            },
            None,
        )
    }
}

event_class!(
    /// Accounting for one channel (for payouts and dashboards). `shares_rejected` maps each
    /// SubmitShares.Error code to its count.
    PyChannelStats, "ChannelStats" {
        conn: u64,
        channel_id: u32,
        kind: String,
        group_channel_id: Option<u32>,
        user_identity: String,
        target: Py<PyBytes>,
        shares_accepted: u64,
        shares_rejected: Py<PyDict>,
        accepted_difficulty: f64,
        hashrate: f64,
        best_share_difficulty: f64,
        blocks_found: u32,
    }
);

pub(crate) fn stats(py: Python<'_>, s: &ChannelStats) -> PyResult<PyChannelStats> {
    let rejected = PyDict::new(py);
    for reason in sv2::mining::pool::RejectReason::ALL {
        rejected.set_item(reason.code(), s.rejected(reason))?;
    }
    Ok(PyChannelStats {
        conn: s.conn,
        channel_id: s.channel_id,
        kind: kind_name(s.kind).into(),
        group_channel_id: s.group_channel_id,
        user_identity: s.user_identity.to_string(),
        target: bytes(py, &s.target.0),
        shares_accepted: s.shares_accepted,
        shares_rejected: rejected.unbind(),
        accepted_difficulty: s.accepted_difficulty,
        hashrate: s.hashrate,
        best_share_difficulty: s.best_share_difficulty,
        blocks_found: s.blocks_found,
    })
}

event_class!(
    /// The whole pool at one instant.
    PyPoolSnapshot, "PoolSnapshot" {
        connections: usize,
        channels: Vec<Py<PyChannelStats>>,
        prev_hash: Option<Py<PyBytes>>,
        active_job_id: Option<u32>,
        total_hashrate: f64,
        blocks_found: u64,
    }
);

pub(crate) fn snapshot(py: Python<'_>, s: &PoolSnapshot) -> PyResult<PyPoolSnapshot> {
    Ok(PyPoolSnapshot {
        connections: s.connections,
        channels: s
            .channels
            .iter()
            .map(|c| Py::new(py, stats(py, c)?))
            .collect::<PyResult<_>>()?,
        prev_hash: s.prev_hash.map(|h| bytes(py, &h.0)),
        active_job_id: s.active_job_id,
        total_hashrate: s.total_hashrate,
        blocks_found: s.blocks_found,
    })
}

event_class!(
    /// A channel opened.
    PoolChannelOpened, "PoolChannelOpened" {
        conn: u64, channel_id: u32, group_channel_id: Option<u32>, kind: String,
        user_identity: String, target: Py<PyBytes>, extranonce_prefix: Py<PyBytes>,
    }
);
event_class!(
    /// A channel closed; `stats` are final. `cause` is `"client"`, `"server"` (with
    /// `reason_code`) or `"connection-closed"`.
    PoolChannelClosed, "PoolChannelClosed" {
        conn: u64, channel_id: u32, cause: String, reason_code: Option<String>,
        stats: Py<PyChannelStats>,
    }
);
event_class!(
    /// A share was accepted (with `share_events=True`).
    PoolShareAccepted, "PoolShareAccepted" {
        conn: u64, channel_id: u32, user_identity: String, job_id: u32, sequence_number: u32,
        credited_difficulty: f64, share_difficulty: f64,
    }
);
event_class!(
    /// A share was rejected with `reason` (its SubmitShares.Error code).
    PoolShareRejected, "PoolShareRejected" {
        conn: u64, channel_id: u32, sequence_number: u32, reason: String,
    }
);
event_class!(
    /// A share met the network target: everything needed to build and broadcast the block.
    BlockFound, "BlockFound" {
        conn: u64, channel_id: u32, user_identity: String, job_id: u32,
        template_id: Option<u64>, header: Py<PyBytes>, block_hash: Py<PyBytes>,
        coinbase_tx: Py<PyBytes>, submit_solution: Option<PyObject>,
    }
);
event_class!(
    /// A channel's target changed (SetTarget was queued). `cause` is `"vardiff"`,
    /// `"update-channel"` or `"api"`.
    PoolTargetChanged, "PoolTargetChanged" {
        conn: u64, channel_id: u32, target: Py<PyBytes>, cause: String,
    }
);

pub(crate) fn pool_event_to_py(py: Python<'_>, e: PoolEvent) -> PyResult<PyObject> {
    match e {
        PoolEvent::ChannelOpened {
            conn,
            channel_id,
            group_channel_id,
            kind,
            user_identity,
            target,
            extranonce_prefix,
        } => PoolChannelOpened {
            conn,
            channel_id,
            group_channel_id,
            kind: kind_name(kind).into(),
            user_identity: user_identity.to_string(),
            target: bytes(py, &target.0),
            extranonce_prefix: bytes(py, &extranonce_prefix),
        }
        .into_py_any(py),
        PoolEvent::ChannelClosed {
            conn,
            channel_id,
            cause,
            stats: s,
        } => {
            let (cause, reason_code) = match cause {
                CloseCause::Client(r) => ("client", Some(r)),
                CloseCause::Server(r) => ("server", Some(r)),
                CloseCause::ConnectionClosed => ("connection-closed", None),
            };
            PoolChannelClosed {
                conn,
                channel_id,
                cause: cause.into(),
                reason_code,
                stats: Py::new(py, stats(py, &s)?)?,
            }
            .into_py_any(py)
        }
        PoolEvent::ShareAccepted {
            conn,
            channel_id,
            user_identity,
            job_id,
            sequence_number,
            credited_difficulty,
            share_difficulty,
        } => PoolShareAccepted {
            conn,
            channel_id,
            user_identity: user_identity.to_string(),
            job_id,
            sequence_number,
            credited_difficulty,
            share_difficulty,
        }
        .into_py_any(py),
        PoolEvent::ShareRejected {
            conn,
            channel_id,
            sequence_number,
            reason,
        } => PoolShareRejected {
            conn,
            channel_id,
            sequence_number,
            reason: reason.code().into(),
        }
        .into_py_any(py),
        PoolEvent::BlockFound(b) => BlockFound {
            conn: b.conn,
            channel_id: b.channel_id,
            user_identity: b.user_identity.to_string(),
            job_id: b.job_id,
            template_id: b.template_id,
            header: bytes(py, &b.header),
            block_hash: bytes(py, &b.block_hash.0),
            coinbase_tx: bytes(py, &b.coinbase_tx),
            submit_solution: b
                .submit_solution
                .map(|s| crate::messages_generated::wrap(py, Message::SubmitSolution(s)))
                .transpose()?,
        }
        .into_py_any(py),
        PoolEvent::TargetChanged {
            conn,
            channel_id,
            target,
            cause,
        } => PoolTargetChanged {
            conn,
            channel_id,
            target: bytes(py, &target.0),
            cause: match cause {
                TargetChangeCause::Vardiff => "vardiff",
                TargetChangeCause::UpdateChannel => "update-channel",
                TargetChangeCause::Api => "api",
            }
            .into(),
        }
        .into_py_any(py),
    }
}

/// The pool engine, sans I/O. Call order: `connection_opened(conn, flags)` after a client's
/// setup; `handle_message` (or the batch `receive`) for its Mining messages; `new_template`
/// and `set_prev_hash` from the template source; after any call, route `drain_outgoing()`
/// (or `send_outgoing(sessions)`), drain `events()`, and call `handle_timeout` at
/// `poll_timeout()`. `connection_closed(conn)` when a connection ends.
///
/// `client_max_target` is a deployment choice about the `max_target` clients send:
/// `"honour"` it (the spec, default), `"ignore"` it, or `"cap"` it at
/// `client_max_target_cap` (a harder one counts as the cap). `allow_work_selection=True`
/// accepts clients that set REQUIRES_WORK_SELECTION (SRI's mining proxy always does).
#[pyclass(module = "sv2._sv2", name = "PoolEngine")]
pub struct PyPoolEngine {
    inner: Mutex<PoolEngine>,
}

impl PyPoolEngine {
    fn get(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, PoolEngine>> {
        match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(std::sync::TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => Err(error(
                py,
                ResultCode::WRONG_STATE,
                "the pool engine is busy: policy hooks must not call back into the engine",
            )),
        }
    }

    /// Moves the engine out (to a `PoolServer`), leaving a fresh default one behind.
    pub(crate) fn take_engine(&self, py: Python<'_>) -> PyResult<PoolEngine> {
        let fresh = PoolEngine::new(
            PoolConfig::default(),
            Box::new(sv2::mining::pool::OpenPolicy),
        )
        .map_err(|e| engine_error(py, e))?;
        Ok(std::mem::replace(&mut *self.get(py)?, fresh))
    }
}

#[pymethods]
impl PyPoolEngine {
    #[new]
    #[pyo3(signature = (
        policy = None, *, server_id = None, extranonce_counter_len = 4, extranonce_total_len = 16,
        default_extranonce_size = 8, coinbase_tag = None, payout_script = None,
        require_fixed_version = false, require_extended_channels = false,
        allow_work_selection = false, max_target = None, min_target = None,
        max_channels_per_connection = 1 << 20, max_active_jobs = 8, max_future_jobs = 8,
        max_custom_jobs_per_connection = 8, ack_batch_size = 32, ack_flush_ms = 1000,
        ntime_future_slack_secs = 7200, duplicate_window = 8192, hashrate_window_ms = 600_000,
        share_events = true, vardiff = true, shares_per_minute = 10.0,
        vardiff_min_window_ms = 30_000, vardiff_max_window_ms = 300_000,
        client_max_target = "honour", client_max_target_cap = None, block_difficulty_factor = 1000.0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        policy: Option<Py<PyAny>>,
        server_id: Option<&Bound<'_, PyAny>>,
        extranonce_counter_len: u8,
        extranonce_total_len: u8,
        default_extranonce_size: u8,
        coinbase_tag: Option<&Bound<'_, PyAny>>,
        payout_script: Option<&Bound<'_, PyAny>>,
        require_fixed_version: bool,
        require_extended_channels: bool,
        allow_work_selection: bool,
        max_target: Option<&Bound<'_, PyAny>>,
        min_target: Option<&Bound<'_, PyAny>>,
        max_channels_per_connection: u32,
        max_active_jobs: usize,
        max_future_jobs: usize,
        max_custom_jobs_per_connection: usize,
        ack_batch_size: u32,
        ack_flush_ms: u64,
        ntime_future_slack_secs: u32,
        duplicate_window: usize,
        hashrate_window_ms: u64,
        share_events: bool,
        vardiff: bool,
        shares_per_minute: f64,
        vardiff_min_window_ms: u64,
        vardiff_max_window_ms: u64,
        client_max_target: &str,
        client_max_target_cap: Option<&Bound<'_, PyAny>>,
        block_difficulty_factor: f64,
    ) -> PyResult<Self> {
        // The literal default above keeps the signature readable (`help()`, stubtest).
        debug_assert_eq!(DEFAULT_BLOCK_DIFFICULTY_FACTOR, 1000.0);
        let d = PoolConfig::default();
        let cap = client_max_target_cap.map(conv::u256_in).transpose()?;
        let client_max_target = match (client_max_target, cap) {
            ("honour", None) => ClientMaxTarget::Honour,
            ("ignore", None) => ClientMaxTarget::Ignore,
            ("cap", Some(cap)) => ClientMaxTarget::Cap(cap),
            _ => {
                return Err(error(
                    py,
                    ResultCode::INVALID_ARG,
                    "client_max_target must be 'honour', 'ignore', or 'cap' with \
                     client_max_target_cap (a 32-byte target), and only 'cap' takes a cap",
                ))
            }
        };
        let cfg = PoolConfig {
            server_id: server_id
                .map(|b| conv::bytes_in(b).map(|b| b.into_owned()))
                .transpose()?
                .unwrap_or(d.server_id),
            extranonce_counter_len,
            extranonce_total_len,
            default_extranonce_size,
            coinbase_tag: coinbase_tag
                .map(|b| conv::bytes_in(b).map(|b| b.into_owned()))
                .transpose()?
                .unwrap_or(d.coinbase_tag),
            payout_script: payout_script
                .map(|b| conv::bytes_in(b).map(|b| b.into_owned()))
                .transpose()?
                .unwrap_or(d.payout_script),
            require_fixed_version,
            require_extended_channels,
            allow_work_selection,
            max_target: max_target
                .map(conv::u256_in)
                .transpose()?
                .unwrap_or(d.max_target),
            min_target: min_target
                .map(conv::u256_in)
                .transpose()?
                .unwrap_or(d.min_target),
            client_max_target,
            max_channels_per_connection,
            max_active_jobs,
            max_future_jobs,
            max_custom_jobs_per_connection,
            ack_batch_size,
            ack_flush_ms,
            ntime_future_slack_secs,
            duplicate_window,
            hashrate_window_ms,
            share_events,
            vardiff: VardiffConfig {
                enabled: vardiff,
                shares_per_minute,
                min_window_ms: vardiff_min_window_ms,
                max_window_ms: vardiff_max_window_ms,
                ..VardiffConfig::default()
            },
            block_difficulty_factor,
        };
        let policy: Box<dyn PoolPolicy> = match policy {
            Some(p) => Box::new(PyPolicy::new(py, p)?),
            None => Box::new(sv2::mining::pool::OpenPolicy),
        };
        let engine = PoolEngine::new(cfg, policy).map_err(|e| engine_error(py, e))?;
        Ok(Self {
            inner: Mutex::new(engine),
        })
    }

    /// A client connection finished SetupConnection (Mining) with `setup_flags`; returns
    /// the SetupConnection.Success flags. Raises ProtocolError (SETUP_REJECTED, with
    /// `.flags`) for flags the pool refuses.
    fn connection_opened(&self, py: Python<'_>, conn: u64, setup_flags: u32) -> PyResult<u32> {
        self.get(py)?
            .connection_opened(conn, setup_flags)
            .map_err(|e| engine_error(py, e))
    }

    /// The connection ended: its channels close (events carry their final statistics).
    #[pyo3(signature = (conn, now_ms = None))]
    fn connection_closed(&self, py: Python<'_>, conn: u64, now_ms: Option<u64>) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.get(py)?.connection_closed(conn, now);
        Ok(())
    }

    /// A Mining message from `conn`.
    #[pyo3(signature = (conn, message, now_ms = None))]
    fn handle_message(
        &self,
        py: Python<'_>,
        conn: u64,
        message: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let m = PyMessage::extract(message)?;
        let now = self::now_ms(py, now_ms)?;
        self.get(py)?
            .handle_message(conn, m, now)
            .map_err(|e| engine_error(py, e))
    }

    /// Several Mining messages from `conn`, in order (one call for a batch).
    #[pyo3(signature = (conn, messages, now_ms = None))]
    fn handle_messages(
        &self,
        py: Python<'_>,
        conn: u64,
        messages: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        let mut engine = self.get(py)?;
        for m in messages.try_iter()? {
            let m = PyMessage::extract(&m?)?;
            engine
                .handle_message(conn, m, now)
                .map_err(|e| engine_error(py, e))?;
        }
        Ok(())
    }

    /// Drains `session`'s events: Mining messages go straight into the engine for `conn`
    /// (no Python objects); a Mining `SetupComplete` registers `conn` with the engine
    /// (`connection_opened` with the client's flags); every event but the Mining messages
    /// (`SetupComplete`, `Closed`, other messages, `RawFrame`) is returned. Raises UsageError (UNEXPECTED_MESSAGE) for a message a
    /// client may not send to a pool, after which the connection should be closed.
    #[pyo3(signature = (conn, session, now_ms = None))]
    fn receive(
        &self,
        py: Python<'_>,
        conn: u64,
        session: &PySession,
        now_ms: Option<u64>,
    ) -> PyResult<Vec<PyObject>> {
        let now = self::now_ms(py, now_ms)?;
        let mut engine = self.get(py)?;
        let mut session = session.get();
        let mut others = Vec::new();
        while let Some(event) = session.next_event() {
            match event {
                Event::Message(m) if m.kind().protocol() == sv2::messages::Protocol::Mining => {
                    engine
                        .handle_message(conn, m, now)
                        .map_err(|e| engine_error(py, e))?;
                }
                Event::SetupComplete {
                    protocol: sv2::messages::Protocol::Mining,
                    requested_flags,
                    ..
                } => {
                    match engine.connection_opened(conn, requested_flags) {
                        Ok(_) | Err(EngineError::ConnectionExists(_)) => {}
                        Err(e) => return Err(engine_error(py, e)),
                    }
                    others.push(event_to_py(py, event)?);
                }
                other => others.push(event_to_py(py, other)?),
            }
        }
        Ok(others)
    }

    /// Queues every outgoing engine message on its connection's session (`sessions` maps
    /// connection ids to sessions); returns the ids whose sessions now have bytes to send.
    /// Messages for connections not in `sessions` are dropped.
    fn send_outgoing(&self, py: Python<'_>, sessions: &Bound<'_, PyDict>) -> PyResult<Vec<u64>> {
        let mut engine = self.get(py)?;
        let mut touched: Vec<u64> = Vec::new();
        let mut cached: Option<(u64, Bound<'_, PySession>)> = None;
        while let Some((conn, message)) = engine.next_outgoing() {
            let session = match &cached {
                Some((c, s)) if *c == conn => s.clone(),
                _ => match sessions.get_item(conn)? {
                    Some(s) => {
                        let s = s.downcast_into::<PySession>()?;
                        cached = Some((conn, s.clone()));
                        s
                    }
                    None => continue,
                },
            };
            // A closed session drops what is addressed to it.
            let _ = session.borrow().get().send(&message, 0);
            if !touched.contains(&conn) {
                touched.push(conn);
            }
        }
        Ok(touched)
    }

    /// The next `(conn, message)` to send, or None.
    fn next_outgoing(&self, py: Python<'_>) -> PyResult<Option<(u64, PyObject)>> {
        let m = self.get(py)?.next_outgoing();
        m.map(|(c, m)| Ok((c, crate::messages_generated::wrap(py, m)?)))
            .transpose()
    }

    /// Every `(conn, message)` to send, in order.
    fn drain_outgoing(&self, py: Python<'_>) -> PyResult<Vec<(u64, PyObject)>> {
        let mut out = Vec::new();
        self.get(py)?.drain_outgoing(&mut out);
        out.into_iter()
            .map(|(c, m)| Ok((c, crate::messages_generated::wrap(py, m)?)))
            .collect()
    }

    /// The next event, or None.
    fn next_event(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let e = self.get(py)?.next_event();
        e.map(|e| pool_event_to_py(py, e)).transpose()
    }

    /// Every pending event.
    fn events(&self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        let mut engine = self.get(py)?;
        let mut out = Vec::new();
        while let Some(e) = engine.next_event() {
            out.push(pool_event_to_py(py, e)?);
        }
        Ok(out)
    }

    /// A template from the template provider; returns the job id it became.
    #[pyo3(signature = (template, now_ms = None))]
    fn new_template(
        &self,
        py: Python<'_>,
        template: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<u32> {
        let Message::NewTemplate(t) = PyMessage::extract(template)? else {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "expected a NewTemplate",
            ));
        };
        let now = self::now_ms(py, now_ms)?;
        self.get(py)?
            .new_template(*t, now)
            .map_err(|e| engine_error(py, e))
    }

    /// A new chain tip from the template provider (Template Distribution SetNewPrevHash).
    #[pyo3(signature = (prev_hash, now_ms = None))]
    fn set_prev_hash(
        &self,
        py: Python<'_>,
        prev_hash: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let Message::TdpSetNewPrevHash(p) = PyMessage::extract(prev_hash)? else {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "expected a TdpSetNewPrevHash",
            ));
        };
        let now = self::now_ms(py, now_ms)?;
        self.get(py)?
            .set_prev_hash(*p, now)
            .map_err(|e| engine_error(py, e))
    }

    /// Sets a channel's target (clamped to the pool's and the client's bounds); returns it.
    #[pyo3(signature = (conn, channel_id, target, now_ms = None))]
    fn set_target<'py>(
        &self,
        py: Python<'py>,
        conn: u64,
        channel_id: u32,
        target: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let t = conv::u256_in(target)?;
        let now = self::now_ms(py, now_ms)?;
        let t = self
            .get(py)?
            .set_target(conn, channel_id, t, now)
            .map_err(|e| engine_error(py, e))?;
        Ok(PyBytes::new(py, &t.0))
    }

    /// Gives a channel a fresh extranonce prefix; returns it.
    fn set_extranonce_prefix<'py>(
        &self,
        py: Python<'py>,
        conn: u64,
        channel_id: u32,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let p = self
            .get(py)?
            .set_extranonce_prefix(conn, channel_id)
            .map_err(|e| engine_error(py, e))?;
        Ok(PyBytes::new(py, &p))
    }

    /// Sends Reconnect to a connection.
    #[pyo3(signature = (conn, new_host = "", new_port = 0))]
    fn reconnect(&self, py: Python<'_>, conn: u64, new_host: &str, new_port: u16) -> PyResult<()> {
        self.get(py)?
            .reconnect(conn, new_host, new_port)
            .map_err(|e| engine_error(py, e))
    }

    /// Closes a channel (CloseChannel is queued).
    #[pyo3(signature = (conn, channel_id, reason_code = "", now_ms = None))]
    fn close_channel(
        &self,
        py: Python<'_>,
        conn: u64,
        channel_id: u32,
        reason_code: &str,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.get(py)?
            .close_channel(conn, channel_id, reason_code, now)
            .map_err(|e| engine_error(py, e))
    }

    /// When (monotonic ms) `handle_timeout` must be called next, if ever.
    fn poll_timeout(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        Ok(self.get(py)?.poll_timeout())
    }

    /// Fires due timers (acknowledgement batches, vardiff).
    #[pyo3(signature = (now_ms = None))]
    fn handle_timeout(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.get(py)?.handle_timeout(now);
        Ok(())
    }

    /// Accounting for one channel.
    #[pyo3(signature = (conn, channel_id, now_ms = None))]
    fn channel_stats(
        &self,
        py: Python<'_>,
        conn: u64,
        channel_id: u32,
        now_ms: Option<u64>,
    ) -> PyResult<Option<PyChannelStats>> {
        let now = self::now_ms(py, now_ms)?;
        let s = self.get(py)?.channel_stats(conn, channel_id, now);
        s.map(|s| stats(py, &s)).transpose()
    }

    /// Every channel's accounting and the pool totals.
    #[pyo3(signature = (now_ms = None))]
    fn snapshot(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<PyPoolSnapshot> {
        let now = self::now_ms(py, now_ms)?;
        let s = self.get(py)?.snapshot(now);
        snapshot(py, &s)
    }

    /// Open channels.
    #[getter]
    fn channel_count(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.get(py)?.channel_count())
    }

    /// The channel ids of a connection.
    fn channels_of(&self, py: Python<'_>, conn: u64) -> PyResult<Vec<u32>> {
        Ok(self.get(py)?.channels_of(conn))
    }

    /// The group channel of a connection's standard channels.
    fn group_of(&self, py: Python<'_>, conn: u64) -> PyResult<Option<u32>> {
        Ok(self.get(py)?.group_of(conn))
    }
}

/// A made-up template provider for demos and tests: invented prevhashes and transactions,
/// valid BIP34 heights and merkle paths; deterministic from `seed`. Its network target is
/// `nbits` if given, else (through `PoolServer.next_synthetic_block`) the pool's
/// `block_difficulty_factor` times harder than the share target; `next_block` alone uses
/// regtest difficulty.
#[pyclass(module = "sv2._sv2", name = "SyntheticTemplateSource")]
pub struct PySyntheticTemplateSource {
    inner: Mutex<SyntheticTemplateSource>,
}

impl PySyntheticTemplateSource {
    pub(crate) fn get(&self) -> MutexGuard<'_, SyntheticTemplateSource> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PySyntheticTemplateSource {
    #[new]
    #[pyo3(signature = (seed = 0, height = 1, *, transactions = 0, witness_commitment = false, nbits = None))]
    fn new(
        seed: u64,
        height: u32,
        transactions: usize,
        witness_commitment: bool,
        nbits: Option<u32>,
    ) -> Self {
        let mut source = SyntheticTemplateSource::new(seed, height)
            .with_transactions(transactions)
            .with_witness_commitment(witness_commitment);
        if let Some(nbits) = nbits {
            source = source.with_nbits(nbits);
        }
        Self {
            inner: Mutex::new(source),
        }
    }

    /// A future template for the next block and the SetNewPrevHash that activates it.
    fn next_block(&self, py: Python<'_>, header_timestamp: u32) -> PyResult<(PyObject, PyObject)> {
        let (t, p) = self.get().next_block(header_timestamp);
        Ok((
            crate::messages_generated::wrap(py, Message::from(t))?,
            crate::messages_generated::wrap(py, Message::from(p))?,
        ))
    }

    /// Another (non-future) template for the current block.
    fn update(&self, py: Python<'_>) -> PyResult<PyObject> {
        let t = self.get().update();
        crate::messages_generated::wrap(py, Message::from(t))
    }

    /// A block was found: the next `next_block` builds on `block_hash`.
    fn advance(&self, block_hash: &Bound<'_, PyAny>) -> PyResult<()> {
        let h = conv::u256_in(block_hash)?;
        self.get().advance(h);
        Ok(())
    }

    /// Height of the block the current templates build.
    #[getter]
    fn height(&self) -> u32 {
        self.get().height()
    }

    /// The prevhash the current templates build on.
    #[getter]
    fn prev_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.get().prev_hash().0)
    }
}

/// Adds the pool engine classes.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyPoolEngine>()?;
    module.add_class::<PySyntheticTemplateSource>()?;
    module.add_class::<PyChannelStats>()?;
    module.add_class::<PyPoolSnapshot>()?;
    module.add_class::<PoolChannelOpened>()?;
    module.add_class::<PoolChannelClosed>()?;
    module.add_class::<PoolShareAccepted>()?;
    module.add_class::<PoolShareRejected>()?;
    module.add_class::<BlockFound>()?;
    module.add_class::<PoolTargetChanged>()?;
    module.add("REGTEST_NBITS", REGTEST_NBITS)?;
    module.add(
        "DEFAULT_BLOCK_DIFFICULTY_FACTOR",
        DEFAULT_BLOCK_DIFFICULTY_FACTOR,
    )?;
    Ok(())
}
