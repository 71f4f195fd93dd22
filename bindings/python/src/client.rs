//! The mining client (downstream side of the Mining Protocol), its `Work` objects and the
//! target/difficulty/hash-rate helpers.

use crate::errors::{error, PyResultExt, ResultCode};
use crate::events::now_ms;
use crate::messages::PyMessage;
use crate::{conv, event_class};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3::IntoPyObjectExt;
use std::sync::Mutex;
use sv2::codec::{B032, U256};
use sv2::mining::client::{
    ChannelInfo, ClientConfig, ClientError, ClientEvent, CloseReason, MiningClient, OpenFailure,
    SubmitError, SubmitReceipt, UsageError, Work, WorkError,
};

fn bytes(py: Python<'_>, b: &[u8]) -> Py<PyBytes> {
    PyBytes::new(py, b).unbind()
}

fn usage(py: Python<'_>, e: UsageError) -> PyErr {
    error(py, usage_code(&e), e.to_string())
}

fn submit_error(py: Python<'_>, e: SubmitError) -> PyErr {
    // The same numbers as the C API's `From<SubmitError>`.
    let code = match e {
        SubmitError::UnknownChannel(_) => ResultCode::UNKNOWN_CHANNEL,
        SubmitError::WrongChannelKind(_) => ResultCode::WRONG_CHANNEL_KIND,
        SubmitError::UnknownJob(_) => ResultCode::UNKNOWN_JOB,
        SubmitError::FutureJob(_) => ResultCode::FUTURE_JOB,
        SubmitError::StaleJob(_) => ResultCode::STALE_JOB,
        SubmitError::VersionNotAllowed { .. } => ResultCode::VERSION_NOT_ALLOWED,
        SubmitError::NtimeOutOfRange { .. } => ResultCode::NTIME_OUT_OF_RANGE,
        SubmitError::ExtranonceLength { .. } => ResultCode::EXTRANONCE_LENGTH,
        SubmitError::BelowTarget { .. } => ResultCode::BELOW_TARGET,
        SubmitError::Duplicate => ResultCode::DUPLICATE_SHARE,
        #[allow(unreachable_patterns)]
        _ => ResultCode::SHARE_REFUSED,
    };
    error(py, code, e.to_string())
}

fn work_error(py: Python<'_>, e: WorkError) -> PyErr {
    let code = match e {
        WorkError::NotExtended => ResultCode::WRONG_STATE,
        WorkError::BufferTooSmall { .. } => ResultCode::BUFFER_TOO_SMALL,
        _ => ResultCode::INVALID_ARG,
    };
    error(py, code, e.to_string())
}

/// A unit of work for a mining device: an active job of one channel. Roll the nonce, nTime
/// (up to `max_ntime(now_ms)`) and, where `version_mask` allows, the version bits, and submit
/// what meets `target` with `MiningClient.submit_standard`/`submit_extended`.
#[pyclass(frozen, eq, module = "sv2._sv2", name = "Work")]
#[derive(Clone, PartialEq)]
pub struct PyWork(pub Work);

#[pymethods]
impl PyWork {
    /// The channel.
    #[getter]
    fn channel_id(&self) -> u32 {
        self.0.channel_id
    }
    /// The job id to put into shares.
    #[getter]
    fn job_id(&self) -> u32 {
        self.0.job_id
    }
    /// The 80-byte header template (nonce 0, nTime = min_ntime).
    #[getter]
    fn header<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.header.as_bytes())
    }
    /// The share target (32 bytes, little-endian).
    #[getter]
    fn target<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.target.0)
    }
    /// Version bits the miner may roll (0: none).
    #[getter]
    fn version_mask(&self) -> u32 {
        self.0.version_mask
    }
    /// Smallest nTime allowed.
    #[getter]
    fn min_ntime(&self) -> u32 {
        self.0.min_ntime
    }
    /// True when the work follows a new prevhash (abandon all earlier work).
    #[getter]
    fn clean(&self) -> bool {
        self.0.clean
    }
    /// The job's version.
    #[getter]
    fn version(&self) -> u32 {
        self.0.version()
    }
    /// nBits of the header.
    #[getter]
    fn nbits(&self) -> u32 {
        self.0.header.nbits()
    }
    /// The previous block hash (32 bytes, internal order).
    #[getter]
    fn prev_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.header.prev_hash().0)
    }
    /// True for extended-channel work (the miner chooses an extranonce).
    #[getter]
    fn is_extended(&self) -> bool {
        self.0.is_extended()
    }
    /// The channel's extranonce prefix (extended work; empty otherwise).
    #[getter]
    fn extranonce_prefix<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let prefix = self
            .0
            .extended
            .as_ref()
            .map(|e| e.extranonce_prefix.as_slice());
        PyBytes::new(py, prefix.unwrap_or(&[]))
    }
    /// Bytes of extranonce the miner supplies (0 for standard work).
    #[getter]
    fn extranonce_size(&self) -> u16 {
        self.0.extended.as_ref().map_or(0, |e| e.extranonce_size)
    }
    /// The 80-byte header with `nonce`, `ntime` and `version` in place (defaults: the
    /// template's).
    #[pyo3(signature = (nonce, ntime = None, version = None))]
    fn header_for<'py>(
        &self,
        py: Python<'py>,
        nonce: u32,
        ntime: Option<u32>,
        version: Option<u32>,
    ) -> Bound<'py, PyBytes> {
        let h = self.0.header_for(
            nonce,
            ntime.unwrap_or(self.0.min_ntime),
            version.unwrap_or(self.0.version()),
        );
        PyBytes::new(py, h.as_bytes())
    }
    /// SHA256d of that header (32 bytes, internal order).
    #[pyo3(signature = (nonce, ntime = None, version = None))]
    fn hash_for<'py>(
        &self,
        py: Python<'py>,
        nonce: u32,
        ntime: Option<u32>,
        version: Option<u32>,
    ) -> Bound<'py, PyBytes> {
        let h = self.0.hash_for(
            nonce,
            ntime.unwrap_or(self.0.min_ntime),
            version.unwrap_or(self.0.version()),
        );
        PyBytes::new(py, &h.0)
    }
    /// True if `hash` meets the share target.
    fn meets_target(&self, hash: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.0.meets_target(conv::u256_in(hash)?))
    }
    /// True if `hash` would also be a block.
    fn is_block(&self, hash: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.0.is_block(conv::u256_in(hash)?))
    }
    /// True if `version` only changes bits in `version_mask`.
    fn version_ok(&self, version: u32) -> bool {
        self.0.version_ok(version)
    }
    /// Largest nTime a share may carry at `now_ms`.
    #[pyo3(signature = (now_ms = None))]
    fn max_ntime(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<u32> {
        Ok(self.0.max_ntime(self::now_ms(py, now_ms)?))
    }
    /// SHA-256 midstate after the first 64 header bytes (32 bytes, big-endian words).
    fn midstate<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.midstate().to_be_bytes())
    }
    /// Up to 4 `(version, midstate)` pairs reachable by rolling the version bits (the job's
    /// own version first); fewer when rolling is not allowed.
    #[pyo3(signature = (count = 4))]
    fn rolled_midstates<'py>(
        &self,
        py: Python<'py>,
        count: usize,
    ) -> PyResult<Vec<(u32, Bound<'py, PyBytes>)>> {
        let pairs: Vec<(u32, [u8; 32])> = match count {
            1 => Some(vec![(self.0.version(), self.0.midstate().to_be_bytes())]),
            2 => self.0.rolled_midstates::<2>().map(|(v, m)| {
                v.iter()
                    .zip(m.iter())
                    .map(|(v, m)| (*v, m.to_be_bytes()))
                    .collect()
            }),
            4 => self.0.rolled_midstates::<4>().map(|(v, m)| {
                v.iter()
                    .zip(m.iter())
                    .map(|(v, m)| (*v, m.to_be_bytes()))
                    .collect()
            }),
            _ => {
                return Err(error(
                    py,
                    ResultCode::INVALID_ARG,
                    "count must be 1, 2 or 4",
                ))
            }
        }
        .unwrap_or_else(|| vec![(self.0.version(), self.0.midstate().to_be_bytes())]);
        Ok(pairs
            .into_iter()
            .map(|(v, m)| (v, PyBytes::new(py, &m)))
            .collect())
    }
    /// The merkle root for `extranonce` (extended work).
    fn merkle_root_for<'py>(
        &self,
        py: Python<'py>,
        extranonce: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let root = self
            .0
            .merkle_root_for(&conv::bytes_in(extranonce)?)
            .map_err(|e| work_error(py, e))?;
        Ok(PyBytes::new(py, &root.0))
    }
    /// A copy whose header template commits to `extranonce` (extended work).
    fn with_extranonce(&self, py: Python<'_>, extranonce: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut w = self.0.clone();
        w.set_extranonce(&conv::bytes_in(extranonce)?)
            .map_err(|e| work_error(py, e))?;
        Ok(Self(w))
    }
    /// The coinbase transaction for `extranonce` (extended work).
    fn coinbase<'py>(
        &self,
        py: Python<'py>,
        extranonce: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let cb = self
            .0
            .coinbase(&conv::bytes_in(extranonce)?)
            .map_err(|e| work_error(py, e))?;
        Ok(PyBytes::new(py, &cb))
    }
    /// Hashes nonces `start .. start + count` at `ntime`/`version` (defaults: the template's)
    /// and returns the first `(nonce, hash)` meeting the target, or None. Runs without the GIL
    /// (a CPU miner for tests and test rigs), so other threads run meanwhile; from asyncio,
    /// keep the event loop free with `await asyncio.to_thread(work.scan, start, count)`.
    #[pyo3(signature = (start = 0, count = 1 << 20, ntime = None, version = None))]
    fn scan<'py>(
        &self,
        py: Python<'py>,
        start: u32,
        count: u32,
        ntime: Option<u32>,
        version: Option<u32>,
    ) -> Option<(u32, Bound<'py, PyBytes>)> {
        let ntime = ntime.unwrap_or(self.0.min_ntime);
        let version = version.unwrap_or(self.0.version());
        let work = &self.0;
        let found = py.allow_threads(|| {
            (0..count).find_map(|i| {
                let nonce = start.wrapping_add(i);
                let hash = work.hash_for(nonce, ntime, version);
                work.meets_target(hash).then_some((nonce, hash))
            })
        });
        found.map(|(n, h)| (n, PyBytes::new(py, &h.0)))
    }
    fn __repr__(&self) -> String {
        format!(
            "Work(channel_id={}, job_id={}, version={:#010x}, nbits={:#010x}, min_ntime={}, clean={}, extended={})",
            self.0.channel_id,
            self.0.job_id,
            self.0.version(),
            self.0.header.nbits(),
            self.0.min_ntime,
            if self.0.clean { "True" } else { "False" },
            if self.0.is_extended() { "True" } else { "False" }
        )
    }
}

event_class!(
    /// A share that passed the local checks and was queued for upstream.
    PySubmitReceipt, "SubmitReceipt" {
        channel_id: u32,
        sequence_number: u32,
        job_id: u32,
        /// The header hash (32 bytes, internal order).
        hash: Py<PyBytes>,
        /// True if it is also a block.
        is_block: bool,
    }
);

event_class!(
    /// A snapshot of one channel.
    PyChannelInfo, "ChannelInfo" {
        channel_id: u32,
        extended: bool,
        group_channel_id: Option<u32>,
        target: Py<PyBytes>,
        max_target: Py<PyBytes>,
        nominal_hash_rate: f32,
        extranonce_prefix: Py<PyBytes>,
        extranonce_size: u16,
        jobs: usize,
        pending_shares: usize,
        next_sequence_number: u32,
        /// Shares per second expected at the nominal hash rate and current target.
        expected_shares_per_second: f64,
    }
);

fn channel_info(py: Python<'_>, c: ChannelInfo) -> PyChannelInfo {
    PyChannelInfo {
        channel_id: c.channel_id,
        extended: c.extended,
        group_channel_id: c.group_channel_id,
        target: bytes(py, &c.target.0),
        max_target: bytes(py, &c.max_target.0),
        nominal_hash_rate: c.nominal_hash_rate,
        extranonce_prefix: bytes(py, c.extranonce_prefix.as_slice()),
        extranonce_size: c.extranonce_size,
        jobs: c.jobs,
        pending_shares: c.pending_shares,
        next_sequence_number: c.next_sequence_number,
        expected_shares_per_second: c.expected_shares_per_second(),
    }
}

event_class!(
    /// An Open*MiningChannel.Success arrived.
    ChannelOpened, "ChannelOpened" {
        request_id: u32,
        channel_id: u32,
        extended: bool,
        target: Py<PyBytes>,
        extranonce_prefix: Py<PyBytes>,
        extranonce_size: u16,
        group_channel_id: Option<u32>,
    }
);
event_class!(
    /// An open failed: `reason` is `"server"` (with `error_code`), `"invalid-grant"` (with
    /// `detail`) or `"connection-closed"`.
    ChannelOpenFailed, "ChannelOpenFailed" {
        request_id: u32,
        reason: String,
        error_code: Option<String>,
        detail: String,
    }
);
event_class!(
    /// A job became active: start hashing `work`.
    NewWork, "NewWork" { work: Py<PyWork> }
);
event_class!(
    /// Every job of the channel is stale; wait for new work.
    WorkInvalidated, "WorkInvalidated" { channel_id: u32 }
);
event_class!(
    /// SetTarget changed the channel's target.
    TargetChanged, "TargetChanged" { channel_id: u32, target: Py<PyBytes>, active_work_updated: bool }
);
event_class!(
    /// A share was accepted.
    ShareAccepted, "ShareAccepted" { channel_id: u32, sequence_number: u32, job_id: u32, latency_ms: u64 }
);
event_class!(
    /// A share was rejected.
    ShareRejected, "ShareRejected" {
        channel_id: u32, sequence_number: u32, job_id: u32, error_code: String, latency_ms: u64,
    }
);
event_class!(
    /// One SubmitShares.Success, after its ShareAccepted events.
    SharesAcknowledged, "SharesAcknowledged" {
        channel_id: u32, last_sequence_number: u32, new_submits_accepted_count: u32,
        new_shares_sum: u64, resolved: u32,
    }
);
event_class!(
    /// A pending share was given up (pending window full).
    ShareExpired, "ShareExpired" { channel_id: u32, sequence_number: u32, job_id: u32 }
);
event_class!(
    /// The channel is gone: `reason` is `"server"` (with `reason_code`), `"local"` or
    /// `"connection-closed"`.
    ChannelClosed, "ChannelClosed" {
        channel_id: u32, reason: String, reason_code: Option<String>, pending_dropped: usize,
    }
);
event_class!(
    /// SetExtranoncePrefix: jobs from now on use this prefix.
    ExtranoncePrefixChanged, "ExtranoncePrefixChanged" {
        channel_id: u32, extranonce_prefix: Py<PyBytes>, extranonce_size: u16,
    }
);
event_class!(
    /// SetGroupChannel moved a standard channel into a group.
    GroupChanged, "GroupChanged" { channel_id: u32, group_channel_id: u32 }
);
event_class!(
    /// UpdateChannel.Error.
    UpdateChannelFailed, "UpdateChannelFailed" { channel_id: u32, error_code: String }
);
event_class!(
    /// Reconnect: connect to the new endpoint (None = same host/port).
    ReconnectRequested, "ReconnectRequested" { host: Option<String>, port: Option<u16> }
);
event_class!(
    /// ChannelEndpointChanged.
    EndpointChanged, "EndpointChanged" { channel_id: u32 }
);
event_class!(
    /// SetCustomMiningJob.Success.
    CustomJobAccepted, "CustomJobAccepted" { channel_id: u32, request_id: u32, job_id: u32 }
);
event_class!(
    /// SetCustomMiningJob.Error.
    CustomJobRejected, "CustomJobRejected" { channel_id: u32, request_id: u32, error_code: String }
);
event_class!(
    /// The upstream broke a rule; the message was ignored or clamped.
    ClientProtocolError, "ClientProtocolError" {
        message: String, channel_id: Option<u32>, violation: String,
    }
);

fn b032(py: Python<'_>, b: &B032) -> Py<PyBytes> {
    bytes(py, b.as_slice())
}

fn u256(py: Python<'_>, v: &U256) -> Py<PyBytes> {
    bytes(py, &v.0)
}

/// A mining client event as a Python object.
pub fn client_event_to_py(py: Python<'_>, event: ClientEvent) -> PyResult<PyObject> {
    match event {
        ClientEvent::ChannelOpened {
            request_id,
            channel_id,
            extended,
            target,
            extranonce_prefix,
            extranonce_size,
            group_channel_id,
        } => ChannelOpened {
            request_id,
            channel_id,
            extended,
            target: u256(py, &target),
            extranonce_prefix: b032(py, &extranonce_prefix),
            extranonce_size,
            group_channel_id,
        }
        .into_py_any(py),
        ClientEvent::ChannelOpenFailed { request_id, reason } => {
            let (reason, error_code, detail) = match reason {
                OpenFailure::Server { error_code } => {
                    ("server", Some(error_code.clone()), error_code)
                }
                OpenFailure::InvalidGrant(v) => ("invalid-grant", None, format!("{v:?}")),
                OpenFailure::ConnectionClosed => {
                    ("connection-closed", None, "connection closed".into())
                }
                OpenFailure::TimedOut { .. } => ("timed-out", None, reason.describe(request_id)),
            };
            ChannelOpenFailed {
                request_id,
                reason: reason.into(),
                error_code,
                detail,
            }
            .into_py_any(py)
        }
        ClientEvent::NewWork(work) => NewWork {
            work: Py::new(py, PyWork(work))?,
        }
        .into_py_any(py),
        ClientEvent::WorkInvalidated { channel_id } => {
            WorkInvalidated { channel_id }.into_py_any(py)
        }
        ClientEvent::TargetChanged {
            channel_id,
            target,
            active_work_updated,
        } => TargetChanged {
            channel_id,
            target: u256(py, &target),
            active_work_updated,
        }
        .into_py_any(py),
        ClientEvent::ShareAccepted {
            channel_id,
            sequence_number,
            job_id,
            latency_ms,
        } => ShareAccepted {
            channel_id,
            sequence_number,
            job_id,
            latency_ms,
        }
        .into_py_any(py),
        ClientEvent::ShareRejected {
            channel_id,
            sequence_number,
            job_id,
            error_code,
            latency_ms,
        } => ShareRejected {
            channel_id,
            sequence_number,
            job_id,
            error_code,
            latency_ms,
        }
        .into_py_any(py),
        ClientEvent::SharesAcknowledged {
            channel_id,
            last_sequence_number,
            new_submits_accepted_count,
            new_shares_sum,
            resolved,
        } => SharesAcknowledged {
            channel_id,
            last_sequence_number,
            new_submits_accepted_count,
            new_shares_sum,
            resolved,
        }
        .into_py_any(py),
        ClientEvent::ShareExpired {
            channel_id,
            sequence_number,
            job_id,
        } => ShareExpired {
            channel_id,
            sequence_number,
            job_id,
        }
        .into_py_any(py),
        ClientEvent::ChannelClosed {
            channel_id,
            reason,
            pending_dropped,
        } => {
            let (reason, reason_code) = match reason {
                CloseReason::Server { reason_code } => ("server", Some(reason_code)),
                CloseReason::Local => ("local", None),
                CloseReason::ConnectionClosed => ("connection-closed", None),
            };
            ChannelClosed {
                channel_id,
                reason: reason.into(),
                reason_code,
                pending_dropped,
            }
            .into_py_any(py)
        }
        ClientEvent::ExtranoncePrefixChanged {
            channel_id,
            extranonce_prefix,
            extranonce_size,
        } => ExtranoncePrefixChanged {
            channel_id,
            extranonce_prefix: b032(py, &extranonce_prefix),
            extranonce_size,
        }
        .into_py_any(py),
        ClientEvent::GroupChanged {
            channel_id,
            group_channel_id,
        } => GroupChanged {
            channel_id,
            group_channel_id,
        }
        .into_py_any(py),
        ClientEvent::UpdateChannelFailed {
            channel_id,
            error_code,
        } => UpdateChannelFailed {
            channel_id,
            error_code,
        }
        .into_py_any(py),
        ClientEvent::Reconnect { host, port } => ReconnectRequested { host, port }.into_py_any(py),
        ClientEvent::EndpointChanged { channel_id } => {
            EndpointChanged { channel_id }.into_py_any(py)
        }
        ClientEvent::CustomJobAccepted {
            channel_id,
            request_id,
            job_id,
        } => CustomJobAccepted {
            channel_id,
            request_id,
            job_id,
        }
        .into_py_any(py),
        ClientEvent::CustomJobRejected {
            channel_id,
            request_id,
            error_code,
        } => CustomJobRejected {
            channel_id,
            request_id,
            error_code,
        }
        .into_py_any(py),
        ClientEvent::ProtocolError {
            message,
            channel_id,
            violation,
        } => ClientProtocolError {
            message: message.name().into(),
            channel_id,
            violation: format!("{violation:?}"),
        }
        .into_py_any(py),
        other => ClientProtocolError {
            message: String::new(),
            channel_id: None,
            violation: format!("unhandled event {other:?}"),
        }
        .into_py_any(py),
    }
}

fn receipt(py: Python<'_>, r: SubmitReceipt) -> PySubmitReceipt {
    PySubmitReceipt {
        channel_id: r.channel_id,
        sequence_number: r.sequence_number,
        job_id: r.job_id,
        hash: u256(py, &r.hash),
        is_block: r.is_block,
    }
}

/// The downstream side of the Mining Protocol, sans I/O: give it the server's Mining messages
/// (`handle_message`), send what `next_outgoing()`/`drain_outgoing()` returns through the
/// session, and act on `next_event()` (`NewWork`, share results, ...).
#[pyclass(module = "sv2._sv2", name = "MiningClient")]
pub struct PyMiningClient {
    inner: Mutex<MiningClient>,
}

impl PyMiningClient {
    fn get(&self) -> std::sync::MutexGuard<'_, MiningClient> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyMiningClient {
    #[new]
    #[pyo3(signature = (
        *, max_channels = 256, max_jobs_per_channel = 8, max_job_bytes_per_channel = 1 << 20,
        max_pending_shares = 1024, duplicate_window = 4096, max_pending_custom_jobs = 16,
        max_queued_events = 4096, ntime_slack_secs = 0, dialect = "spec",
        open_channel_timeout_ms = 30_000
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        max_channels: usize,
        max_jobs_per_channel: usize,
        max_job_bytes_per_channel: usize,
        max_pending_shares: usize,
        duplicate_window: usize,
        max_pending_custom_jobs: usize,
        max_queued_events: usize,
        ntime_slack_secs: u32,
        dialect: &str,
        open_channel_timeout_ms: u64,
    ) -> PyResult<Self> {
        let dialect = crate::messages::dialect(py, dialect)?;
        let mut client = MiningClient::new(ClientConfig {
            max_channels,
            max_jobs_per_channel,
            max_job_bytes_per_channel,
            max_pending_shares,
            duplicate_window,
            max_pending_custom_jobs,
            max_queued_events,
            ntime_slack_secs,
            open_channel_timeout_ms,
        });
        // The upstream's documented quirks are followed, not reported (SRI's first job to
        // channel 0, a group id equal to the channel id, ...).
        client.set_dialect(dialect);
        Ok(Self {
            inner: Mutex::new(client),
        })
    }

    /// Records the connection's flags: those sent in SetupConnection and those of
    /// SetupConnection.Success (see `SetupComplete`).
    fn set_connection_flags(&self, requested: u32, success_flags: u32) {
        self.get().set_connection_flags(requested, success_flags);
    }

    /// Queues OpenStandardMiningChannel; returns its request id.
    #[pyo3(signature = (user_identity, nominal_hash_rate, max_target = None))]
    fn open_standard_channel(
        &self,
        py: Python<'_>,
        user_identity: &str,
        nominal_hash_rate: f32,
        max_target: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u32> {
        let max_target = max_target.map(conv::u256_in).transpose()?;
        self.get()
            .open_standard_channel(
                user_identity,
                nominal_hash_rate,
                max_target.unwrap_or(U256::MAX),
            )
            .map_err(|e| usage(py, e))
    }

    /// Queues OpenExtendedMiningChannel; returns its request id.
    #[pyo3(signature = (user_identity, nominal_hash_rate, max_target = None, min_extranonce_size = 0))]
    fn open_extended_channel(
        &self,
        py: Python<'_>,
        user_identity: &str,
        nominal_hash_rate: f32,
        max_target: Option<&Bound<'_, PyAny>>,
        min_extranonce_size: u16,
    ) -> PyResult<u32> {
        let max_target = max_target.map(conv::u256_in).transpose()?;
        self.get()
            .open_extended_channel(
                user_identity,
                nominal_hash_rate,
                max_target.unwrap_or(U256::MAX),
                min_extranonce_size,
            )
            .map_err(|e| usage(py, e))
    }

    /// Queues UpdateChannel.
    #[pyo3(signature = (channel_id, nominal_hash_rate, maximum_target = None))]
    fn update_channel(
        &self,
        py: Python<'_>,
        channel_id: u32,
        nominal_hash_rate: f32,
        maximum_target: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let t = maximum_target.map(conv::u256_in).transpose()?;
        self.get()
            .update_channel(channel_id, nominal_hash_rate, t.unwrap_or(U256::MAX))
            .map_err(|e| usage(py, e))
    }

    /// Queues CloseChannel.
    #[pyo3(signature = (channel_id, reason_code = ""))]
    fn close_channel(&self, py: Python<'_>, channel_id: u32, reason_code: &str) -> PyResult<()> {
        self.get()
            .close_channel(channel_id, reason_code)
            .map_err(|e| usage(py, e))
    }

    /// Checks a share locally and queues SubmitSharesStandard. Raises UsageError
    /// (SHARE_REFUSED, UNKNOWN_CHANNEL) when the share would be refused; nothing is queued.
    #[pyo3(signature = (channel_id, job_id, nonce, ntime, version, now_ms = None))]
    #[allow(clippy::too_many_arguments)]
    fn submit_standard(
        &self,
        py: Python<'_>,
        channel_id: u32,
        job_id: u32,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: Option<u64>,
    ) -> PyResult<PySubmitReceipt> {
        let now = self::now_ms(py, now_ms)?;
        let r = self
            .get()
            .submit_standard(channel_id, job_id, nonce, ntime, version, now)
            .map_err(|e| submit_error(py, e))?;
        Ok(receipt(py, r))
    }

    /// As `submit_standard` for an extended channel, with the miner's extranonce.
    #[pyo3(signature = (channel_id, job_id, extranonce, nonce, ntime, version, now_ms = None))]
    #[allow(clippy::too_many_arguments)]
    fn submit_extended(
        &self,
        py: Python<'_>,
        channel_id: u32,
        job_id: u32,
        extranonce: &Bound<'_, PyAny>,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: Option<u64>,
    ) -> PyResult<PySubmitReceipt> {
        let now = self::now_ms(py, now_ms)?;
        let extranonce = conv::bytes_in(extranonce)?;
        let r = self
            .get()
            .submit_extended(channel_id, job_id, &extranonce, nonce, ntime, version, now)
            .map_err(|e| submit_error(py, e))?;
        Ok(receipt(py, r))
    }

    /// Feeds a Mining message from the server. Raises UsageError (UNEXPECTED_MESSAGE) for a
    /// message that is not the mining client's (route it elsewhere). A `RawFrame` (a message
    /// of an unknown extension) is ignored (R50), so `async for message in conn` can feed
    /// every item straight in.
    #[pyo3(signature = (message, now_ms = None))]
    fn handle_message(
        &self,
        py: Python<'_>,
        message: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        if message.is_instance_of::<crate::messages::PyRawFrame>() {
            return Ok(());
        }
        let m = PyMessage::extract(message)?;
        let now = self::now_ms(py, now_ms)?;
        self.get()
            .handle_message(m, now)
            .map_err(|e: ClientError| error(py, ResultCode::UNEXPECTED_MESSAGE, e.to_string()))
    }

    /// The connection ended: channels close, pending opens fail.
    fn connection_closed(&self) {
        self.get().connection_closed();
    }

    /// The next message to send upstream, or None.
    fn next_outgoing(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let m = self.get().next_outgoing();
        m.map(|m| crate::messages_generated::wrap(py, m))
            .transpose()
    }

    /// Every message to send upstream, in order.
    fn drain_outgoing(&self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        let mut client = self.get();
        let mut out = Vec::with_capacity(client.outgoing_len());
        while let Some(m) = client.next_outgoing() {
            out.push(crate::messages_generated::wrap(py, m)?);
        }
        Ok(out)
    }

    /// The next event, or None.
    fn next_event(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let e = self.get().next_event();
        e.map(|e| client_event_to_py(py, e)).transpose()
    }

    /// Every pending event.
    fn events(&self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        let mut client = self.get();
        let mut out = Vec::new();
        while let Some(e) = client.next_event() {
            out.push(client_event_to_py(py, e)?);
        }
        Ok(out)
    }

    /// Shares of a channel awaiting an answer.
    fn pending_shares(&self, channel_id: u32) -> usize {
        self.get().pending_shares(channel_id)
    }

    /// The channel's newest active work, if any.
    fn current_work(&self, channel_id: u32) -> Option<PyWork> {
        self.get().current_work(channel_id).map(PyWork)
    }

    /// A snapshot of one channel.
    fn channel(&self, py: Python<'_>, channel_id: u32) -> Option<PyChannelInfo> {
        let c = self.get().channel(channel_id);
        c.map(|c| channel_info(py, c))
    }

    /// Snapshots of every open channel.
    fn channels(&self, py: Python<'_>) -> Vec<PyChannelInfo> {
        let list = self.get().channels();
        list.into_iter().map(|c| channel_info(py, c)).collect()
    }

    /// Fires the open-channel timers: an open unanswered for `open_channel_timeout_ms` ends
    /// with `ChannelOpenFailed(reason="timed-out")`. Call it when `poll_timeout()` is due.
    #[pyo3(signature = (now_ms = None))]
    fn handle_timeout(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<()> {
        let now = crate::events::now_ms(py, now_ms)?;
        self.get().handle_timeout(now);
        Ok(())
    }
    /// When `handle_timeout` is due (0: now, to start a new open's timer), or None.
    fn poll_timeout(&self) -> Option<u64> {
        self.get().poll_timeout()
    }
    /// Open requests not answered yet.
    #[getter]
    fn pending_opens(&self) -> usize {
        self.get().pending_opens()
    }
}

// Target, difficulty and hash-rate helpers. Targets and hashes are 32 bytes, little-endian
// (as on the wire); `int.from_bytes(t, "little")` gives the number.

/// Difficulty of a target (difficulty 1 = the bdiff target).
#[pyfunction]
pub fn target_to_difficulty(target: &Bound<'_, PyAny>) -> PyResult<f64> {
    Ok(sv2::mining::target_to_difficulty(conv::u256_in(target)?))
}

/// The target for a difficulty.
#[pyfunction]
pub fn difficulty_to_target<'py>(
    py: Python<'py>,
    difficulty: f64,
) -> PyResult<Bound<'py, PyBytes>> {
    let t = sv2::mining::difficulty_to_target(difficulty).py(py)?;
    Ok(PyBytes::new(py, &t.0))
}

/// The difficulty a hash achieves.
#[pyfunction]
pub fn difficulty_of_hash(hash: &Bound<'_, PyAny>) -> PyResult<f64> {
    Ok(sv2::mining::difficulty_of_hash(conv::u256_in(hash)?))
}

/// The target that compact nBits encode.
#[pyfunction]
pub fn nbits_to_target<'py>(py: Python<'py>, nbits: u32) -> PyResult<Bound<'py, PyBytes>> {
    let t = sv2::mining::nbits_to_target(nbits).py(py)?;
    Ok(PyBytes::new(py, &t.0))
}

/// The compact nBits of a target.
#[pyfunction]
pub fn target_to_nbits(target: &Bound<'_, PyAny>) -> PyResult<u32> {
    Ok(sv2::mining::target_to_nbits(conv::u256_in(target)?))
}

/// True if `hash <= target`.
#[pyfunction]
pub fn hash_meets_target(hash: &Bound<'_, PyAny>, target: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(sv2::mining::hash_meets_target(
        conv::u256_in(hash)?,
        conv::u256_in(target)?,
    ))
}

/// Shares per second a hash rate produces at a target.
#[pyfunction]
pub fn expected_share_rate(
    py: Python<'_>,
    hashrate: f64,
    target: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    sv2::mining::expected_share_rate(hashrate, conv::u256_in(target)?).py(py)
}

/// The hash rate that produces `shares_per_second` at a target.
#[pyfunction]
pub fn hashrate_from_share_rate(
    py: Python<'_>,
    shares_per_second: f64,
    target: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    sv2::mining::hashrate_from_share_rate(shares_per_second, conv::u256_in(target)?).py(py)
}

/// The target at which `hashrate` produces `shares_per_second`.
#[pyfunction]
pub fn target_for_share_rate<'py>(
    py: Python<'py>,
    hashrate: f64,
    shares_per_second: f64,
) -> PyResult<Bound<'py, PyBytes>> {
    let t = sv2::mining::target_for_share_rate(hashrate, shares_per_second).py(py)?;
    Ok(PyBytes::new(py, &t.0))
}

/// SHA256(SHA256(data)) (32 bytes, internal order).
#[pyfunction]
pub fn double_sha256<'py>(
    py: Python<'py>,
    data: &Bound<'_, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(
        py,
        &sv2::mining::double_sha256(&conv::bytes_in(data)?).0,
    ))
}

/// Adds the mining client classes and the target helpers.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyMiningClient>()?;
    module.add_class::<PyWork>()?;
    module.add_class::<PySubmitReceipt>()?;
    module.add_class::<PyChannelInfo>()?;
    module.add_class::<ChannelOpened>()?;
    module.add_class::<ChannelOpenFailed>()?;
    module.add_class::<NewWork>()?;
    module.add_class::<WorkInvalidated>()?;
    module.add_class::<TargetChanged>()?;
    module.add_class::<ShareAccepted>()?;
    module.add_class::<ShareRejected>()?;
    module.add_class::<SharesAcknowledged>()?;
    module.add_class::<ShareExpired>()?;
    module.add_class::<ChannelClosed>()?;
    module.add_class::<ExtranoncePrefixChanged>()?;
    module.add_class::<GroupChanged>()?;
    module.add_class::<UpdateChannelFailed>()?;
    module.add_class::<ReconnectRequested>()?;
    module.add_class::<EndpointChanged>()?;
    module.add_class::<CustomJobAccepted>()?;
    module.add_class::<CustomJobRejected>()?;
    module.add_class::<ClientProtocolError>()?;
    module.add_function(wrap_pyfunction!(target_to_difficulty, module)?)?;
    module.add_function(wrap_pyfunction!(difficulty_to_target, module)?)?;
    module.add_function(wrap_pyfunction!(difficulty_of_hash, module)?)?;
    module.add_function(wrap_pyfunction!(nbits_to_target, module)?)?;
    module.add_function(wrap_pyfunction!(target_to_nbits, module)?)?;
    module.add_function(wrap_pyfunction!(hash_meets_target, module)?)?;
    module.add_function(wrap_pyfunction!(expected_share_rate, module)?)?;
    module.add_function(wrap_pyfunction!(hashrate_from_share_rate, module)?)?;
    module.add_function(wrap_pyfunction!(target_for_share_rate, module)?)?;
    module.add_function(wrap_pyfunction!(double_sha256, module)?)?;
    module.add("BIP320_VERSION_MASK", sv2::mining::BIP320_VERSION_MASK)?;
    register_miner(module)?;
    Ok(())
}

// The composed miner (session + mining client) ------------------------------------------------

use crate::session::{closed_event, PyClientConfig};
use sv2::mining::miner::{ChannelRequest, Miner, MinerConfig, MinerError, MinerEvent};

/// A channel a `Miner` opens after every successful setup (and re-opens after a reconnect):
/// standard unless `extended=True` (then `min_extranonce_size` is the smallest extranonce the
/// device accepts; it is ignored for a standard channel).
#[pyclass(frozen, eq, module = "sv2._sv2", name = "ChannelRequest")]
#[derive(Clone, PartialEq)]
pub struct PyChannelRequest(pub ChannelRequest);

#[pymethods]
impl PyChannelRequest {
    #[new]
    #[pyo3(signature = (user_identity, nominal_hash_rate = 0.0, max_target = None, *, extended = false, min_extranonce_size = 0))]
    fn new(
        user_identity: String,
        nominal_hash_rate: f32,
        max_target: Option<&Bound<'_, PyAny>>,
        extended: bool,
        min_extranonce_size: u16,
    ) -> PyResult<Self> {
        let max_target = max_target
            .map(conv::u256_in)
            .transpose()?
            .unwrap_or(U256::MAX);
        Ok(Self(if extended {
            ChannelRequest::Extended {
                user_identity,
                nominal_hash_rate,
                max_target,
                min_extranonce_size,
            }
        } else {
            ChannelRequest::Standard {
                user_identity,
                nominal_hash_rate,
                max_target,
            }
        }))
    }
    /// The user identity.
    #[getter]
    fn user_identity(&self) -> String {
        match &self.0 {
            ChannelRequest::Standard { user_identity, .. }
            | ChannelRequest::Extended { user_identity, .. } => user_identity.clone(),
        }
    }
    /// True for an extended channel.
    #[getter]
    fn extended(&self) -> bool {
        matches!(self.0, ChannelRequest::Extended { .. })
    }
    fn __repr__(&self) -> String {
        let target = |t: &U256| {
            if *t == U256::MAX {
                String::new()
            } else {
                format!(", max_target=bytes.fromhex('{}')", hex_of(&t.to_le_bytes()))
            }
        };
        match &self.0 {
            ChannelRequest::Standard {
                user_identity,
                nominal_hash_rate,
                max_target,
            } => format!(
                "ChannelRequest({user_identity:?}, {nominal_hash_rate:?}{})",
                target(max_target)
            ),
            ChannelRequest::Extended {
                user_identity,
                nominal_hash_rate,
                max_target,
                min_extranonce_size,
            } => format!(
                "ChannelRequest({user_identity:?}, {nominal_hash_rate:?}{}, extended=True, \
                 min_extranonce_size={min_extranonce_size})",
                target(max_target)
            ),
        }
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

event_class!(
    /// The miner's SetupConnection succeeded; its channels are being opened.
    MinerSetupComplete, "MinerSetupComplete" { success_flags: u32 }
);
event_class!(
    /// A configured channel could not be opened on this connection.
    ChannelRefused, "ChannelRefused" { user_identity: String, extended: bool, code: u32, detail: String }
);

fn miner_error(py: Python<'_>, e: MinerError) -> PyErr {
    match e {
        MinerError::Session(e) => crate::errors::ToPyErr::to_pyerr(&e, py),
        MinerError::Submit(e) => submit_error(py, e),
        MinerError::Usage(e) => usage(py, e),
    }
}

fn usage_code(e: &UsageError) -> ResultCode {
    match e {
        UsageError::TooManyChannels(_) | UsageError::TooManyPendingCustomJobs => {
            ResultCode::TOO_MANY_CHANNELS
        }
        UsageError::UnknownChannel(_) => ResultCode::UNKNOWN_CHANNEL,
        UsageError::ExtendedChannelsRequired
        | UsageError::NotExtended(_)
        | UsageError::WorkSelectionNotNegotiated => ResultCode::WRONG_STATE,
        _ => ResultCode::INVALID_ARG,
    }
}

fn miner_event_to_py(py: Python<'_>, e: MinerEvent) -> PyResult<PyObject> {
    match e {
        MinerEvent::HandshakeComplete { cipher } => crate::session::HandshakeComplete {
            cipher: match cipher {
                sv2::noise::Cipher::ChaChaPoly => "chachapoly",
                sv2::noise::Cipher::AesGcm => "aesgcm",
            }
            .into(),
            form: String::new(),
        }
        .into_py_any(py),
        MinerEvent::SetupComplete { success_flags } => {
            MinerSetupComplete { success_flags }.into_py_any(py)
        }
        MinerEvent::ChannelRefused { request, error } => ChannelRefused {
            user_identity: PyChannelRequest(request.clone()).user_identity(),
            extended: matches!(request, ChannelRequest::Extended { .. }),
            code: usage_code(&error) as u32,
            detail: error.to_string(),
        }
        .into_py_any(py),
        MinerEvent::Client(e) => client_event_to_py(py, e),
        MinerEvent::Closed(reason) => closed_event(reason).into_py_any(py),
    }
}

/// Session and mining client in one sans-I/O object (what firmware uses through the C API):
/// bytes and time in; work, share results and bytes to send out. It sets the connection
/// flags, opens the configured channels after setup, and after `reconnect()` (on a new
/// socket) runs a new handshake with the same authority key and re-opens them. A channel open
/// the server leaves unanswered for `open_channel_timeout_ms` (default 30 s, 0 = forever)
/// ends with `ChannelOpenFailed(reason="timed-out")`, whose `detail` names the request.
#[pyclass(module = "sv2._sv2", name = "Miner")]
pub struct PyMiner {
    inner: Mutex<Miner>,
    /// The config's wire tap hook.
    trace: Option<PyObject>,
}

impl PyMiner {
    fn get(&self) -> std::sync::MutexGuard<'_, Miner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Runs `f` on the miner, then gives the frames it traced to the hook.
    fn traced<R>(&self, py: Python<'_>, f: impl FnOnce(&mut Miner) -> R) -> R {
        let (result, lines) = {
            let mut miner = self.get();
            let result = f(&mut miner);
            let lines: Vec<String> = match &self.trace {
                Some(_) => std::iter::from_fn(|| miner.next_trace_json()).collect(),
                None => Vec::new(),
            };
            (result, lines)
        };
        if let Some(hook) = &self.trace {
            crate::session::call_trace_hook(py, hook, lines);
        }
        result
    }
}

#[pymethods]
impl PyMiner {
    #[new]
    #[pyo3(signature = (config, channels, now_ms = None, *, open_channel_timeout_ms = 30_000))]
    fn new(
        py: Python<'_>,
        config: &PyClientConfig,
        channels: Vec<PyChannelRequest>,
        now_ms: Option<u64>,
        open_channel_timeout_ms: u64,
    ) -> PyResult<Self> {
        let mut session = config.config.clone();
        if let sv2::session::ClientSecurity::Noise(noise) = &mut session.security {
            noise.now_unix = config.now_unix.unwrap_or_else(crate::keys::unix_now);
        }
        let cfg = MinerConfig {
            session,
            client: ClientConfig {
                open_channel_timeout_ms,
                ..ClientConfig::default()
            },
            channels: channels.into_iter().map(|c| c.0).collect(),
        };
        let now = self::now_ms(py, now_ms)?;
        let miner = Miner::new(cfg, now).py(py)?;
        let miner = Self {
            inner: Mutex::new(miner),
            trace: config.trace.as_ref().map(|h| h.clone_ref(py)),
        };
        miner.traced(py, |_| ());
        Ok(miner)
    }

    /// Bytes received from the socket.
    #[pyo3(signature = (data, now_ms = None))]
    fn receive_data(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        let data = conv::bytes_in(data)?;
        self.traced(py, |m| m.receive_data(&data, now)).py(py)
    }
    /// Fires expired timers.
    #[pyo3(signature = (now_ms = None))]
    fn handle_timeout(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.traced(py, |m| m.handle_timeout(now));
        Ok(())
    }
    /// When `handle_timeout` must be called next, if ever.
    fn poll_timeout(&self) -> Option<u64> {
        self.get().poll_timeout()
    }
    /// The socket reached end of file.
    fn peer_closed(&self) {
        self.get().peer_closed();
    }
    /// True when bytes are waiting to be sent.
    #[getter]
    fn wants_write(&self) -> bool {
        self.get().wants_write()
    }
    /// Every pending byte for the socket.
    fn data_to_send<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let mut out = Vec::new();
        self.get().take_data_to_send(&mut out);
        PyBytes::new(py, &out)
    }
    /// The next event (`HandshakeComplete`, `MinerSetupComplete`, `ChannelRefused`, the
    /// mining client's events, `Closed`), or None.
    fn next_event(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let e = self.traced(py, |m| m.next_event());
        e.map(|e| miner_event_to_py(py, e)).transpose()
    }
    /// Every pending event.
    fn events(&self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        let events = self.traced(py, |m| {
            std::iter::from_fn(|| m.next_event()).collect::<Vec<_>>()
        });
        events
            .into_iter()
            .map(|e| miner_event_to_py(py, e))
            .collect()
    }
    /// Opens another channel now (also re-opened after a reconnect); returns its request id.
    fn open_channel(&self, py: Python<'_>, request: PyChannelRequest) -> PyResult<u32> {
        self.get()
            .open_channel(request.0)
            .map_err(|e| miner_error(py, e))
    }
    /// Checks and submits a standard share.
    #[pyo3(signature = (channel_id, job_id, nonce, ntime, version, now_ms = None))]
    #[allow(clippy::too_many_arguments)]
    fn submit_standard(
        &self,
        py: Python<'_>,
        channel_id: u32,
        job_id: u32,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: Option<u64>,
    ) -> PyResult<PySubmitReceipt> {
        let now = self::now_ms(py, now_ms)?;
        let r = self
            .get()
            .submit_standard(channel_id, job_id, nonce, ntime, version, now)
            .map_err(|e| miner_error(py, e))?;
        Ok(receipt(py, r))
    }
    /// Checks and submits an extended share.
    #[pyo3(signature = (channel_id, job_id, extranonce, nonce, ntime, version, now_ms = None))]
    #[allow(clippy::too_many_arguments)]
    fn submit_extended(
        &self,
        py: Python<'_>,
        channel_id: u32,
        job_id: u32,
        extranonce: &Bound<'_, PyAny>,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: Option<u64>,
    ) -> PyResult<PySubmitReceipt> {
        let now = self::now_ms(py, now_ms)?;
        let extranonce = conv::bytes_in(extranonce)?;
        let r = self
            .get()
            .submit_extended(channel_id, job_id, &extranonce, nonce, ntime, version, now)
            .map_err(|e| miner_error(py, e))?;
        Ok(receipt(py, r))
    }
    /// After the connection closed and a new socket is open: a new session with the same
    /// authority key (its certificate checked at `now_unix`, default the current time);
    /// channels are re-opened after setup.
    #[pyo3(signature = (now_ms = None, now_unix = None))]
    fn reconnect(
        &self,
        py: Python<'_>,
        now_ms: Option<u64>,
        now_unix: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        let unix = now_unix.unwrap_or_else(crate::keys::unix_now);
        self.get().reconnect(now, unix).py(py)
    }
    /// The channel's newest active work, if any.
    fn current_work(&self, channel_id: u32) -> Option<PyWork> {
        self.get().client().current_work(channel_id).map(PyWork)
    }
    /// Snapshots of every open channel.
    fn channels(&self, py: Python<'_>) -> Vec<PyChannelInfo> {
        let list = self.get().client().channels();
        list.into_iter().map(|c| channel_info(py, c)).collect()
    }
    /// True once the session is set up and until it closes.
    #[getter]
    fn is_ready(&self) -> bool {
        self.get().session().is_ready()
    }
    /// True once the session has ended.
    #[getter]
    fn is_closed(&self) -> bool {
        self.get().session().is_closed()
    }
}

/// Adds the miner classes.
pub fn register_miner(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyMiner>()?;
    module.add_class::<PyChannelRequest>()?;
    module.add_class::<MinerSetupComplete>()?;
    module.add_class::<ChannelRefused>()?;
    Ok(())
}
