//! The downstream half of every server role: one [`Session`] per accepted connection, keyed by
//! a [`ConnectionId`], with the bookkeeping each role would otherwise repeat — which
//! connections have events to look at, timers, routing outgoing messages and closing a
//! connection that cannot take more. The pool, the template provider and the proxies hold one
//! and add their protocol logic on top; still sans-I/O (bytes and time in, events and bytes
//! out).

use super::{Event, ServerConfig, Session, SessionError};
use crate::messages::Message;
use std::collections::{HashMap, HashSet, VecDeque};

/// Identifies one downstream connection of a server role. Never reused by one
/// [`ConnectionSet`].
pub type ConnectionId = u64;

/// Sessions of the accepted connections. See the module documentation.
pub struct ConnectionSet {
    config: ServerConfig,
    sessions: HashMap<ConnectionId, Session>,
    /// Connections with events to look at (received bytes or fired timers), in order.
    dirty: VecDeque<ConnectionId>,
    dirty_set: HashSet<ConnectionId>,
    next_conn: ConnectionId,
    now_ms: u64,
}

impl std::fmt::Debug for ConnectionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionSet")
            .field("connections", &self.sessions.len())
            .finish()
    }
}

impl ConnectionSet {
    /// Connections configured by `config` (shared by all of them).
    pub fn new(config: ServerConfig) -> Self {
        ConnectionSet {
            config,
            sessions: HashMap::new(),
            dirty: VecDeque::new(),
            dirty_set: HashSet::new(),
            next_conn: 1,
            now_ms: 0,
        }
    }

    /// The configuration new connections get.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The time of the latest call that carried one.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Records the time of a call that carried one.
    pub fn set_now(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
    }

    /// Open connections (closed ones count until [`ConnectionSet::remove`]).
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// True without connections.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The connections' ids, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = ConnectionId> + '_ {
        self.sessions.keys().copied()
    }

    /// A connection's session.
    pub fn get(&self, conn: ConnectionId) -> Option<&Session> {
        self.sessions.get(&conn)
    }

    /// A connection's session, mutably (closing it through here: also call
    /// [`ConnectionSet::close`] so that its Closed event is looked at).
    pub fn get_mut(&mut self, conn: ConnectionId) -> Option<&mut Session> {
        self.sessions.get_mut(&conn)
    }

    /// Switches the wire tap on or off for every connection, open and future (see
    /// [`Session::set_trace`]).
    pub fn set_trace(&mut self, enabled: bool) {
        self.config.trace = enabled;
        for session in self.sessions.values_mut() {
            session.set_trace(enabled);
        }
    }

    /// The oldest traced frame of any connection, lowest connection id first, as its JSON line
    /// (see [`Session::next_trace_json`]). Entries of a removed connection are gone with it.
    pub fn next_trace_json(&mut self) -> Option<(ConnectionId, String)> {
        let mut conns: Vec<ConnectionId> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.is_tracing())
            .map(|(c, _)| *c)
            .collect();
        conns.sort_unstable();
        conns.into_iter().find_map(|c| {
            self.sessions
                .get_mut(&c)
                .and_then(Session::next_trace_json)
                .map(|line| (c, line))
        })
    }

    /// A new connection (socket accepted); returns its id.
    pub fn accept(&mut self, now_ms: u64) -> Result<ConnectionId, SessionError> {
        self.now_ms = now_ms;
        let session = Session::server(self.config.clone(), now_ms)?;
        let conn = self.next_conn;
        self.next_conn += 1;
        self.sessions.insert(conn, session);
        Ok(conn)
    }

    fn mark(&mut self, conn: ConnectionId) {
        if self.dirty_set.insert(conn) {
            self.dirty.push_back(conn);
        }
    }

    /// Bytes received on `conn`. An error also closes the session (its Closed event follows).
    pub fn receive_data(
        &mut self,
        conn: ConnectionId,
        data: &[u8],
        now_ms: u64,
    ) -> Result<(), SessionError> {
        self.now_ms = now_ms;
        let session = self.sessions.get_mut(&conn).ok_or(SessionError::Closed)?;
        let result = session.receive_data(data, now_ms);
        self.mark(conn);
        result
    }

    /// `conn`'s socket reached end of file.
    pub fn peer_closed(&mut self, conn: ConnectionId) {
        if let Some(session) = self.sessions.get_mut(&conn) {
            session.peer_closed();
            self.mark(conn);
        }
    }

    /// Closes `conn` from this side (its Closed event follows).
    pub fn close(&mut self, conn: ConnectionId) {
        if let Some(session) = self.sessions.get_mut(&conn) {
            session.close();
            self.mark(conn);
        }
    }

    /// Forgets `conn` (after its Closed event and last bytes). Returns true if the session
    /// was still open, i.e. no Closed event was or will be reported for it.
    pub fn remove(&mut self, conn: ConnectionId) -> bool {
        self.dirty_set.remove(&conn);
        match self.sessions.remove(&conn) {
            Some(mut session) if !session.is_closed() => {
                session.close();
                true
            }
            _ => false,
        }
    }

    /// Queues `message` on `conn`. A session that cannot take it (output buffer full, or any
    /// error but an already closed session) is closed rather than silently losing what the
    /// role meant to say: the peer reconnects. Returns whether the message was queued.
    pub fn send(&mut self, conn: ConnectionId, message: &Message) -> bool {
        let now = self.now_ms;
        let Some(session) = self.sessions.get_mut(&conn) else {
            return false;
        };
        match session.send(message, now) {
            Ok(()) => true,
            Err(SessionError::Closed) => false,
            Err(_) => {
                session.close();
                self.mark(conn);
                false
            }
        }
    }

    /// True when `conn` has bytes to send.
    pub fn wants_write(&self, conn: ConnectionId) -> bool {
        self.sessions.get(&conn).is_some_and(Session::wants_write)
    }

    /// Connections with bytes to send.
    pub fn writable_connections(&self) -> Vec<ConnectionId> {
        self.sessions
            .iter()
            .filter(|(_, s)| s.wants_write())
            .map(|(c, _)| *c)
            .collect()
    }

    /// Appends `conn`'s pending bytes to `out`.
    pub fn take_data_to_send(&mut self, conn: ConnectionId, out: &mut Vec<u8>) {
        if let Some(session) = self.sessions.get_mut(&conn) {
            session.take_data_to_send(out);
        }
    }

    /// Copies up to `buf.len()` of `conn`'s pending bytes; call until 0.
    pub fn data_to_send(&mut self, conn: ConnectionId, buf: &mut [u8]) -> usize {
        self.sessions
            .get_mut(&conn)
            .map_or(0, |s| s.data_to_send(buf))
    }

    /// The earliest session timer.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.sessions
            .values()
            .filter_map(Session::poll_timeout)
            .min()
    }

    /// Fires the session timers that expired by `now_ms`.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        let expired: Vec<ConnectionId> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.poll_timeout().is_some_and(|at| at <= now_ms))
            .map(|(c, _)| *c)
            .collect();
        for conn in expired {
            if let Some(session) = self.sessions.get_mut(&conn) {
                session.handle_timeout(now_ms);
            }
            self.mark(conn);
        }
    }

    /// The next session event of any connection, in the order the connections became
    /// active; `None` when every session is drained.
    pub fn next_event(&mut self) -> Option<(ConnectionId, Event)> {
        loop {
            let conn = *self.dirty.front()?;
            match self.sessions.get_mut(&conn).and_then(Session::next_event) {
                Some(event) => return Some((conn, event)),
                None => {
                    self.dirty.pop_front();
                    self.dirty_set.remove(&conn);
                }
            }
        }
    }
}
