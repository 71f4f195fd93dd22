//! The composed pool: one [`Session`] per downstream connection plus the [`PoolEngine`], so a
//! C or Python pool holds one object. Still sans-I/O: the caller accepts sockets, feeds each
//! connection's bytes with its [`ConnectionId`] and writes back what
//! [`PoolServer::take_data_to_send`] returns for it.
//!
//! ```text
//! let mut pool = PoolServer::new(server_config, pool_config, Box::new(OpenPolicy))?;
//! let (template, prev_hash) = SyntheticTemplateSource::new(1, 100).next_block(now_unix);
//! pool.new_template(template, now_ms)?; pool.set_prev_hash(prev_hash, now_ms)?;
//! // on accept:        let conn = pool.accept(now_ms)?;
//! // on readable:      pool.receive_data(conn, &bytes, now_ms)?;
//! // on timeout:       pool.handle_timeout(now_ms);
//! // then:             while let Some(event) = pool.next_event() { … }
//! //                   for each connection: pool.take_data_to_send(conn, &mut out) → socket
//! // on Closed event:  write what is left, close the socket, pool.remove(conn)
//! ```

use super::pool::{
    ConnectionId, EngineError, PoolConfig, PoolEngine, PoolEvent, PoolPolicy,
    SyntheticTemplateSource,
};
use crate::messages::SetupConnection;
use crate::messages::{NewTemplate, Protocol, TdpSetNewPrevHash};
use crate::session::{
    CloseReason, ConnectionSet, Event, ProtocolSupport, ServerConfig, Session, SessionError,
};
use std::collections::VecDeque;

/// What the pool reports.
#[derive(Debug)]
pub enum PoolServerEvent {
    /// A connection completed SetupConnection.
    Connected {
        /// The connection.
        conn: ConnectionId,
        /// The client's SetupConnection (vendor, hardware, firmware, device id, flags).
        setup: Box<SetupConnection>,
    },
    /// Channels, shares, blocks and targets, from the engine.
    Engine(PoolEvent),
    /// The engine refused a message or action of this connection (logged, not fatal).
    EngineError {
        /// The connection.
        conn: ConnectionId,
        /// What was wrong.
        error: EngineError,
    },
    /// The connection ended. Send what `take_data_to_send` still holds, close the socket,
    /// then call [`PoolServer::remove`].
    Closed {
        /// The connection.
        conn: ConnectionId,
        /// Why.
        reason: CloseReason,
    },
}

/// Sessions + engine. See the module documentation.
pub struct PoolServer {
    engine: PoolEngine,
    /// The downstream sessions (the plumbing every server role shares).
    conns: ConnectionSet,
    events: VecDeque<PoolServerEvent>,
    /// A synthetic block made while no channel was open: its network target needs a share
    /// target, so it reaches the engine when the first channel opens (see
    /// `next_synthetic_block`).
    deferred_block: Option<(NewTemplate, TdpSetNewPrevHash)>,
}

impl std::fmt::Debug for PoolServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolServer")
            .field("connections", &self.conns.len())
            .finish()
    }
}

/// The Mining protocol support a session must announce so that its answer to SetupConnection
/// agrees with what the engine accepts (R38, R41).
fn mining_support(config: &PoolConfig) -> ProtocolSupport {
    use super::pool::{
        SETUP_REQUIRES_STANDARD_JOBS, SETUP_REQUIRES_VERSION_ROLLING,
        SETUP_REQUIRES_WORK_SELECTION, SUCCESS_REQUIRES_EXTENDED_CHANNELS,
        SUCCESS_REQUIRES_FIXED_VERSION,
    };
    let mut supported = SETUP_REQUIRES_STANDARD_JOBS | SETUP_REQUIRES_VERSION_ROLLING;
    if config.allow_work_selection {
        supported |= SETUP_REQUIRES_WORK_SELECTION;
    }
    let mut success = 0;
    if config.require_fixed_version {
        success |= SUCCESS_REQUIRES_FIXED_VERSION;
    }
    if config.require_extended_channels {
        success |= SUCCESS_REQUIRES_EXTENDED_CHANNELS;
    }
    ProtocolSupport {
        protocol: Protocol::Mining,
        supported_flags: supported,
        success_flags: success,
    }
}

impl PoolServer {
    /// A pool serving the Mining protocol with `server` (security, dialect, limits; its
    /// protocol list is replaced by the Mining support the engine's configuration implies).
    pub fn new(
        server: ServerConfig,
        pool: PoolConfig,
        policy: Box<dyn PoolPolicy>,
    ) -> Result<PoolServer, EngineError> {
        Ok(PoolServer::with_engine(
            server,
            PoolEngine::new(pool, policy)?,
        ))
    }

    /// A pool serving the Mining protocol with `server` around an existing `engine` (bindings
    /// that build and check the engine's configuration themselves).
    pub fn with_engine(mut server: ServerConfig, engine: PoolEngine) -> PoolServer {
        server.protocols = vec![mining_support(engine.config())];
        PoolServer {
            engine,
            conns: ConnectionSet::new(server),
            events: VecDeque::new(),
            deferred_block: None,
        }
    }

    /// The engine (statistics, snapshots, server-initiated actions).
    pub fn engine(&self) -> &PoolEngine {
        &self.engine
    }

    /// The engine, mutably: after an action (set_target, reconnect, close_channel…), call
    /// [`PoolServer::next_event`] so the messages it queued reach the sessions.
    pub fn engine_mut(&mut self) -> &mut PoolEngine {
        &mut self.engine
    }

    /// Open connections.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Switches the wire tap on or off for every connection, open and future (see
    /// [`Session::set_trace`]).
    pub fn set_trace(&mut self, enabled: bool) {
        self.conns.set_trace(enabled);
    }

    /// The oldest traced frame of any connection, lowest connection id first, as its JSON line
    /// (see [`Session::next_trace_json`]), when the server config asked for a trace
    /// (`ServerConfig::trace`). Entries of a removed connection are gone with it.
    pub fn next_trace_json(&mut self) -> Option<(ConnectionId, String)> {
        self.conns.next_trace_json()
    }

    /// A new downstream connection (socket accepted); returns its id.
    pub fn accept(&mut self, now_ms: u64) -> Result<ConnectionId, SessionError> {
        self.conns.accept(now_ms)
    }

    /// Bytes received on `conn`.
    pub fn receive_data(
        &mut self,
        conn: ConnectionId,
        data: &[u8],
        now_ms: u64,
    ) -> Result<(), SessionError> {
        self.conns.receive_data(conn, data, now_ms)
    }

    /// `conn`'s socket reached end of file.
    pub fn peer_closed(&mut self, conn: ConnectionId) {
        self.conns.peer_closed(conn);
    }

    /// Closes `conn` from the pool's side.
    pub fn close(&mut self, conn: ConnectionId) {
        self.conns.close(conn);
    }

    /// Forgets a closed connection (after its Closed event and last bytes).
    pub fn remove(&mut self, conn: ConnectionId) {
        if self.conns.remove(conn) {
            // No Closed event will tell the engine: its channels go now.
            self.engine.connection_closed(conn, self.conns.now_ms());
        }
    }

    /// A new block template for every channel.
    pub fn new_template(&mut self, template: NewTemplate, now_ms: u64) -> Result<u32, EngineError> {
        self.conns.set_now(now_ms);
        self.engine.new_template(template, now_ms)
    }

    /// A new chain tip.
    pub fn set_prev_hash(
        &mut self,
        prev_hash: TdpSetNewPrevHash,
        now_ms: u64,
    ) -> Result<(), EngineError> {
        self.conns.set_now(now_ms);
        // A tip given directly replaces a synthetic block still waiting for a channel.
        self.deferred_block = None;
        self.engine.set_prev_hash(prev_hash, now_ms)
    }

    /// The next block from a synthetic source, given to the pool (every channel gets a new
    /// clean job). Unless the source has a fixed difficulty, its network target is
    /// `block_difficulty_factor` times harder than the hardest open channel's share target,
    /// so blocks stay rare next to shares and few shares go stale on the prevhash changes
    /// (issue 14). Without any open channel there is no share target yet: the block is then
    /// kept and given to the engine, with its target, when the first channel opens.
    pub fn next_synthetic_block(
        &mut self,
        source: &mut SyntheticTemplateSource,
        header_timestamp: u32,
        now_ms: u64,
    ) -> Result<(), EngineError> {
        self.conns.set_now(now_ms);
        let factor = self.engine.config().block_difficulty_factor;
        match self.engine.hardest_share_target() {
            Some(share_target) => {
                self.deferred_block = None;
                let (template, prev_hash) =
                    source.next_block_for_shares(header_timestamp, share_target, factor);
                self.new_template(template, now_ms)?;
                self.set_prev_hash(prev_hash, now_ms)
            }
            None if source.fixed_nbits().is_some() => {
                self.deferred_block = None;
                let (template, prev_hash) = source.next_block(header_timestamp);
                self.new_template(template, now_ms)?;
                self.set_prev_hash(prev_hash, now_ms)
            }
            None => {
                let max_target = self.engine.config().max_target;
                self.deferred_block =
                    Some(source.next_block_for_shares(header_timestamp, max_target, factor));
                Ok(())
            }
        }
    }

    /// Gives the engine a deferred synthetic block once a channel has a share target.
    fn release_deferred_block(&mut self) {
        let Some(share_target) = self.engine.hardest_share_target() else {
            return;
        };
        let Some((template, mut prev_hash)) = self.deferred_block.take() else {
            return;
        };
        let factor = self.engine.config().block_difficulty_factor;
        prev_hash.n_bits = super::pool::nbits_harder_than(share_target, factor);
        prev_hash.target =
            crate::mining::nbits_to_target(prev_hash.n_bits).unwrap_or(prev_hash.target);
        let now = self.conns.now_ms();
        let result = self
            .engine
            .new_template(template, now)
            .and_then(|_| self.engine.set_prev_hash(prev_hash, now));
        if let Err(error) = result {
            // A synthetic block is always valid; should the engine still refuse it, say so.
            self.events
                .push_back(PoolServerEvent::EngineError { conn: 0, error });
        }
    }

    /// True when `conn` has bytes to send.
    pub fn wants_write(&self, conn: ConnectionId) -> bool {
        self.conns.wants_write(conn)
    }

    /// Connections with bytes to send.
    pub fn writable_connections(&self) -> Vec<ConnectionId> {
        self.conns.writable_connections()
    }

    /// Appends `conn`'s pending bytes to `out`.
    pub fn take_data_to_send(&mut self, conn: ConnectionId, out: &mut Vec<u8>) {
        self.route_outgoing();
        self.conns.take_data_to_send(conn, out);
    }

    /// Copies up to `buf.len()` of `conn`'s pending bytes; call until 0.
    pub fn data_to_send(&mut self, conn: ConnectionId, buf: &mut [u8]) -> usize {
        self.route_outgoing();
        self.conns.data_to_send(conn, buf)
    }

    /// The earliest timer of the engine and the sessions.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.conns
            .poll_timeout()
            .into_iter()
            .chain(self.engine.poll_timeout())
            .min()
    }

    /// Fires expired timers (session timeouts, vardiff, batched acknowledgements).
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.engine.handle_timeout(now_ms);
        self.conns.handle_timeout(now_ms);
    }

    /// Hands the engine's messages to the sessions; a session that cannot take one is closed
    /// rather than silently losing acknowledgements (the miner reconnects).
    fn route_outgoing(&mut self) {
        while let Some((conn, message)) = self.engine.next_outgoing() {
            self.conns.send(conn, &message);
        }
    }

    /// The next event; also moves messages between the sessions and the engine.
    pub fn next_event(&mut self) -> Option<PoolServerEvent> {
        loop {
            if let Some(event) = self.events.pop_front() {
                self.route_outgoing();
                return Some(event);
            }
            if let Some(event) = self.engine.next_event() {
                if self.deferred_block.is_some() && matches!(event, PoolEvent::ChannelOpened { .. })
                {
                    self.release_deferred_block();
                }
                self.route_outgoing();
                return Some(PoolServerEvent::Engine(event));
            }
            let Some((conn, event)) = self.conns.next_event() else {
                // Messages the engine queued outside a session event (a template, a new tip,
                // a server-initiated action) reach the sessions now, so that
                // `writable_connections` sees them once the events are drained.
                self.route_outgoing();
                return None;
            };
            self.session_event(conn, event);
            self.route_outgoing();
        }
    }

    fn session_event(&mut self, conn: ConnectionId, event: Event) {
        let now = self.conns.now_ms();
        match event {
            Event::HandshakeComplete { .. } | Event::Forward(_) => {}
            Event::SetupComplete {
                requested_flags,
                setup,
                ..
            } => {
                let Some(dialect) = self.conns.get(conn).map(Session::dialect) else {
                    return;
                };
                let flags = super::miner::wire_to_spec_flags(requested_flags, dialect);
                match self.engine.connection_opened(conn, flags) {
                    Ok(_) => self
                        .events
                        .push_back(PoolServerEvent::Connected { conn, setup }),
                    Err(error) => {
                        self.conns.close(conn);
                        self.events
                            .push_back(PoolServerEvent::EngineError { conn, error });
                    }
                }
            }
            Event::Message(message) => {
                if let Err(error) = self.engine.handle_message(conn, message, now) {
                    self.events
                        .push_back(PoolServerEvent::EngineError { conn, error });
                }
            }
            Event::Closed(reason) => {
                self.engine.connection_closed(conn, now);
                self.events
                    .push_back(PoolServerEvent::Closed { conn, reason });
            }
        }
    }
}
