//! Template Distribution (spec §6): `TemplateProvider` (the server role over many
//! connections), `TemplateClient` (what a pool runs towards its provider), `BlockTemplate` and
//! `TemplateTransaction` (what a template source hands the provider), and
//! `SyntheticBlockSource` (templates without a node, for demos and tests).

use crate::conv::{bytes_out, u256_of, u256_out, u64_of};
use crate::errors::{
    err, invalid, js, Error, Result, INVALID_TEMPLATE, INVALID_TRANSACTION, STALE_TIP,
    UNEXPECTED_MESSAGE, UNKNOWN_CONNECTION,
};
use crate::messages_generated::{from_js, to_js, Message};
use crate::now_or;
use crate::pool::PoolServer;
use crate::session::{
    close_reason, core_client_config, core_server_config, ClientConfig, CloseReason, ServerConfig,
};
use napi::bindgen_prelude::{BigInt, Buffer, Uint8Array};
use napi_derive::napi;
use std::collections::HashSet;
use sv2::messages::{Message as CoreMessage, Protocol as CoreProtocol};
use sv2::template::{
    BlockTemplate as CoreBlockTemplate, ProviderConfig, ProviderError, ProviderEvent as CoreEvent,
    SyntheticBlockSource as CoreSource, TemplateClient as CoreClient, TemplateClientConfig,
    TemplateClientEvent as CoreClientEvent, TemplateError, TemplateProvider as CoreProvider,
    TemplateTransaction as CoreTransaction, TemplateUpdate,
};

fn template_error_code(e: &TemplateError) -> (&'static str, u32) {
    match e {
        TemplateError::Transaction { .. } => INVALID_TRANSACTION,
        _ => INVALID_TEMPLATE,
    }
}

fn template_error(e: &TemplateError) -> Error {
    err(template_error_code(e), e)
}

fn provider_error(e: ProviderError) -> Error {
    match e {
        ProviderError::StaleTip => err(STALE_TIP, e),
        ProviderError::Template(t) => template_error(&t),
    }
}

fn conn_id(conn: f64) -> Result<u64> {
    if conn.is_finite() && conn >= 0.0 && conn.fract() == 0.0 {
        Ok(conn as u64)
    } else {
        Err(invalid("conn must be a connection id"))
    }
}

// ---------------------------------------------------------------------------------------------
// Templates

/// One transaction of a block template: its serialization (with witnesses if it has any),
/// signature operation cost and fee. The constructor throws `ProtocolError`
/// (`SV2_ERR_INVALID_TRANSACTION`) for bytes that are not exactly one transaction.
#[napi]
pub struct TemplateTransaction {
    inner: CoreTransaction,
}

#[napi]
impl TemplateTransaction {
    /// Parses `data`; `sigops` and `fee` (satoshis) default to 0.
    #[napi(constructor)]
    pub fn new(data: Uint8Array, sigops: Option<BigInt>, fee: Option<BigInt>) -> Result<Self> {
        let sigops = sigops
            .map(|s| u64_of("sigops", &s))
            .transpose()?
            .unwrap_or(0);
        let fee = fee.map(|f| u64_of("fee", &f)).transpose()?.unwrap_or(0);
        let inner = CoreTransaction::new(data.to_vec(), sigops, fee)
            .map_err(|e| err(INVALID_TRANSACTION, e))?;
        Ok(TemplateTransaction { inner })
    }

    /// Its txid (32 bytes, internal byte order).
    #[napi(getter)]
    pub fn txid(&self) -> Uint8Array {
        u256_out(&self.inner.txid)
    }

    /// Its weight (BIP141).
    #[napi(getter)]
    pub fn weight(&self) -> f64 {
        self.inner.weight as f64
    }

    /// Its fee in satoshis.
    #[napi(getter)]
    pub fn fee(&self) -> BigInt {
        BigInt::from(self.inner.fee)
    }
}

/// The header fields of a block template (hashes and targets: 32 bytes, internal byte order).
#[napi(object)]
pub struct BlockTemplateFields {
    /// Header version.
    pub version: u32,
    /// The previous block hash.
    pub prev_hash: Uint8Array,
    /// Header nBits.
    pub nbits: u32,
    /// The network target.
    pub target: Uint8Array,
    /// The block time to start from (`curtime`).
    pub header_timestamp: u32,
    /// The earliest valid block time (`mintime`).
    pub min_time: u32,
    /// The block's height (BIP34).
    pub height: u32,
    /// Subsidy plus fees, in satoshis.
    pub coinbase_value: BigInt,
    /// Whether the block commits to witnesses (default true).
    pub segwit: Option<bool>,
}

/// A block template as a template source (a Bitcoin node, the synthetic source) knows it; give
/// it to `TemplateProvider.setTemplate` (which copies it).
#[napi]
pub struct BlockTemplate {
    inner: CoreBlockTemplate,
}

#[napi]
impl BlockTemplate {
    /// A template without transactions; add them with `addTransaction`.
    #[napi(constructor)]
    pub fn new(fields: BlockTemplateFields) -> Result<Self> {
        Ok(BlockTemplate {
            inner: CoreBlockTemplate {
                version: fields.version,
                prev_hash: u256_of("prevHash", &fields.prev_hash)?,
                nbits: fields.nbits,
                target: u256_of("target", &fields.target)?,
                header_timestamp: fields.header_timestamp,
                min_time: fields.min_time,
                height: fields.height,
                coinbase_value: u64_of("coinbaseValue", &fields.coinbase_value)?,
                segwit: fields.segwit.unwrap_or(true),
                transactions: Vec::new(),
            },
        })
    }

    /// Appends a transaction (block order, after the coinbase).
    #[napi]
    pub fn add_transaction(&mut self, transaction: &TemplateTransaction) {
        self.inner.transactions.push(transaction.inner.clone());
    }

    /// The block's height.
    #[napi(getter)]
    pub fn height(&self) -> u32 {
        self.inner.height
    }

    /// The previous block hash.
    #[napi(getter)]
    pub fn prev_hash(&self) -> Uint8Array {
        u256_out(&self.inner.prev_hash)
    }

    /// Transactions (the coinbase not counted).
    #[napi(getter)]
    pub fn transaction_count(&self) -> u32 {
        self.inner.transactions.len() as u32
    }
}

/// Options of a `SyntheticBlockSource`.
#[napi(object)]
pub struct SyntheticBlockOptions {
    /// Transactions in the first template of each tip (default 10).
    pub transactions: Option<u32>,
    /// Network difficulty as nBits (default regtest).
    pub nbits: Option<u32>,
}

/// Templates and tips without a Bitcoin node, for demos and tests: regtest difficulty,
/// invented prevhashes, valid BIP34 heights and made-up legacy and segwit transactions.
/// Deterministic from the seed.
#[napi]
pub struct SyntheticBlockSource {
    inner: CoreSource,
}

#[napi]
impl SyntheticBlockSource {
    /// Starts below block `height`.
    #[napi(constructor)]
    pub fn new(seed: u32, height: u32, options: Option<SyntheticBlockOptions>) -> Self {
        let mut s = CoreSource::new(u64::from(seed), height);
        if let Some(o) = options {
            if let Some(n) = o.transactions {
                s = s.with_transactions(n as usize);
            }
            if let Some(n) = o.nbits {
                s = s.with_nbits(n);
            }
        }
        SyntheticBlockSource { inner: s }
    }

    /// The first template on the current tip.
    #[napi]
    pub fn next_block(&mut self, header_timestamp: u32) -> BlockTemplate {
        BlockTemplate {
            inner: self.inner.next_block(header_timestamp),
        }
    }

    /// Another template on the same tip, with a few more transactions.
    #[napi]
    pub fn update(&mut self, header_timestamp: u32) -> BlockTemplate {
        BlockTemplate {
            inner: self.inner.update(header_timestamp),
        }
    }

    /// A block was found: the next template builds on `blockHash` one height up.
    #[napi]
    pub fn advance(&mut self, block_hash: Uint8Array) -> Result<()> {
        self.inner.advance(u256_of("blockHash", &block_hash)?);
        Ok(())
    }

    /// The height of the next block.
    #[napi(getter)]
    pub fn height(&self) -> u32 {
        self.inner.height()
    }

    /// The tip templates build on.
    #[napi(getter)]
    pub fn prev_hash(&self) -> Uint8Array {
        u256_out(&self.inner.prev_hash())
    }
}

// ---------------------------------------------------------------------------------------------
// Provider

/// What a template provider reports. `switch (event.type)` narrows it.
#[napi(discriminant = "type")]
#[allow(clippy::large_enum_variant)] // built once per event and handed to JavaScript at once
pub enum ProviderEvent {
    /// A connection completed SetupConnection for Template Distribution.
    Connected {
        /// Connection id.
        conn: f64,
        /// The client's SetupConnection.
        setup: Message,
    },
    /// A client announced its coinbase outputs; templates follow.
    CoinbaseOutputDataSize {
        /// Connection id.
        conn: f64,
        /// `coinbase_output_max_additional_size`.
        size: u32,
    },
    /// A client asked for more coinbase room than any block has: it is being closed.
    ReservationRefused {
        /// Connection id.
        conn: f64,
        /// The C name of the code.
        code: String,
        /// Why.
        message: String,
    },
    /// A SubmitSolution became a block: broadcast `block` (Bitcoin Core `submitblock`).
    Solution {
        /// Connection id.
        conn: f64,
        /// The template it was found on.
        template_id: f64,
        /// Its height.
        height: u32,
        /// The provider moved to another tip since that template.
        stale: bool,
        /// The serialized block.
        block: Uint8Array,
        /// The block hash (internal byte order).
        block_hash: Uint8Array,
        /// The 80-byte header.
        header: Uint8Array,
    },
    /// A SubmitSolution that is not a block; nothing is broadcast, the connection stays.
    SolutionRefused {
        /// Connection id.
        conn: f64,
        /// The template id it named.
        template_id: f64,
        /// The C name of the code; absent for a template the provider does not know.
        code: Option<String>,
        /// Why.
        message: String,
    },
    /// The connection ended: write what `takeDataToSend` still holds, close the socket, then
    /// call `remove(conn)`.
    Closed {
        /// Connection id.
        conn: f64,
        /// Why.
        reason: CloseReason,
    },
}

fn provider_event(e: CoreEvent) -> ProviderEvent {
    match e {
        CoreEvent::Connected { conn, setup } => ProviderEvent::Connected {
            conn: conn as f64,
            setup: to_js(&CoreMessage::SetupConnection(setup)),
        },
        CoreEvent::CoinbaseOutputDataSize { conn, size } => ProviderEvent::CoinbaseOutputDataSize {
            conn: conn as f64,
            size,
        },
        CoreEvent::ReservationRefused { conn, error } => ProviderEvent::ReservationRefused {
            conn: conn as f64,
            code: template_error_code(&error).0.into(),
            message: error.to_string(),
        },
        CoreEvent::Solution {
            conn,
            template_id,
            height,
            stale,
            block,
        } => ProviderEvent::Solution {
            conn: conn as f64,
            template_id: template_id as f64,
            height,
            stale,
            block: bytes_out(&block.bytes),
            block_hash: u256_out(&block.hash),
            header: bytes_out(&block.header),
        },
        CoreEvent::SolutionRefused {
            conn,
            template_id,
            error,
        } => ProviderEvent::SolutionRefused {
            conn: conn as f64,
            template_id: template_id as f64,
            code: error.as_ref().map(|e| template_error_code(e).0.into()),
            message: error.map_or_else(
                || format!("unknown template id {template_id}"),
                |e| e.to_string(),
            ),
        },
        CoreEvent::Closed { conn, reason } => ProviderEvent::Closed {
            conn: conn as f64,
            reason: close_reason(&reason),
        },
    }
}

/// A provider's counters.
#[napi(object)]
pub struct ProviderStats {
    /// Connections open now.
    pub connections: u32,
    /// Connections that sent CoinbaseOutputDataSize and get templates.
    pub clients: u32,
    /// NewTemplate messages sent.
    pub templates_sent: f64,
    /// Tips announced.
    pub tips: f64,
    /// SubmitSolution messages that became blocks.
    pub solutions: f64,
    /// SubmitSolution messages refused.
    pub solutions_refused: f64,
    /// RequestTransactionData answered with `.Success`.
    pub transaction_data_served: f64,
    /// Height of the current template (0 before the first).
    pub height: u32,
}

/// Provider settings.
#[napi(object)]
pub struct ProviderOptions {
    /// Templates kept for RequestTransactionData and SubmitSolution (default 64).
    pub max_templates: Option<u32>,
}

/// A Template Provider (§6), sans I/O: serves templates to pools over many connections,
/// answers RequestTransactionData and turns SubmitSolution into full blocks. Accept sockets
/// with `accept`, feed bytes with `receiveData(conn, …)`, hand it every template from the node
/// with `setTemplate`, drain `nextEvent`, write back `takeDataToSend(conn)`.
#[napi]
pub struct TemplateProvider {
    inner: CoreProvider,
    conns: HashSet<u64>,
}

#[napi]
impl TemplateProvider {
    /// A provider with the sessions' security (`server`; its protocols are replaced by
    /// Template Distribution).
    #[napi(constructor)]
    pub fn new(server: ServerConfig, options: Option<ProviderOptions>) -> Result<Self> {
        let mut config = ProviderConfig::new(core_server_config(&server)?);
        if let Some(m) = options.and_then(|o| o.max_templates) {
            if m == 0 {
                return Err(invalid("maxTemplates must be >= 1"));
            }
            config.max_templates = m as usize;
        }
        Ok(TemplateProvider {
            inner: CoreProvider::new(config),
            conns: HashSet::new(),
        })
    }

    /// A new connection; returns its id.
    #[napi]
    pub fn accept(&mut self, now_ms: Option<f64>) -> Result<f64> {
        let conn = self.inner.accept(now_or(now_ms)).map_err(js)?;
        self.conns.insert(conn);
        Ok(conn as f64)
    }

    /// Bytes received on `conn`.
    #[napi]
    pub fn receive_data(&mut self, conn: f64, data: Uint8Array, now_ms: Option<f64>) -> Result<()> {
        let conn = conn_id(conn)?;
        if !self.conns.contains(&conn) {
            return Err(err(
                UNKNOWN_CONNECTION,
                format!("unknown connection {conn}"),
            ));
        }
        self.inner
            .receive_data(conn, &data, now_or(now_ms))
            .map_err(js)
    }

    /// `conn`'s socket reached end of file.
    #[napi]
    pub fn peer_closed(&mut self, conn: f64) -> Result<()> {
        self.inner.peer_closed(conn_id(conn)?);
        Ok(())
    }

    /// Closes `conn` from the provider's side (a Closed event follows).
    #[napi]
    pub fn close(&mut self, conn: f64) -> Result<()> {
        self.inner.close(conn_id(conn)?);
        Ok(())
    }

    /// Forgets a closed connection.
    #[napi]
    pub fn remove(&mut self, conn: f64) -> Result<()> {
        let conn = conn_id(conn)?;
        self.inner.remove(conn);
        self.conns.remove(&conn);
        Ok(())
    }

    /// `conn`'s bytes to write (empty when none).
    #[napi]
    pub fn take_data_to_send(&mut self, conn: f64) -> Result<Buffer> {
        let mut out = Vec::new();
        self.inner.take_data_to_send(conn_id(conn)?, &mut out);
        Ok(Buffer::from(out))
    }

    /// Connections with bytes to write.
    #[napi]
    pub fn writable_connections(&self) -> Vec<f64> {
        self.inner
            .writable_connections()
            .into_iter()
            .map(|c| c as f64)
            .collect()
    }

    /// When to call `handleTimeout` next, or `null`.
    #[napi]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.inner.poll_timeout().map(|t| t as f64)
    }

    /// Fires expired session timers.
    #[napi]
    pub fn handle_timeout(&mut self, now_ms: Option<f64>) {
        self.inner.handle_timeout(now_or(now_ms));
    }

    /// The next event, or `null`; also answers what the clients sent.
    #[napi]
    pub fn next_event(&mut self) -> Option<ProviderEvent> {
        self.inner.next_event().map(provider_event)
    }

    /// Every pending event.
    #[napi]
    pub fn events(&mut self) -> Vec<ProviderEvent> {
        std::iter::from_fn(|| self.inner.next_event())
            .map(provider_event)
            .collect()
    }

    /// Hands the provider a template; returns `'new-tip'` (clients got a future template and
    /// SetNewPrevHash) or `'same-tip'` (a non-future template). Throws `ProtocolError`
    /// `SV2_ERR_STALE_TIP` for a template on a tip the provider already left.
    #[napi(ts_return_type = "'new-tip' | 'same-tip'")]
    pub fn set_template(
        &mut self,
        template: &BlockTemplate,
        now_ms: Option<f64>,
    ) -> Result<String> {
        match self
            .inner
            .set_template(template.inner.clone(), now_or(now_ms))
        {
            Ok(TemplateUpdate::NewTip) => Ok("new-tip".into()),
            Ok(TemplateUpdate::SameTip) => Ok("same-tip".into()),
            Err(e) => Err(provider_error(e)),
        }
    }

    /// The provider's counters.
    #[napi]
    pub fn stats(&self) -> ProviderStats {
        let s = self.inner.stats();
        ProviderStats {
            connections: s.connections as u32,
            clients: s.clients as u32,
            templates_sent: s.templates_sent as f64,
            tips: s.tips as f64,
            solutions: s.solutions as f64,
            solutions_refused: s.solutions_refused as f64,
            transaction_data_served: s.transaction_data_served as f64,
            height: s.height,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Client

/// What a template client reports. `switch (event.type)` narrows it.
#[napi(discriminant = "type")]
pub enum TemplateClientEvent {
    /// Set up and CoinbaseOutputDataSize sent: templates follow.
    Ready {
        /// The coinbase room announced.
        coinbase_output_max_additional_size: u32,
    },
    /// A template (`message` is a `NewTemplate`; hand it to `PoolServer.newTemplate`).
    NewTemplate {
        /// The message.
        message: Message,
    },
    /// A new tip (`message` is a `TdpSetNewPrevHash`; hand it to `PoolServer.setPrevHash`).
    SetNewPrevHash {
        /// The message.
        message: Message,
    },
    /// A template's transactions (`RequestTransactionDataSuccess`).
    TransactionData {
        /// The message.
        message: Message,
    },
    /// The provider could not give them (`RequestTransactionDataError`).
    TransactionDataError {
        /// The message.
        message: Message,
    },
    /// The connection ended; reconnect with a new client (the pool keeps its channels).
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// The part of a `PoolServer` `BlockFound` event `submitBlockFound` reads.
#[napi(object)]
pub struct FoundSolution {
    /// The SubmitSolution for the provider (absent for a custom job).
    pub submit_solution: Option<Message>,
}

/// The part of a `TemplateClientEvent` `feedPool` reads.
#[napi(object)]
pub struct TemplateEventMessage {
    /// The event's message, if it has one.
    pub message: Option<Message>,
}

/// Client settings.
#[napi(object)]
pub struct TemplateClientOptions {
    /// Bytes of coinbase outputs the pool adds (its payout outputs, serialized; R135).
    pub coinbase_output_max_additional_size: Option<u32>,
}

/// A pool's connection to its Template Provider (§6 client), sans I/O. `config` gives the
/// provider's key (or `plaintext: true`), vendor, dialect and timeouts; the protocol is set to
/// Template Distribution and the frame limit raised for transaction data.
#[napi]
pub struct TemplateClient {
    inner: CoreClient,
    reservation: u32,
}

fn client_event(e: CoreClientEvent, reservation: u32) -> TemplateClientEvent {
    match e {
        CoreClientEvent::Ready => TemplateClientEvent::Ready {
            coinbase_output_max_additional_size: reservation,
        },
        CoreClientEvent::NewTemplate(t) => TemplateClientEvent::NewTemplate {
            message: to_js(&CoreMessage::from(t)),
        },
        CoreClientEvent::SetNewPrevHash(p) => TemplateClientEvent::SetNewPrevHash {
            message: to_js(&CoreMessage::from(p)),
        },
        CoreClientEvent::TransactionData(d) => TemplateClientEvent::TransactionData {
            message: to_js(&CoreMessage::from(d)),
        },
        CoreClientEvent::TransactionDataError(e) => TemplateClientEvent::TransactionDataError {
            message: to_js(&CoreMessage::from(e)),
        },
        CoreClientEvent::Closed(reason) => TemplateClientEvent::Closed {
            reason: close_reason(&reason),
        },
    }
}

#[napi]
impl TemplateClient {
    /// A client about to connect (the caller opens the socket).
    #[napi(constructor)]
    pub fn new(
        config: ClientConfig,
        options: Option<TemplateClientOptions>,
        now_ms: Option<f64>,
    ) -> Result<Self> {
        let reservation = options
            .and_then(|o| o.coinbase_output_max_additional_size)
            .unwrap_or(0);
        // The core's template client defaults (raised frame and input limits) with the
        // caller's session settings.
        let mut c =
            TemplateClientConfig::new(sv2::session::ClientSecurity::Plaintext, "", reservation);
        let raised = c.session.limits;
        c.session = core_client_config(&config)?;
        c.session.setup.protocol = CoreProtocol::TemplateDistribution
            .setup_value()
            .unwrap_or(2);
        let limits = &mut c.session.limits;
        if config.max_frame_payload.is_none() {
            limits.max_frame_payload = limits.max_frame_payload.max(raised.max_frame_payload);
        }
        limits.max_buffered_input = limits.max_buffered_input.max(raised.max_buffered_input);
        Ok(TemplateClient {
            inner: CoreClient::new(c, now_or(now_ms)).map_err(js)?,
            reservation,
        })
    }

    /// Bytes received from the provider.
    #[napi]
    pub fn receive_data(&mut self, data: Uint8Array, now_ms: Option<f64>) -> Result<()> {
        self.inner.receive_data(&data, now_or(now_ms)).map_err(js)
    }

    /// The next event, or `null`.
    #[napi]
    pub fn next_event(&mut self) -> Option<TemplateClientEvent> {
        let r = self.reservation;
        self.inner.next_event().map(|e| client_event(e, r))
    }

    /// Every pending event.
    #[napi]
    pub fn events(&mut self) -> Vec<TemplateClientEvent> {
        let r = self.reservation;
        std::iter::from_fn(|| self.inner.next_event())
            .map(|e| client_event(e, r))
            .collect()
    }

    /// The bytes to write (empty when none).
    #[napi]
    pub fn data_to_send(&mut self) -> Buffer {
        let mut out = Vec::new();
        self.inner.take_data_to_send(&mut out);
        Buffer::from(out)
    }

    /// True when bytes are waiting to be written.
    #[napi(getter)]
    pub fn wants_write(&self) -> bool {
        self.inner.wants_write()
    }

    /// True once set up and until closed.
    #[napi(getter)]
    pub fn is_ready(&self) -> bool {
        self.inner.is_ready()
    }

    /// True once the connection ended.
    #[napi(getter)]
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// When to call `handleTimeout` next, or `null`.
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

    /// Closes the connection from this side.
    #[napi]
    pub fn close(&mut self) {
        self.inner.close();
    }

    /// Asks for a template's transactions (R142): a `TransactionData` or
    /// `TransactionDataError` event answers.
    #[napi]
    pub fn request_transaction_data(
        &mut self,
        template_id: BigInt,
        now_ms: Option<f64>,
    ) -> Result<()> {
        let id = u64_of("templateId", &template_id)?;
        self.inner
            .request_transaction_data(id, now_or(now_ms))
            .map_err(js)
    }

    /// Sends a `SubmitSolution` message (R144).
    #[napi]
    pub fn submit_solution(&mut self, solution: Message, now_ms: Option<f64>) -> Result<()> {
        match from_js(solution)? {
            CoreMessage::SubmitSolution(s) => {
                self.inner.submit_solution(s, now_or(now_ms)).map_err(js)
            }
            other => Err(err(
                UNEXPECTED_MESSAGE,
                format!(
                    "submitSolution takes a SubmitSolution, not {}",
                    other.kind().name()
                ),
            )),
        }
    }

    /// Sends the SubmitSolution of a pool's `BlockFound` event; returns false (nothing sent)
    /// for a block of a custom job, which the pool assembles itself.
    #[napi]
    pub fn submit_block_found(
        &mut self,
        block_found: FoundSolution,
        now_ms: Option<f64>,
    ) -> Result<bool> {
        match block_found.submit_solution {
            Some(s) => self.submit_solution(s, now_ms).map(|()| true),
            None => Ok(false),
        }
    }

    /// Announces a new coinbase reservation; the provider answers with a template that leaves
    /// the room.
    #[napi]
    pub fn set_coinbase_output_data_size(&mut self, size: u32, now_ms: Option<f64>) -> Result<()> {
        self.inner
            .set_coinbase_output_data_size(size, now_or(now_ms))
            .map_err(js)?;
        self.reservation = size;
        Ok(())
    }

    /// Hands a `NewTemplate` or `SetNewPrevHash` event to `pool` (its engine makes jobs of it);
    /// returns true if the event was for the pool.
    #[napi]
    pub fn feed_pool(
        event: TemplateEventMessage,
        pool: &mut PoolServer,
        now_ms: Option<f64>,
    ) -> Result<bool> {
        let Some(message) = event.message else {
            return Ok(false);
        };
        match from_js(message)? {
            CoreMessage::NewTemplate(t) => {
                pool.core_mut()
                    .new_template(*t, now_or(now_ms))
                    .map_err(js)?;
                Ok(true)
            }
            CoreMessage::TdpSetNewPrevHash(p) => {
                pool.core_mut()
                    .set_prev_hash(*p, now_or(now_ms))
                    .map_err(js)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
