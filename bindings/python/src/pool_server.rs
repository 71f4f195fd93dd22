//! `PoolServer`: the composed pool (one session per connection plus the engine, the core's
//! `PoolServer`), so a Python pool holds one object as a C (`sv2_pool`) or Node
//! (`PoolServer`) pool does. Still sans I/O: `sv2.aio.serve_pool` does the sockets.

use crate::errors::{error, PyResultExt, ResultCode};
use crate::events::now_ms;
use crate::messages::PyMessage;
use crate::pool::{engine_error, pool_event_to_py, stats, PyPoolEngine, PySyntheticTemplateSource};
use crate::session::{closed_event, PyServerConfig};
use crate::{conv, event_class};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use pyo3::IntoPyObjectExt;
use std::sync::{Mutex, MutexGuard};
use sv2::messages::Message;
use sv2::mining::pool_server::{PoolServer, PoolServerEvent};

event_class!(
    /// A connection completed SetupConnection; `setup` is the client's SetupConnection.
    PoolConnected, "PoolConnected" {
        conn: u64, setup: PyObject,
    }
);
event_class!(
    /// The engine refused a message or action of this connection (logged, not fatal).
    /// `code` is the result code, `detail` what was wrong.
    PoolEngineError, "PoolEngineError" {
        conn: u64, code: u32, detail: String,
    }
);
event_class!(
    /// A connection ended: send what `data_to_send(conn)` still holds, close the socket, then
    /// call `remove(conn)`. `reason`, `code` and `detail` as in `Closed`.
    PoolConnectionClosed, "PoolConnectionClosed" {
        conn: u64, reason: String, code: u32, detail: String,
    }
);

fn server_event_to_py(py: Python<'_>, e: PoolServerEvent) -> PyResult<PyObject> {
    match e {
        PoolServerEvent::Connected { conn, setup } => PoolConnected {
            conn,
            setup: crate::messages_generated::wrap(py, Message::SetupConnection(setup))?,
        }
        .into_py_any(py),
        PoolServerEvent::Engine(e) => pool_event_to_py(py, e),
        PoolServerEvent::EngineError { conn, error } => {
            let err = engine_error(py, error);
            let code = err
                .value(py)
                .getattr("code")
                .and_then(|c| c.extract())
                .unwrap_or(ResultCode::INVALID_ARG as u32);
            PoolEngineError {
                conn,
                code,
                detail: err.value(py).to_string(),
            }
            .into_py_any(py)
        }
        PoolServerEvent::Closed { conn, reason } => {
            let closed = closed_event(reason);
            PoolConnectionClosed {
                conn,
                reason: closed.reason,
                code: closed.code,
                detail: closed.detail,
            }
            .into_py_any(py)
        }
    }
}

/// Sessions plus the pool engine, sans I/O. On accept: `conn = pool.accept()`; on bytes:
/// `pool.receive_data(conn, data)`; at `poll_timeout()`: `handle_timeout()`; then drain
/// `events()` and write `data_to_send(conn)` for every conn in `writable_connections()`. On a
/// `PoolConnectionClosed` event write what is left, close the socket and call `remove(conn)`.
/// Keyword options are those of `PoolEngine` (and `policy` its policy).
#[pyclass(module = "sv2._sv2", name = "PoolServer")]
pub struct PyPoolServer {
    inner: Mutex<PoolServer>,
}

impl PyPoolServer {
    fn get(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, PoolServer>> {
        match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(std::sync::TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => Err(error(
                py,
                ResultCode::WRONG_STATE,
                "the pool server is busy: policy hooks must not call back into it",
            )),
        }
    }
}

#[pymethods]
impl PyPoolServer {
    #[new]
    #[pyo3(signature = (config, policy = None, **options))]
    fn new(
        py: Python<'_>,
        config: &PyServerConfig,
        policy: Option<Py<PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        // The engine's keyword options are parsed and checked by `PoolEngine` itself, so both
        // classes take exactly the same ones.
        let engine = py
            .get_type::<PyPoolEngine>()
            .call((policy,), options)?
            .downcast_into::<PyPoolEngine>()?;
        let engine = engine.borrow().take_engine(py)?;
        Ok(Self {
            inner: Mutex::new(PoolServer::with_engine(config.config.clone(), engine)),
        })
    }

    /// A new downstream connection (socket accepted); returns its id.
    #[pyo3(signature = (now_ms = None))]
    fn accept(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<u64> {
        let now = self::now_ms(py, now_ms)?;
        self.get(py)?.accept(now).py(py)
    }

    /// Bytes received on `conn`. Raises on a protocol, Noise or framing error (the session is
    /// then closed and a `PoolConnectionClosed` event follows).
    #[pyo3(signature = (conn, data, now_ms = None))]
    fn receive_data(
        &self,
        py: Python<'_>,
        conn: u64,
        data: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        let data = conv::bytes_in(data)?;
        self.get(py)?.receive_data(conn, &data, now).py(py)
    }

    /// `conn`'s socket reached end of file.
    fn peer_closed(&self, py: Python<'_>, conn: u64) -> PyResult<()> {
        self.get(py)?.peer_closed(conn);
        Ok(())
    }

    /// Closes `conn` from the pool's side.
    fn close(&self, py: Python<'_>, conn: u64) -> PyResult<()> {
        self.get(py)?.close(conn);
        Ok(())
    }

    /// Forgets a closed connection (after its `PoolConnectionClosed` and last bytes).
    fn remove(&self, py: Python<'_>, conn: u64) -> PyResult<()> {
        self.get(py)?.remove(conn);
        Ok(())
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

    /// A new chain tip (Template Distribution SetNewPrevHash).
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

    /// The next block from a synthetic source, given to the pool. Unless the source has a
    /// fixed `nbits`, its network target is `block_difficulty_factor` times harder than the
    /// hardest share target, so blocks stay rare next to shares. `header_timestamp` defaults
    /// to the current unix time.
    #[pyo3(signature = (source, header_timestamp = None, now_ms = None))]
    fn next_synthetic_block(
        &self,
        py: Python<'_>,
        source: &PySyntheticTemplateSource,
        header_timestamp: Option<u32>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        let unix = header_timestamp
            .unwrap_or_else(|| u32::try_from(crate::keys::unix_now()).unwrap_or(u32::MAX));
        let mut source = source.get();
        self.get(py)?
            .next_synthetic_block(&mut source, unix, now)
            .map_err(|e| engine_error(py, e))
    }

    /// The next event (`PoolConnected`, the engine's `Pool*`/`BlockFound` events,
    /// `PoolEngineError`, `PoolConnectionClosed`), or None.
    fn next_event(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let e = self.get(py)?.next_event();
        e.map(|e| server_event_to_py(py, e)).transpose()
    }

    /// Every pending event.
    fn events(&self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        let mut pool = self.get(py)?;
        let mut out = Vec::new();
        while let Some(e) = pool.next_event() {
            out.push(server_event_to_py(py, e)?);
        }
        Ok(out)
    }

    /// Every pending byte for `conn`'s socket (empty for an unknown connection).
    fn data_to_send<'py>(&self, py: Python<'py>, conn: u64) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        self.get(py)?.take_data_to_send(conn, &mut out);
        Ok(PyBytes::new(py, &out))
    }

    /// Connections with bytes to send.
    fn writable_connections(&self, py: Python<'_>) -> PyResult<Vec<u64>> {
        Ok(self.get(py)?.writable_connections())
    }

    /// When (monotonic ms) `handle_timeout` must be called next, if ever.
    fn poll_timeout(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        Ok(self.get(py)?.poll_timeout())
    }

    /// Fires due timers (session timeouts, vardiff, acknowledgement batches).
    #[pyo3(signature = (now_ms = None))]
    fn handle_timeout(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.get(py)?.handle_timeout(now);
        Ok(())
    }

    /// Every channel's accounting and the pool totals.
    #[pyo3(signature = (now_ms = None))]
    fn snapshot(
        &self,
        py: Python<'_>,
        now_ms: Option<u64>,
    ) -> PyResult<crate::pool::PyPoolSnapshot> {
        let now = self::now_ms(py, now_ms)?;
        let s = self.get(py)?.engine().snapshot(now);
        crate::pool::snapshot(py, &s)
    }

    /// Accounting for one channel.
    #[pyo3(signature = (conn, channel_id, now_ms = None))]
    fn channel_stats(
        &self,
        py: Python<'_>,
        conn: u64,
        channel_id: u32,
        now_ms: Option<u64>,
    ) -> PyResult<Option<crate::pool::PyChannelStats>> {
        let now = self::now_ms(py, now_ms)?;
        let s = self.get(py)?.engine().channel_stats(conn, channel_id, now);
        s.map(|s| stats(py, &s)).transpose()
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
            .engine_mut()
            .set_target(conn, channel_id, t, now)
            .map_err(|e| engine_error(py, e))?;
        Ok(PyBytes::new(py, &t.0))
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
            .engine_mut()
            .close_channel(conn, channel_id, reason_code, now)
            .map_err(|e| engine_error(py, e))
    }

    /// Sends Reconnect to a connection (empty host / port 0: the same).
    #[pyo3(signature = (conn, new_host = "", new_port = 0))]
    fn reconnect(&self, py: Python<'_>, conn: u64, new_host: &str, new_port: u16) -> PyResult<()> {
        self.get(py)?
            .engine_mut()
            .reconnect(conn, new_host, new_port)
            .map_err(|e| engine_error(py, e))
    }

    /// Open connections (accepted, not yet removed).
    #[getter]
    fn connection_count(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.get(py)?.connection_count())
    }

    /// Open channels.
    #[getter]
    fn channel_count(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.get(py)?.engine().channel_count())
    }
}

/// Adds the pool server classes.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyPoolServer>()?;
    module.add_class::<PoolConnected>()?;
    module.add_class::<PoolEngineError>()?;
    module.add_class::<PoolConnectionClosed>()?;
    Ok(())
}
