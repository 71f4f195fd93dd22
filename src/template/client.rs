//! The Template Distribution client (06): what a pool or a job negotiator runs towards its
//! Template Provider. It sends `CoinbaseOutputDataSize` as soon as the connection is set up
//! (R131), reports templates and new tips, and sends `RequestTransactionData` and
//! `SubmitSolution` for the caller. [`TemplateClient::feed_pool`] hands what it receives to a
//! [`PoolServer`], and [`TemplateClient::submit_block_found`] returns the pool's blocks to the
//! provider (R144).
//!
//! A reconnect is a new `TemplateClient` on a new socket: the pool's channels live in the
//! pool, not here, and carry on with the next template the provider sends.

use crate::messages::{
    CoinbaseOutputDataSize, Message, NewTemplate, Protocol, RequestTransactionData,
    RequestTransactionDataError, RequestTransactionDataSuccess, SubmitSolution, TdpSetNewPrevHash,
};
use crate::mining::pool::{BlockFound, EngineError};
use crate::mining::pool_server::PoolServer;
use crate::session::{ClientConfig, ClientSecurity, CloseReason, Event, Session, SessionError};
use std::collections::VecDeque;

/// Largest frame a template client accepts by default: a `RequestTransactionData.Success`
/// carries a whole block's transactions (up to 4 MB of them, in a B0_16M list).
pub const TEMPLATE_CLIENT_MAX_FRAME: usize = 8 << 20;

/// How a template client connects.
#[derive(Clone, Debug)]
pub struct TemplateClientConfig {
    /// The session (security, dialect, limits, timeouts; its protocol is Template
    /// Distribution).
    pub session: ClientConfig,
    /// Bytes of coinbase outputs the client will add (`coinbase_output_max_additional_size`,
    /// R135): a pool's payout outputs, serialized.
    pub coinbase_output_max_additional_size: u32,
}

impl TemplateClientConfig {
    /// A client with `security`, announcing `vendor`, reserving `coinbase_outputs_size` bytes.
    /// Its frame limit is raised to [`TEMPLATE_CLIENT_MAX_FRAME`] for transaction data.
    pub fn new(security: ClientSecurity, vendor: &str, coinbase_outputs_size: u32) -> Self {
        let mut session = ClientConfig::new(security, Protocol::TemplateDistribution, 0, vendor);
        session.limits.max_frame_payload = session
            .limits
            .max_frame_payload
            .max(TEMPLATE_CLIENT_MAX_FRAME);
        session.limits.max_buffered_input = session
            .limits
            .max_buffered_input
            .max(TEMPLATE_CLIENT_MAX_FRAME + (1 << 17));
        TemplateClientConfig {
            session,
            coinbase_output_max_additional_size: coinbase_outputs_size,
        }
    }
}

/// What a template client reports.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplateClientEvent {
    /// Setup done and CoinbaseOutputDataSize sent: templates follow.
    Ready,
    /// A template (future ones wait for their SetNewPrevHash).
    NewTemplate(NewTemplate),
    /// A new tip, activating the future template it names (R139).
    SetNewPrevHash(TdpSetNewPrevHash),
    /// The transactions of a template (answer to [`TemplateClient::request_transaction_data`]).
    TransactionData(RequestTransactionDataSuccess),
    /// The provider could not give them (`template-id-not-found`, `stale-template-id`).
    TransactionDataError(RequestTransactionDataError),
    /// The connection ended.
    Closed(CloseReason),
}

/// The Template Distribution client role. See the module documentation.
#[derive(Debug)]
pub struct TemplateClient {
    session: Session,
    coinbase_output_max_additional_size: u32,
    events: VecDeque<TemplateClientEvent>,
    now_ms: u64,
}

impl TemplateClient {
    /// A client about to connect (the caller opens the socket).
    pub fn new(mut config: TemplateClientConfig, now_ms: u64) -> Result<Self, SessionError> {
        config.session.setup.protocol = Protocol::TemplateDistribution.setup_value().unwrap_or(2);
        Ok(TemplateClient {
            session: Session::client(config.session, now_ms)?,
            coinbase_output_max_additional_size: config.coinbase_output_max_additional_size,
            events: VecDeque::new(),
            now_ms,
        })
    }

    /// The session underneath (state, dialect, cipher).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// True once set up (templates may arrive) and until closed.
    pub fn is_ready(&self) -> bool {
        self.session.is_ready()
    }

    /// True once the connection ended.
    pub fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    /// Bytes received from the provider.
    pub fn receive_data(&mut self, data: &[u8], now_ms: u64) -> Result<(), SessionError> {
        self.now_ms = now_ms;
        self.session.receive_data(data, now_ms)
    }

    /// The socket reached end of file.
    pub fn peer_closed(&mut self) {
        self.session.peer_closed();
    }

    /// Closes the connection from this side.
    pub fn close(&mut self) {
        self.session.close();
    }

    /// True when there are bytes to send.
    pub fn wants_write(&self) -> bool {
        self.session.wants_write()
    }

    /// Appends the bytes to send to `out`.
    pub fn take_data_to_send(&mut self, out: &mut Vec<u8>) {
        self.session.take_data_to_send(out);
    }

    /// Copies up to `buf.len()` bytes to send; call until 0.
    pub fn data_to_send(&mut self, buf: &mut [u8]) -> usize {
        self.session.data_to_send(buf)
    }

    /// The session's next timer.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.session.poll_timeout()
    }

    /// Fires expired timers.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        self.session.handle_timeout(now_ms);
    }

    /// Asks for a template's transactions (R142); the answer is a
    /// [`TemplateClientEvent::TransactionData`] or [`TemplateClientEvent::TransactionDataError`].
    pub fn request_transaction_data(
        &mut self,
        template_id: u64,
        now_ms: u64,
    ) -> Result<(), SessionError> {
        self.now_ms = now_ms;
        self.session.send(
            &Message::from(RequestTransactionData { template_id }),
            now_ms,
        )
    }

    /// Sends a solution (R144).
    pub fn submit_solution(
        &mut self,
        solution: SubmitSolution,
        now_ms: u64,
    ) -> Result<(), SessionError> {
        self.now_ms = now_ms;
        self.session.send(&Message::from(solution), now_ms)
    }

    /// Sends the SubmitSolution of a block the pool found on one of this provider's
    /// templates. Returns false for a block of a custom job (the pool assembles that one from
    /// the negotiated transactions itself).
    pub fn submit_block_found(
        &mut self,
        found: &BlockFound,
        now_ms: u64,
    ) -> Result<bool, SessionError> {
        match &found.submit_solution {
            Some(solution) => self
                .submit_solution(solution.clone(), now_ms)
                .map(|()| true),
            None => Ok(false),
        }
    }

    /// Announces a new coinbase reservation (the pool's outputs changed); the provider
    /// answers with a template that leaves the room.
    pub fn set_coinbase_output_data_size(
        &mut self,
        size: u32,
        now_ms: u64,
    ) -> Result<(), SessionError> {
        self.coinbase_output_max_additional_size = size;
        if self.session.is_ready() {
            self.send_coinbase_output_data_size(now_ms)?;
        }
        Ok(())
    }

    fn send_coinbase_output_data_size(&mut self, now_ms: u64) -> Result<(), SessionError> {
        let message = CoinbaseOutputDataSize {
            coinbase_output_max_additional_size: self.coinbase_output_max_additional_size,
        };
        self.session.send(&Message::from(message), now_ms)
    }

    /// The next event.
    pub fn next_event(&mut self) -> Option<TemplateClientEvent> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Some(event);
            }
            let event = self.session.next_event()?;
            let translated = match event {
                Event::HandshakeComplete { .. } | Event::Forward(_) => None,
                Event::SetupComplete { .. } => {
                    // R131: CoinbaseOutputDataSize right after setup.
                    match self.send_coinbase_output_data_size(self.now_ms) {
                        Ok(()) => Some(TemplateClientEvent::Ready),
                        Err(error) => {
                            self.session.close();
                            Some(TemplateClientEvent::Closed(CloseReason::Error(error)))
                        }
                    }
                }
                Event::Message(message) => match message {
                    Message::NewTemplate(t) => Some(TemplateClientEvent::NewTemplate(*t)),
                    Message::TdpSetNewPrevHash(p) => Some(TemplateClientEvent::SetNewPrevHash(*p)),
                    Message::RequestTransactionDataSuccess(d) => {
                        Some(TemplateClientEvent::TransactionData(d))
                    }
                    Message::RequestTransactionDataError(e) => {
                        Some(TemplateClientEvent::TransactionDataError(e))
                    }
                    // The session lets through only what a provider may send.
                    _ => None,
                },
                Event::Closed(reason) => Some(TemplateClientEvent::Closed(reason)),
            };
            if let Some(event) = translated {
                return Some(event);
            }
        }
    }

    /// Hands a template or a new tip to `pool` (its engine makes jobs of them); other events
    /// are the caller's. Returns what the engine said of it.
    pub fn feed_pool(
        event: &TemplateClientEvent,
        pool: &mut PoolServer,
        now_ms: u64,
    ) -> Result<(), EngineError> {
        match event {
            TemplateClientEvent::NewTemplate(t) => pool.new_template(t.clone(), now_ms).map(|_| ()),
            TemplateClientEvent::SetNewPrevHash(p) => pool.set_prev_hash(p.clone(), now_ms),
            _ => Ok(()),
        }
    }
}
