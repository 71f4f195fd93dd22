//! The Template Provider (06): the server side of Template Distribution.
//!
//! ```text
//! let mut tp = TemplateProvider::new(ProviderConfig::new(server_config));
//! tp.set_template(template_from_the_node, now_ms)?;   // on every template or tip change
//! // on accept:   let conn = tp.accept(now_ms)?;
//! // on readable: tp.receive_data(conn, &bytes, now_ms)?;
//! // on timeout:  tp.handle_timeout(now_ms);
//! // then:        while let Some(event) = tp.next_event() { … }   // Solution → submitblock
//! //              for each connection: tp.take_data_to_send(conn, &mut out) → socket
//! ```
//!
//! Per connection (C.12): the client's `CoinbaseOutputDataSize` (R131, R135) is answered at
//! once with the current template as a future `NewTemplate` and the `SetNewPrevHash` that
//! activates it (R132); after that every tip change sends the same pair, and every new
//! template on the same tip a non-future `NewTemplate` (R133). Template ids come from one
//! counter and only grow (R137, E56). `RequestTransactionData` is answered from the templates
//! kept (R142), `SubmitSolution` becomes a full block for the caller to broadcast (R134,
//! R144).

use super::block::{AssembledBlock, BlockTemplate, TemplateError, TemplateVariant};
use crate::codec::{Str0255, U256};
use crate::messages::{
    Message, Protocol, RequestTransactionDataError, RequestTransactionDataSuccess, SetupConnection,
    SubmitSolution,
};
use crate::session::{
    CloseReason, ConnectionId, ConnectionSet, Event, ProtocolSupport, ServerConfig, SessionError,
};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// `RequestTransactionData.Error` code for an id the provider never sent or no longer keeps
/// (06 §6.6).
pub const ERROR_TEMPLATE_ID_NOT_FOUND: &str = "template-id-not-found";
/// `RequestTransactionData.Error` code for a template of a tip that is no longer the best: its
/// transactions may have been mined already. Not in the 2022 text, which names only
/// `template-id-not-found`; later specs added it (docs/errata.md).
pub const ERROR_STALE_TEMPLATE_ID: &str = "stale-template-id";

/// How a provider runs.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// Security, dialect, limits and timeouts of the connections (its protocol list is
    /// replaced by Template Distribution).
    pub server: ServerConfig,
    /// Templates kept for `RequestTransactionData` and `SubmitSolution`, oldest dropped first.
    pub max_templates: usize,
}

impl ProviderConfig {
    /// A provider with `server`'s connections keeping the last 64 templates.
    pub fn new(server: ServerConfig) -> Self {
        ProviderConfig {
            server,
            max_templates: 64,
        }
    }
}

/// Misuse of the provider.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// A template builds on a tip the provider already left: sending it would put clients
    /// back on a stale chain.
    #[error("template builds on a stale tip")]
    StaleTip,
    /// A template that no client reservation could use (kept nevertheless for later clients).
    #[error("template: {0}")]
    Template(#[from] TemplateError),
}

/// What a [`TemplateProvider::set_template`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateUpdate {
    /// A new tip: clients got a future template and a SetNewPrevHash.
    NewTip,
    /// Another template on the current tip: clients got a non-future template.
    SameTip,
}

/// What the provider reports. Drain with [`TemplateProvider::next_event`].
#[derive(Debug)]
pub enum ProviderEvent {
    /// A connection completed SetupConnection for Template Distribution.
    Connected {
        /// The connection.
        conn: ConnectionId,
        /// The client's SetupConnection.
        setup: Box<SetupConnection>,
    },
    /// A client told how many bytes of coinbase outputs it adds (CoinbaseOutputDataSize).
    CoinbaseOutputDataSize {
        /// The connection.
        conn: ConnectionId,
        /// `coinbase_output_max_additional_size`.
        size: u32,
    },
    /// A client asked for more coinbase space than any block has: it is being closed.
    ReservationRefused {
        /// The connection.
        conn: ConnectionId,
        /// Why.
        error: TemplateError,
    },
    /// A solution became a block: broadcast it (Bitcoin Core `submitblock`).
    Solution {
        /// The connection it came from.
        conn: ConnectionId,
        /// The template it was found on.
        template_id: u64,
        /// Its height.
        height: u32,
        /// True if the provider has moved to another tip since that template: the block
        /// competes with the one that made it stale (still worth broadcasting at once).
        stale: bool,
        /// The block.
        block: AssembledBlock,
    },
    /// A SubmitSolution that is not a block (unknown template, malformed coinbase, above
    /// target). Nothing is broadcast; the connection stays.
    SolutionRefused {
        /// The connection.
        conn: ConnectionId,
        /// The template id it named.
        template_id: u64,
        /// Why; `None` for a template the provider does not know (never sent, or dropped).
        error: Option<TemplateError>,
    },
    /// The connection ended. Send what `take_data_to_send` still holds, close the socket,
    /// then call [`TemplateProvider::remove`].
    Closed {
        /// The connection.
        conn: ConnectionId,
        /// Why.
        reason: CloseReason,
    },
}

/// Counters of a provider's life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProviderStats {
    /// Connections open now.
    pub connections: usize,
    /// Connections that sent CoinbaseOutputDataSize and get templates.
    pub clients: usize,
    /// NewTemplate messages sent.
    pub templates_sent: u64,
    /// Tips announced (SetNewPrevHash rounds).
    pub tips: u64,
    /// SubmitSolution messages that became blocks.
    pub solutions: u64,
    /// SubmitSolution messages refused.
    pub solutions_refused: u64,
    /// RequestTransactionData answered with `.Success`.
    pub transaction_data_served: u64,
    /// Height of the current template (0 before the first).
    pub height: u32,
}

struct Stored {
    template: Arc<BlockTemplate>,
    variant: TemplateVariant,
    generation: u64,
}

#[derive(Default)]
struct Client {
    /// `None` until CoinbaseOutputDataSize; then what the client adds to the coinbase.
    reservation: Option<u32>,
}

/// The current tip: its best template and the ids its variants got.
struct Tip {
    generation: u64,
    template: Arc<BlockTemplate>,
    /// `transactions kept → template id` of the current template.
    variant_ids: HashMap<usize, u64>,
    /// `reservation → transactions kept` of the current template: computing it sums every
    /// transaction's weight, too much to redo for each of a thousand clients.
    kept_for: HashMap<u32, usize>,
}

/// The Template Provider role. See the module documentation.
pub struct TemplateProvider {
    conns: ConnectionSet,
    clients: HashMap<ConnectionId, Client>,
    tip: Option<Tip>,
    /// Prev hashes of the tips left behind (most recent last, bounded).
    left_tips: VecDeque<U256>,
    templates: HashMap<u64, Stored>,
    template_order: VecDeque<u64>,
    max_templates: usize,
    next_template_id: u64,
    events: VecDeque<ProviderEvent>,
    stats: ProviderStats,
}

impl std::fmt::Debug for TemplateProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateProvider")
            .field("stats", &self.stats)
            .finish()
    }
}

/// How many left-behind tips are remembered, to refuse templates built on them.
const LEFT_TIPS_KEPT: usize = 16;

impl TemplateProvider {
    /// A provider without templates yet.
    pub fn new(mut config: ProviderConfig) -> Self {
        config.server.protocols = vec![ProtocolSupport {
            protocol: Protocol::TemplateDistribution,
            // No flags are defined for this protocol (E58).
            supported_flags: 0,
            success_flags: 0,
        }];
        TemplateProvider {
            conns: ConnectionSet::new(config.server),
            clients: HashMap::new(),
            tip: None,
            left_tips: VecDeque::new(),
            templates: HashMap::new(),
            template_order: VecDeque::new(),
            max_templates: config.max_templates.max(1),
            next_template_id: 1,
            events: VecDeque::new(),
            stats: ProviderStats::default(),
        }
    }

    /// Counters.
    pub fn stats(&self) -> ProviderStats {
        ProviderStats {
            connections: self.conns.len(),
            clients: self
                .clients
                .values()
                .filter(|c| c.reservation.is_some())
                .count(),
            ..self.stats
        }
    }

    /// The current template, if any.
    pub fn current_template(&self) -> Option<&BlockTemplate> {
        self.tip.as_ref().map(|t| &*t.template)
    }

    /// A new connection (socket accepted); returns its id.
    pub fn accept(&mut self, now_ms: u64) -> Result<ConnectionId, SessionError> {
        let conn = self.conns.accept(now_ms)?;
        self.clients.insert(conn, Client::default());
        Ok(conn)
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

    /// Closes `conn` from the provider's side.
    pub fn close(&mut self, conn: ConnectionId) {
        self.conns.close(conn);
    }

    /// Forgets a closed connection (after its Closed event and last bytes).
    pub fn remove(&mut self, conn: ConnectionId) {
        self.conns.remove(conn);
        self.clients.remove(&conn);
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
        self.pump();
        self.conns.take_data_to_send(conn, out);
    }

    /// Copies up to `buf.len()` of `conn`'s pending bytes; call until 0.
    pub fn data_to_send(&mut self, conn: ConnectionId, buf: &mut [u8]) -> usize {
        self.pump();
        self.conns.data_to_send(conn, buf)
    }

    /// The earliest session timer.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.conns.poll_timeout()
    }

    /// Fires expired session timers.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.conns.handle_timeout(now_ms);
    }

    /// The next event; also answers what the clients sent.
    pub fn next_event(&mut self) -> Option<ProviderEvent> {
        self.pump();
        self.events.pop_front()
    }

    /// Hands the provider a template from its source. A template on a new tip goes to every
    /// client as a future template plus SetNewPrevHash; one on the current tip as a
    /// non-future template. A client whose reservation this template cannot leave room for
    /// is closed (ReservationRefused).
    pub fn set_template(
        &mut self,
        template: BlockTemplate,
        now_ms: u64,
    ) -> Result<TemplateUpdate, ProviderError> {
        self.conns.set_now(now_ms);
        let new_tip = self
            .tip
            .as_ref()
            .is_none_or(|t| t.template.prev_hash != template.prev_hash);
        if new_tip && self.left_tips.contains(&template.prev_hash) {
            return Err(ProviderError::StaleTip);
        }
        let template = Arc::new(template);
        self.stats.height = template.height;
        let update = if new_tip {
            let generation = match self.tip.take() {
                Some(old) => {
                    self.left_tips.push_back(old.template.prev_hash);
                    if self.left_tips.len() > LEFT_TIPS_KEPT {
                        self.left_tips.pop_front();
                    }
                    old.generation + 1
                }
                None => 1,
            };
            self.stats.tips += 1;
            self.tip = Some(Tip {
                generation,
                template,
                variant_ids: HashMap::new(),
                kept_for: HashMap::new(),
            });
            TemplateUpdate::NewTip
        } else if let Some(tip) = self.tip.as_mut() {
            tip.template = template;
            tip.variant_ids.clear();
            tip.kept_for.clear();
            TemplateUpdate::SameTip
        } else {
            return Err(ProviderError::StaleTip);
        };
        let served: Vec<(ConnectionId, u32)> = self
            .clients
            .iter()
            .filter_map(|(conn, c)| c.reservation.map(|r| (*conn, r)))
            .collect();
        for (conn, reservation) in served {
            self.send_current(conn, reservation, update == TemplateUpdate::NewTip);
        }
        Ok(update)
    }

    /// The id of the current template's variant for `reservation`, creating it if needed.
    /// `None` before the first template.
    fn variant_id(&mut self, reservation: u32) -> Option<Result<u64, TemplateError>> {
        let tip = self.tip.as_mut()?;
        let kept = match tip.kept_for.get(&reservation) {
            Some(kept) => *kept,
            None => match tip.template.transactions_fitting(reservation) {
                Ok(kept) => {
                    tip.kept_for.insert(reservation, kept);
                    kept
                }
                Err(error) => return Some(Err(error)),
            },
        };
        if let Some(id) = tip.variant_ids.get(&kept) {
            return Some(Ok(*id));
        }
        let id = self.next_template_id;
        self.next_template_id += 1;
        tip.variant_ids.insert(kept, id);
        let stored = Stored {
            variant: tip.template.variant(kept),
            template: tip.template.clone(),
            generation: tip.generation,
        };
        self.templates.insert(id, stored);
        self.template_order.push_back(id);
        while self.template_order.len() > self.max_templates {
            if let Some(old) = self.template_order.pop_front() {
                self.templates.remove(&old);
            }
        }
        Some(Ok(id))
    }

    /// Sends `conn` the current template for its reservation: future + SetNewPrevHash when
    /// `activate`, else a non-future template.
    fn send_current(&mut self, conn: ConnectionId, reservation: u32, activate: bool) {
        let id = match self.variant_id(reservation) {
            None => return,
            Some(Ok(id)) => id,
            Some(Err(error)) => {
                self.events
                    .push_back(ProviderEvent::ReservationRefused { conn, error });
                self.conns.close(conn);
                return;
            }
        };
        let Some(stored) = self.templates.get(&id) else {
            return;
        };
        let new_template = stored.template.new_template(id, activate, &stored.variant);
        let prev_hash = activate.then(|| stored.template.set_new_prev_hash(id));
        if self.conns.send(conn, &Message::from(new_template)) {
            self.stats.templates_sent += 1;
        }
        if let Some(prev_hash) = prev_hash {
            self.conns.send(conn, &Message::from(prev_hash));
        }
    }

    /// Drains the sessions: setup, the clients' messages, closes.
    fn pump(&mut self) {
        while let Some((conn, event)) = self.conns.next_event() {
            match event {
                Event::HandshakeComplete { .. } | Event::Forward(_) => {}
                Event::SetupComplete { setup, .. } => {
                    self.events
                        .push_back(ProviderEvent::Connected { conn, setup });
                }
                Event::Message(message) => self.handle_message(conn, message),
                Event::Closed(reason) => {
                    if let Some(client) = self.clients.get_mut(&conn) {
                        client.reservation = None;
                    }
                    self.events
                        .push_back(ProviderEvent::Closed { conn, reason });
                }
            }
        }
    }

    fn handle_message(&mut self, conn: ConnectionId, message: Message) {
        match message {
            Message::CoinbaseOutputDataSize(m) => {
                let size = m.coinbase_output_max_additional_size;
                let first = self
                    .clients
                    .get(&conn)
                    .is_some_and(|c| c.reservation.is_none());
                if let Some(client) = self.clients.get_mut(&conn) {
                    client.reservation = Some(size);
                }
                self.events
                    .push_back(ProviderEvent::CoinbaseOutputDataSize { conn, size });
                if self.tip.is_some() {
                    // R131/R132: the first answer activates a template; a later change of
                    // reservation gets a template for it on the same tip.
                    self.send_current(conn, size, first);
                }
            }
            Message::RequestTransactionData(m) => {
                let answer = match self.templates.get(&m.template_id) {
                    Some(stored) if Some(stored.generation) == self.generation() => {
                        let (excess_data, transaction_list) =
                            stored.template.transaction_data(&stored.variant);
                        self.stats.transaction_data_served += 1;
                        Message::from(RequestTransactionDataSuccess {
                            template_id: m.template_id,
                            excess_data,
                            transaction_list,
                        })
                    }
                    found => Message::from(RequestTransactionDataError {
                        template_id: m.template_id,
                        error_code: Str0255::from(if found.is_some() {
                            ERROR_STALE_TEMPLATE_ID
                        } else {
                            ERROR_TEMPLATE_ID_NOT_FOUND
                        }),
                    }),
                };
                self.conns.send(conn, &answer);
            }
            Message::SubmitSolution(solution) => self.handle_solution(conn, &solution),
            // The session lets through only what a Template Distribution client may send;
            // anything else has no meaning here.
            _ => {}
        }
    }

    fn generation(&self) -> Option<u64> {
        self.tip.as_ref().map(|t| t.generation)
    }

    fn handle_solution(&mut self, conn: ConnectionId, solution: &SubmitSolution) {
        let template_id = solution.template_id;
        let generation = self.generation();
        let Some(stored) = self.templates.get(&template_id) else {
            self.stats.solutions_refused += 1;
            self.events.push_back(ProviderEvent::SolutionRefused {
                conn,
                template_id,
                error: None,
            });
            return;
        };
        match stored.template.assemble(&stored.variant, solution) {
            Ok(block) => {
                self.stats.solutions += 1;
                self.events.push_back(ProviderEvent::Solution {
                    conn,
                    template_id,
                    height: stored.template.height,
                    stale: Some(stored.generation) != generation,
                    block,
                });
            }
            Err(error) => {
                self.stats.solutions_refused += 1;
                self.events.push_back(ProviderEvent::SolutionRefused {
                    conn,
                    template_id,
                    error: Some(error),
                });
            }
        }
    }
}
