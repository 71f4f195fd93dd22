//! Template Distribution (spec §6): the `TemplateProvider` (server role over many
//! connections), the `TemplateClient` a pool runs towards it, `BlockTemplate` and
//! `TemplateTransaction` (what a template source hands the provider), and the
//! `SyntheticBlockSource` for demos and tests.
//!
//! Client events are the messages themselves (`NewTemplate`, `TdpSetNewPrevHash`,
//! `RequestTransactionDataSuccess`, `RequestTransactionDataError`) plus `TemplateClientReady`
//! and `Closed`, so a pool can hand them straight to `PoolEngine.new_template` /
//! `set_prev_hash`, or call `TemplateClient.feed_pool(event, pool)`.

use crate::errors::{error, PyResultExt, ResultCode};
use crate::events::now_ms;
use crate::keys::unix_now;
use crate::messages::PyMessage;
use crate::pool::PyPoolEngine;
use crate::session::{closed_event, Closed, PyClientConfig, PyServerConfig};
use crate::{conv, event_class};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3::IntoPyObjectExt;
use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};
use sv2::messages::{Message, Protocol};
use sv2::session::ClientSecurity;
use sv2::template::{
    BlockTemplate, ProviderConfig, ProviderError, ProviderEvent, SyntheticBlockSource,
    TemplateClient, TemplateClientConfig, TemplateClientEvent, TemplateError, TemplateProvider,
    TemplateTransaction, TemplateUpdate,
};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn bytes(py: Python<'_>, b: &[u8]) -> Py<PyBytes> {
    PyBytes::new(py, b).unbind()
}

/// The result code of a template error (as the C API's `From<TemplateError>`).
fn template_error_code(e: &TemplateError) -> ResultCode {
    match e {
        TemplateError::Transaction { .. } => ResultCode::INVALID_TRANSACTION,
        _ => ResultCode::INVALID_TEMPLATE,
    }
}

fn provider_error(py: Python<'_>, e: ProviderError) -> PyErr {
    match e {
        ProviderError::StaleTip => error(py, ResultCode::STALE_TIP, e.to_string()),
        ProviderError::Template(t) => error(py, template_error_code(&t), t.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Templates

/// One transaction of a block template: its serialization (with witnesses if it has any),
/// signature operation cost and fee. Raises `UsageError` (code `INVALID_TRANSACTION`) for
/// bytes that are not exactly one transaction.
#[pyclass(frozen, module = "sv2._sv2", name = "TemplateTransaction")]
pub struct PyTemplateTransaction(pub TemplateTransaction);

#[pymethods]
impl PyTemplateTransaction {
    #[new]
    #[pyo3(signature = (data, sigops = 0, fee = 0))]
    fn new(py: Python<'_>, data: &Bound<'_, PyAny>, sigops: u64, fee: u64) -> PyResult<Self> {
        TemplateTransaction::new(conv::bytes_in(data)?.into_owned(), sigops, fee)
            .map(Self)
            .map_err(|e| error(py, ResultCode::INVALID_TRANSACTION, e.to_string()))
    }
    /// The serialized transaction.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.data)
    }
    /// Its txid (internal byte order).
    #[getter]
    fn txid<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.txid.0)
    }
    /// Its weight (BIP141).
    #[getter]
    fn weight(&self) -> u64 {
        self.0.weight
    }
    /// Its signature operation cost.
    #[getter]
    fn sigops(&self) -> u64 {
        self.0.sigops
    }
    /// Its fee in satoshis.
    #[getter]
    fn fee(&self) -> u64 {
        self.0.fee
    }
    fn __repr__(&self) -> String {
        format!(
            "TemplateTransaction(txid={}, weight={}, fee={})",
            sv2::template::hex_be(self.0.txid),
            self.0.weight,
            self.0.fee
        )
    }
}

/// A block template as a template source (a Bitcoin node, the synthetic source) knows it.
/// Hashes and targets are 32 bytes in internal (header) byte order. Give it to
/// `TemplateProvider.set_template`, which copies it.
#[pyclass(module = "sv2._sv2", name = "BlockTemplate")]
pub struct PyBlockTemplate(pub Mutex<BlockTemplate>);

#[pymethods]
impl PyBlockTemplate {
    #[new]
    #[pyo3(signature = (
        *, version, prev_hash, nbits, target, header_timestamp, min_time, height,
        coinbase_value, segwit = true, transactions = Vec::new()
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        version: u32,
        prev_hash: &Bound<'_, PyAny>,
        nbits: u32,
        target: &Bound<'_, PyAny>,
        header_timestamp: u32,
        min_time: u32,
        height: u32,
        coinbase_value: u64,
        segwit: bool,
        transactions: Vec<PyRef<'_, PyTemplateTransaction>>,
    ) -> PyResult<Self> {
        Ok(Self(Mutex::new(BlockTemplate {
            version,
            prev_hash: conv::u256_in(prev_hash)?,
            nbits,
            target: conv::u256_in(target)?,
            header_timestamp,
            min_time,
            height,
            coinbase_value,
            segwit,
            transactions: transactions.iter().map(|t| t.0.clone()).collect(),
        })))
    }

    /// Appends a transaction (block order, after the coinbase).
    fn add_transaction(&self, transaction: PyRef<'_, PyTemplateTransaction>) {
        lock(&self.0).transactions.push(transaction.0.clone());
    }

    /// The header version.
    #[getter]
    fn version(&self) -> u32 {
        lock(&self.0).version
    }
    /// The previous block hash.
    #[getter]
    fn prev_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &lock(&self.0).prev_hash.0)
    }
    /// Header nBits.
    #[getter]
    fn nbits(&self) -> u32 {
        lock(&self.0).nbits
    }
    /// The network target.
    #[getter]
    fn target<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &lock(&self.0).target.0)
    }
    /// The block time to start from.
    #[getter]
    fn header_timestamp(&self) -> u32 {
        lock(&self.0).header_timestamp
    }
    /// The earliest valid block time.
    #[getter]
    fn min_time(&self) -> u32 {
        lock(&self.0).min_time
    }
    /// The block's height.
    #[getter]
    fn height(&self) -> u32 {
        lock(&self.0).height
    }
    /// Subsidy plus fees, in satoshis.
    #[getter]
    fn coinbase_value(&self) -> u64 {
        lock(&self.0).coinbase_value
    }
    /// Whether the block commits to witnesses.
    #[getter]
    fn segwit(&self) -> bool {
        lock(&self.0).segwit
    }
    /// The transactions in block order.
    #[getter]
    fn transactions(&self) -> Vec<PyTemplateTransaction> {
        lock(&self.0)
            .transactions
            .iter()
            .map(|t| PyTemplateTransaction(t.clone()))
            .collect()
    }
    fn __len__(&self) -> usize {
        lock(&self.0).transactions.len()
    }
    fn __repr__(&self) -> String {
        let t = lock(&self.0);
        format!(
            "BlockTemplate(height={}, prev_hash={}, transactions={})",
            t.height,
            sv2::template::hex_be(t.prev_hash),
            t.transactions.len()
        )
    }
}

fn template_out(t: BlockTemplate) -> PyBlockTemplate {
    PyBlockTemplate(Mutex::new(t))
}

/// Templates and tips without a Bitcoin node, for demos and tests: regtest difficulty,
/// invented prevhashes, valid BIP34 heights and real (made-up) legacy and segwit
/// transactions. Deterministic from `seed`.
#[pyclass(module = "sv2._sv2", name = "SyntheticBlockSource")]
pub struct PySyntheticBlockSource(Mutex<SyntheticBlockSource>);

#[pymethods]
impl PySyntheticBlockSource {
    #[new]
    #[pyo3(signature = (seed = 0, height = 1, *, transactions = 10, nbits = None))]
    fn new(seed: u64, height: u32, transactions: usize, nbits: Option<u32>) -> Self {
        let mut source = SyntheticBlockSource::new(seed, height).with_transactions(transactions);
        if let Some(nbits) = nbits {
            source = source.with_nbits(nbits);
        }
        Self(Mutex::new(source))
    }
    /// The first template on the current tip.
    fn next_block(&self, header_timestamp: u32) -> PyBlockTemplate {
        template_out(lock(&self.0).next_block(header_timestamp))
    }
    /// Another template on the same tip with a few more transactions.
    fn update(&self, header_timestamp: u32) -> PyBlockTemplate {
        template_out(lock(&self.0).update(header_timestamp))
    }
    /// A block was found on the current tip: the next template builds on `block_hash`.
    fn advance(&self, block_hash: &Bound<'_, PyAny>) -> PyResult<()> {
        lock(&self.0).advance(conv::u256_in(block_hash)?);
        Ok(())
    }
    /// The height of the next block.
    #[getter]
    fn height(&self) -> u32 {
        lock(&self.0).height()
    }
    /// The tip templates build on.
    #[getter]
    fn prev_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &lock(&self.0).prev_hash().0)
    }
}

// ---------------------------------------------------------------------------------------------
// Provider

event_class!(
    /// A connection completed SetupConnection for Template Distribution.
    ProviderConnected, "ProviderConnected" {
        conn: u64,
        /// The client's SetupConnection.
        setup: PyObject,
    }
);
event_class!(
    /// A client announced the bytes of coinbase outputs it adds; templates follow.
    ProviderCoinbaseOutputDataSize, "ProviderCoinbaseOutputDataSize" {
        conn: u64, size: u32,
    }
);
event_class!(
    /// A client asked for more coinbase room than any block has: it is being closed.
    ProviderReservationRefused, "ProviderReservationRefused" {
        conn: u64, code: u32, detail: String,
    }
);
event_class!(
    /// A SubmitSolution became a block: broadcast `block` (Bitcoin Core `submitblock`).
    /// `stale` is true if the provider moved to another tip since that template.
    ProviderSolution, "ProviderSolution" {
        conn: u64, template_id: u64, height: u32, stale: bool, block: Py<PyBytes>,
        block_hash: Py<PyBytes>, header: Py<PyBytes>,
    }
);
event_class!(
    /// A SubmitSolution that is not a block; nothing is broadcast and the connection stays.
    /// `code` is 0 for a template the provider does not know.
    ProviderSolutionRefused, "ProviderSolutionRefused" {
        conn: u64, template_id: u64, code: u32, detail: String,
    }
);
event_class!(
    /// A connection ended: send what `data_to_send(conn)` still holds, close the socket, then
    /// `remove(conn)`.
    ProviderClosed, "ProviderClosed" {
        conn: u64, closed: Py<Closed>,
    }
);

fn provider_event_to_py(py: Python<'_>, e: ProviderEvent) -> PyResult<PyObject> {
    match e {
        ProviderEvent::Connected { conn, setup } => ProviderConnected {
            conn,
            setup: crate::messages_generated::wrap(py, Message::SetupConnection(setup))?,
        }
        .into_py_any(py),
        ProviderEvent::CoinbaseOutputDataSize { conn, size } => {
            ProviderCoinbaseOutputDataSize { conn, size }.into_py_any(py)
        }
        ProviderEvent::ReservationRefused { conn, error } => ProviderReservationRefused {
            conn,
            code: template_error_code(&error) as u32,
            detail: error.to_string(),
        }
        .into_py_any(py),
        ProviderEvent::Solution {
            conn,
            template_id,
            height,
            stale,
            block,
        } => ProviderSolution {
            conn,
            template_id,
            height,
            stale,
            block: bytes(py, &block.bytes),
            block_hash: bytes(py, &block.hash.0),
            header: bytes(py, &block.header),
        }
        .into_py_any(py),
        ProviderEvent::SolutionRefused {
            conn,
            template_id,
            error,
        } => {
            let (code, detail) = match error {
                None => (0, format!("unknown template id {template_id}")),
                Some(e) => (template_error_code(&e) as u32, e.to_string()),
            };
            ProviderSolutionRefused {
                conn,
                template_id,
                code,
                detail,
            }
            .into_py_any(py)
        }
        ProviderEvent::Closed { conn, reason } => ProviderClosed {
            conn,
            closed: Py::new(py, closed_event(reason))?,
        }
        .into_py_any(py),
    }
}

event_class!(
    /// A provider's counters.
    ProviderStats, "ProviderStats" {
        connections: usize, clients: usize, templates_sent: u64, tips: u64, solutions: u64,
        solutions_refused: u64, transaction_data_served: u64, height: u32,
    }
);

/// A Template Provider (§6), sans I/O: serves templates to pools over many connections,
/// answers RequestTransactionData and turns SubmitSolution into full blocks. `config` gives
/// security, dialect, limits and timeouts (its protocol list is replaced by Template
/// Distribution). Loop: `accept()` per socket, `receive_data(conn, bytes)`,
/// `set_template(t)` on every template from the node, drain `events()`, then write
/// `data_to_send(conn)` for every connection.
#[pyclass(module = "sv2._sv2", name = "TemplateProvider")]
pub struct PyTemplateProvider {
    inner: Mutex<TemplateProvider>,
    /// Accepted and not yet removed (to tell an unknown id from a closed connection).
    conns: Mutex<HashSet<u64>>,
}

impl PyTemplateProvider {
    fn get(&self) -> MutexGuard<'_, TemplateProvider> {
        lock(&self.inner)
    }
}

fn unknown_conn(py: Python<'_>, conn: u64) -> PyErr {
    error(
        py,
        ResultCode::UNKNOWN_CONNECTION,
        format!("unknown connection {conn}"),
    )
}

#[pymethods]
impl PyTemplateProvider {
    #[new]
    #[pyo3(signature = (config, *, max_templates = 64))]
    fn new(py: Python<'_>, config: &PyServerConfig, max_templates: usize) -> PyResult<Self> {
        if max_templates == 0 {
            return Err(error(
                py,
                ResultCode::INVALID_ARG,
                "max_templates must be >= 1",
            ));
        }
        let mut c = ProviderConfig::new(config.config.clone());
        c.max_templates = max_templates;
        Ok(Self {
            inner: Mutex::new(TemplateProvider::new(c)),
            conns: Mutex::new(HashSet::new()),
        })
    }

    /// A new connection (socket accepted); returns its id.
    #[pyo3(signature = (now_ms = None))]
    fn accept(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<u64> {
        let now = self::now_ms(py, now_ms)?;
        let conn = self.get().accept(now).py(py)?;
        lock(&self.conns).insert(conn);
        Ok(conn)
    }

    /// Bytes received on `conn`. Raises on a protocol error (a `ProviderClosed` follows).
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
        if !lock(&self.conns).contains(&conn) {
            return Err(unknown_conn(py, conn));
        }
        self.get().receive_data(conn, &data, now).py(py)
    }

    /// `conn`'s socket reached end of file.
    fn peer_closed(&self, conn: u64) {
        self.get().peer_closed(conn);
    }

    /// Closes `conn` from the provider's side.
    fn close(&self, conn: u64) {
        self.get().close(conn);
    }

    /// Forgets a closed connection.
    fn remove(&self, conn: u64) {
        self.get().remove(conn);
        lock(&self.conns).remove(&conn);
    }

    /// Every pending byte for `conn`'s socket.
    fn data_to_send<'py>(&self, py: Python<'py>, conn: u64) -> Bound<'py, PyBytes> {
        let mut out = Vec::new();
        self.get().take_data_to_send(conn, &mut out);
        PyBytes::new(py, &out)
    }

    /// True when `conn` has bytes to send.
    fn wants_write(&self, conn: u64) -> bool {
        self.get().wants_write(conn)
    }

    /// Connections with bytes to send.
    fn writable_connections(&self) -> Vec<u64> {
        self.get().writable_connections()
    }

    /// When (monotonic ms) `handle_timeout` must be called next, if ever.
    fn poll_timeout(&self) -> Option<u64> {
        self.get().poll_timeout()
    }

    /// Fires due session timers.
    #[pyo3(signature = (now_ms = None))]
    fn handle_timeout(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.get().handle_timeout(now);
        Ok(())
    }

    /// The next event, or None when idle.
    fn next_event(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let e = self.get().next_event();
        e.map(|e| provider_event_to_py(py, e)).transpose()
    }

    /// Every pending event.
    fn events(&self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        let mut out = Vec::new();
        let mut p = self.get();
        while let Some(e) = p.next_event() {
            out.push(provider_event_to_py(py, e)?);
        }
        Ok(out)
    }

    /// Hands the provider a template; returns `"new-tip"` (clients got a future template and
    /// SetNewPrevHash) or `"same-tip"` (a non-future template). Raises `UsageError` with code
    /// `STALE_TIP` for a template on a tip the provider already left.
    #[pyo3(signature = (template, now_ms = None))]
    fn set_template(
        &self,
        py: Python<'_>,
        template: PyRef<'_, PyBlockTemplate>,
        now_ms: Option<u64>,
    ) -> PyResult<&'static str> {
        let now = self::now_ms(py, now_ms)?;
        let t = lock(&template.0).clone();
        match self.get().set_template(t, now) {
            Ok(TemplateUpdate::NewTip) => Ok("new-tip"),
            Ok(TemplateUpdate::SameTip) => Ok("same-tip"),
            Err(e) => Err(provider_error(py, e)),
        }
    }

    /// The provider's counters.
    fn stats(&self) -> ProviderStats {
        let s = self.get().stats();
        ProviderStats {
            connections: s.connections,
            clients: s.clients,
            templates_sent: s.templates_sent,
            tips: s.tips,
            solutions: s.solutions,
            solutions_refused: s.solutions_refused,
            transaction_data_served: s.transaction_data_served,
            height: s.height,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Client

event_class!(
    /// The template client is set up and sent CoinbaseOutputDataSize: templates follow.
    TemplateClientReady, "TemplateClientReady" {
        coinbase_output_max_additional_size: u32,
    }
);

/// A pool's connection to its Template Provider (§6 client), sans I/O. `config` gives the
/// provider (authority key or URL, or `plaintext=True`), vendor, dialect and timeouts; its
/// protocol is set to Template Distribution and its frame limit raised for transaction data.
/// Events: `TemplateClientReady`, the messages `NewTemplate`, `TdpSetNewPrevHash`,
/// `RequestTransactionDataSuccess`, `RequestTransactionDataError`, and `Closed`.
#[pyclass(module = "sv2._sv2", name = "TemplateClient")]
pub struct PyTemplateClient {
    inner: Mutex<TemplateClient>,
    reservation: Mutex<u32>,
}

impl PyTemplateClient {
    fn get(&self) -> MutexGuard<'_, TemplateClient> {
        lock(&self.inner)
    }

    fn event_to_py(&self, py: Python<'_>, e: TemplateClientEvent) -> PyResult<PyObject> {
        match e {
            TemplateClientEvent::Ready => TemplateClientReady {
                coinbase_output_max_additional_size: *lock(&self.reservation),
            }
            .into_py_any(py),
            TemplateClientEvent::NewTemplate(t) => {
                crate::messages_generated::wrap(py, Message::from(t))
            }
            TemplateClientEvent::SetNewPrevHash(p) => {
                crate::messages_generated::wrap(py, Message::from(p))
            }
            TemplateClientEvent::TransactionData(d) => {
                crate::messages_generated::wrap(py, Message::from(d))
            }
            TemplateClientEvent::TransactionDataError(e) => {
                crate::messages_generated::wrap(py, Message::from(e))
            }
            TemplateClientEvent::Closed(reason) => closed_event(reason).into_py_any(py),
        }
    }
}

#[pymethods]
impl PyTemplateClient {
    #[new]
    #[pyo3(signature = (config, *, coinbase_output_max_additional_size = 0, now_ms = None))]
    fn new(
        py: Python<'_>,
        config: &PyClientConfig,
        coinbase_output_max_additional_size: u32,
        now_ms: Option<u64>,
    ) -> PyResult<Self> {
        // The core's defaults for a template client (raised frame and input limits), with the
        // caller's session settings.
        let mut c = TemplateClientConfig::new(
            ClientSecurity::Plaintext,
            "",
            coinbase_output_max_additional_size,
        );
        let raised = c.session.limits;
        c.session = config.config.clone();
        c.session.setup.protocol = Protocol::TemplateDistribution.setup_value().unwrap_or(2);
        let limits = &mut c.session.limits;
        limits.max_frame_payload = limits.max_frame_payload.max(raised.max_frame_payload);
        limits.max_buffered_input = limits.max_buffered_input.max(raised.max_buffered_input);
        if let ClientSecurity::Noise(noise) = &mut c.session.security {
            noise.now_unix = config.now_unix.unwrap_or_else(unix_now);
        }
        let now = self::now_ms(py, now_ms)?;
        let client = TemplateClient::new(c, now).py(py)?;
        Ok(Self {
            inner: Mutex::new(client),
            reservation: Mutex::new(coinbase_output_max_additional_size),
        })
    }

    /// Bytes received from the provider. Raises on a protocol error (a `Closed` follows).
    #[pyo3(signature = (data, now_ms = None))]
    fn receive_data(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        let data = conv::bytes_in(data)?;
        self.get().receive_data(&data, now).py(py)
    }

    /// The next event, or None when idle.
    fn next_event(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let e = self.get().next_event();
        e.map(|e| self.event_to_py(py, e)).transpose()
    }

    /// Every pending event.
    fn events(&self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        let mut raw = Vec::new();
        {
            let mut c = self.get();
            while let Some(e) = c.next_event() {
                raw.push(e);
            }
        }
        raw.into_iter().map(|e| self.event_to_py(py, e)).collect()
    }

    /// Every pending byte for the socket.
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

    /// True once set up and until closed.
    #[getter]
    fn is_ready(&self) -> bool {
        self.get().is_ready()
    }

    /// True once the connection ended.
    #[getter]
    fn is_closed(&self) -> bool {
        self.get().is_closed()
    }

    /// When (monotonic ms) `handle_timeout` must be called next, if ever.
    fn poll_timeout(&self) -> Option<u64> {
        self.get().poll_timeout()
    }

    /// Fires due timers.
    #[pyo3(signature = (now_ms = None))]
    fn handle_timeout(&self, py: Python<'_>, now_ms: Option<u64>) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.get().handle_timeout(now);
        Ok(())
    }

    /// The socket reached end of file.
    fn peer_closed(&self) {
        self.get().peer_closed();
    }

    /// Closes the connection from this side.
    fn close(&self) {
        self.get().close();
    }

    /// Asks for a template's transactions (R142): a `RequestTransactionDataSuccess` or
    /// `RequestTransactionDataError` event answers.
    #[pyo3(signature = (template_id, now_ms = None))]
    fn request_transaction_data(
        &self,
        py: Python<'_>,
        template_id: u64,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.get().request_transaction_data(template_id, now).py(py)
    }

    /// Sends a `SubmitSolution` (R144).
    #[pyo3(signature = (solution, now_ms = None))]
    fn submit_solution(
        &self,
        py: Python<'_>,
        solution: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let Message::SubmitSolution(s) = PyMessage::extract(solution)? else {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "expected a SubmitSolution",
            ));
        };
        let now = self::now_ms(py, now_ms)?;
        self.get().submit_solution(s, now).py(py)
    }

    /// Sends the SubmitSolution of a pool's `BlockFound`; returns False (nothing sent) for a
    /// block of a custom job, which the pool assembles itself.
    #[pyo3(signature = (block_found, now_ms = None))]
    fn submit_block_found(
        &self,
        py: Python<'_>,
        block_found: &Bound<'_, crate::pool::BlockFound>,
        now_ms: Option<u64>,
    ) -> PyResult<bool> {
        let Some(solution) = &block_found.get().submit_solution else {
            return Ok(false);
        };
        self.submit_solution(py, solution.bind(py), now_ms)?;
        Ok(true)
    }

    /// Announces a new coinbase reservation; the provider answers with a template that
    /// leaves the room.
    #[pyo3(signature = (size, now_ms = None))]
    fn set_coinbase_output_data_size(
        &self,
        py: Python<'_>,
        size: u32,
        now_ms: Option<u64>,
    ) -> PyResult<()> {
        let now = self::now_ms(py, now_ms)?;
        self.get().set_coinbase_output_data_size(size, now).py(py)?;
        *lock(&self.reservation) = size;
        Ok(())
    }

    /// Hands a `NewTemplate` or `TdpSetNewPrevHash` event to `pool` (its engine makes jobs of
    /// it); returns True if the event was for the pool, False for other events.
    #[staticmethod]
    #[pyo3(signature = (event, pool, now_ms = None))]
    fn feed_pool(
        event: &Bound<'_, PyAny>,
        pool: &Bound<'_, PyPoolEngine>,
        now_ms: Option<u64>,
    ) -> PyResult<bool> {
        let Ok(message) = event.downcast::<PyMessage>() else {
            return Ok(false);
        };
        match &message.get().0 {
            Message::NewTemplate(_) => {
                pool.call_method1("new_template", (event, now_ms))?;
                Ok(true)
            }
            Message::TdpSetNewPrevHash(_) => {
                pool.call_method1("set_prev_hash", (event, now_ms))?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// Adds the Template Distribution classes.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyTemplateTransaction>()?;
    module.add_class::<PyBlockTemplate>()?;
    module.add_class::<PySyntheticBlockSource>()?;
    module.add_class::<PyTemplateProvider>()?;
    module.add_class::<PyTemplateClient>()?;
    module.add_class::<ProviderConnected>()?;
    module.add_class::<ProviderCoinbaseOutputDataSize>()?;
    module.add_class::<ProviderReservationRefused>()?;
    module.add_class::<ProviderSolution>()?;
    module.add_class::<ProviderSolutionRefused>()?;
    module.add_class::<ProviderClosed>()?;
    module.add_class::<ProviderStats>()?;
    module.add_class::<TemplateClientReady>()?;
    Ok(())
}
