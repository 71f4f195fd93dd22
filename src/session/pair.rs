//! Two sessions wired back to back with fake time: the harness every protocol test uses (and
//! the bindings' tests too). Bytes move only when [`Pair::pump`] is called, optionally in small
//! pieces, so that tests control interleaving exactly.

use super::{Event, Session, SessionError};

/// A client and a server session connected in memory.
#[derive(Debug)]
pub struct Pair {
    /// The client end.
    pub client: Session,
    /// The server end.
    pub server: Session,
    /// The fake clock, in milliseconds.
    pub now_ms: u64,
    /// Deliver bytes in pieces of at most this many bytes (`None`: all at once).
    pub chunk: Option<usize>,
    to_server: Vec<u8>,
    to_client: Vec<u8>,
}

impl Pair {
    /// Connects two sessions.
    pub fn new(client: Session, server: Session) -> Pair {
        Pair {
            client,
            server,
            now_ms: 0,
            chunk: None,
            to_server: Vec::new(),
            to_client: Vec::new(),
        }
    }

    /// Moves bytes both ways until neither side has anything left to send or deliver. Input a
    /// session refuses for backpressure stays in flight until a later pump. Returns the first
    /// error a `receive_data` reported (the session also reports it as a `Closed` event).
    pub fn pump(&mut self) -> Result<(), SessionError> {
        let mut first_error = None;
        for _ in 0..10_000 {
            self.client.take_data_to_send(&mut self.to_server);
            self.server.take_data_to_send(&mut self.to_client);
            let moved_to_server = deliver(
                &mut self.server,
                &mut self.to_server,
                self.chunk,
                self.now_ms,
            );
            let moved_to_client = deliver(
                &mut self.client,
                &mut self.to_client,
                self.chunk,
                self.now_ms,
            );
            for result in [&moved_to_server, &moved_to_client] {
                if let Err(e) = result {
                    first_error.get_or_insert(e.clone());
                }
            }
            let moved = matches!(moved_to_server, Ok(true)) || matches!(moved_to_client, Ok(true));
            if !moved && !self.client.wants_write() && !self.server.wants_write() {
                break;
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Advances the fake clock and fires both sessions' timers.
    pub fn advance(&mut self, ms: u64) {
        self.now_ms += ms;
        self.client.handle_timeout(self.now_ms);
        self.server.handle_timeout(self.now_ms);
    }

    /// Drains the client's events.
    pub fn client_events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.client.next_event()).collect()
    }

    /// Drains the server's events.
    pub fn server_events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.server.next_event()).collect()
    }
}

/// Feeds `pending` to `session`; `Ok(true)` if anything was consumed.
fn deliver(
    session: &mut Session,
    pending: &mut Vec<u8>,
    chunk: Option<usize>,
    now_ms: u64,
) -> Result<bool, SessionError> {
    if pending.is_empty() || session.is_closed() {
        pending.clear();
        return Ok(false);
    }
    let mut consumed = 0;
    let step = chunk.unwrap_or(usize::MAX).max(1);
    let mut result = Ok(());
    while consumed < pending.len() {
        let end = consumed + step.min(pending.len() - consumed);
        match session.receive_data(&pending[consumed..end], now_ms) {
            Ok(()) => consumed = end,
            Err(SessionError::InputBufferFull { .. }) => break,
            Err(e) => {
                result = Err(e);
                consumed = pending.len();
            }
        }
    }
    pending.drain(..consumed);
    result.map(|()| consumed > 0)
}
