//! The composed miner: one [`Session`] plus one [`MiningClient`], so that firmware holds a
//! single object (and the C API a single `sv2_miner` handle): bytes and time in; work, share
//! results and bytes to send out. Still sans-I/O.
//!
//! It sets the connection flags on the client when SetupConnection completes (translating the
//! dialect's bit layout), opens the configured channels, moves the client's messages into the
//! session, and after [`Miner::reconnect`] runs a new handshake with the same authority key
//! (R119) and re-opens the channels on the new connection (R116).
//!
//! ```text
//! let mut miner = Miner::new(config, now_ms)?;
//! loop {
//!     miner.take_data_to_send(&mut out);          // write to the socket
//!     miner.receive_data(&bytes, now_ms)?;        // or miner.handle_timeout(now_ms)
//!     while let Some(event) = miner.next_event() {
//!         match event {
//!             MinerEvent::Client(ClientEvent::NewWork(work)) => { /* hash it */ }
//!             MinerEvent::Client(ClientEvent::Reconnect { host, port }) => {
//!                 /* connect a new socket, then */ miner.reconnect(now_ms, now_unix)?;
//!             }
//!             MinerEvent::Closed(reason) => { /* reconnect or stop */ }
//!             _ => {}
//!         }
//!     }
//!     // shares: miner.submit_standard(..) / miner.submit_extended(..)
//! }
//! ```

use super::client::{
    ClientConfig as MiningClientConfig, ClientEvent, MiningClient, SubmitError, SubmitReceipt,
    UsageError,
};
use crate::codec::U256;
use crate::messages::Dialect;
use crate::noise::Cipher;
use crate::session::{
    ClientConfig as SessionConfig, ClientSecurity, CloseReason, Event, Session, SessionError,
};
use std::collections::VecDeque;

/// A channel the miner opens after every successful setup.
#[derive(Clone, Debug, PartialEq)]
pub enum ChannelRequest {
    /// A standard (header-only) channel.
    Standard {
        /// `user_identity`.
        user_identity: String,
        /// Expected hash rate, hashes per second.
        nominal_hash_rate: f32,
        /// Largest target accepted.
        max_target: U256,
    },
    /// An extended channel.
    Extended {
        /// `user_identity`.
        user_identity: String,
        /// Expected hash rate, hashes per second.
        nominal_hash_rate: f32,
        /// Largest target accepted.
        max_target: U256,
        /// Smallest extranonce the device needs.
        min_extranonce_size: u16,
    },
}

/// Configuration of a [`Miner`].
#[derive(Clone, Debug)]
pub struct MinerConfig {
    /// The connection: security (authority key), SetupConnection (flags in the **spec** bit
    /// layout; translated for the dialect on the wire), dialect, limits, timeouts.
    pub session: SessionConfig,
    /// Limits of the mining client.
    pub client: MiningClientConfig,
    /// Channels to open after each successful setup.
    pub channels: Vec<ChannelRequest>,
}

/// What the miner reports.
#[derive(Clone, Debug)]
pub enum MinerEvent {
    /// The Noise handshake completed.
    HandshakeComplete {
        /// The negotiated cipher.
        cipher: Cipher,
    },
    /// SetupConnection succeeded; channels are being opened.
    SetupComplete {
        /// SetupConnection.Success flags (spec bit layout).
        success_flags: u32,
    },
    /// A configured channel could not be opened on this connection (for example a standard
    /// channel when the server set REQUIRES_EXTENDED_CHANNELS, R43).
    ChannelRefused {
        /// The request.
        request: ChannelRequest,
        /// Why.
        error: UsageError,
    },
    /// Everything the mining client reports: channels, work, share results, reconnects.
    Client(ClientEvent),
    /// The connection ended. Call [`Miner::reconnect`] after opening a new socket to go on.
    Closed(CloseReason),
}

/// Why a miner call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MinerError {
    /// The connection refused the operation or failed.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The share was refused locally before sending.
    #[error(transparent)]
    Submit(#[from] SubmitError),
    /// The request was invalid.
    #[error(transparent)]
    Usage(#[from] UsageError),
}

/// Session + mining client. See the module documentation.
#[derive(Debug)]
pub struct Miner {
    config: MinerConfig,
    session: Session,
    client: MiningClient,
    events: VecDeque<MinerEvent>,
    now_ms: u64,
    /// Whether this connection's SetupComplete opened the configured channels; before that,
    /// `open_channel` only adds to them (opening at once too would open the channel twice).
    channels_opened: bool,
}

/// Mining SetupConnection flag bits 1 and 2 as the dialect puts them on the wire (sri-2023
/// swaps REQUIRES_WORK_SELECTION and REQUIRES_VERSION_ROLLING).
fn spec_to_wire_flags(flags: u32, dialect: &Dialect) -> u32 {
    let work_selection = (flags >> 1) & 1;
    let version_rolling = (flags >> 2) & 1;
    (flags & !0b110)
        | (work_selection << dialect.mining_flag_bit_work_selection())
        | (version_rolling << dialect.mining_flag_bit_version_rolling())
}

pub(crate) fn wire_to_spec_flags(flags: u32, dialect: &Dialect) -> u32 {
    let work_selection = (flags >> dialect.mining_flag_bit_work_selection()) & 1;
    let version_rolling = (flags >> dialect.mining_flag_bit_version_rolling()) & 1;
    (flags & !0b110) | (work_selection << 1) | (version_rolling << 2)
}

/// Checks `request` as opening it would, with `planned` channels to open before it.
fn check_on(
    client: &MiningClient,
    request: &ChannelRequest,
    planned: usize,
) -> Result<(), UsageError> {
    let (user_identity, nominal_hash_rate, min_extranonce_size) = match request {
        ChannelRequest::Standard {
            user_identity,
            nominal_hash_rate,
            ..
        } => (user_identity, *nominal_hash_rate, 0),
        ChannelRequest::Extended {
            user_identity,
            nominal_hash_rate,
            min_extranonce_size,
            ..
        } => (user_identity, *nominal_hash_rate, *min_extranonce_size),
    };
    client.check_channel_request(
        user_identity,
        nominal_hash_rate,
        min_extranonce_size,
        planned,
    )
}

/// Asks the client to open the channel `request` describes.
fn open_on(client: &mut MiningClient, request: &ChannelRequest) -> Result<u32, UsageError> {
    match request {
        ChannelRequest::Standard {
            user_identity,
            nominal_hash_rate,
            max_target,
        } => client.open_standard_channel(user_identity, *nominal_hash_rate, *max_target),
        ChannelRequest::Extended {
            user_identity,
            nominal_hash_rate,
            max_target,
            min_extranonce_size,
        } => client.open_extended_channel(
            user_identity,
            *nominal_hash_rate,
            *max_target,
            *min_extranonce_size,
        ),
    }
}

impl Miner {
    /// Starts the first connection: the handshake (or SetupConnection) is ready to send.
    pub fn new(config: MinerConfig, now_ms: u64) -> Result<Miner, SessionError> {
        let session = Self::open_session(&config, now_ms)?;
        let mut client = MiningClient::new(config.client.clone());
        client.set_dialect(config.session.dialect);
        Ok(Miner {
            client,
            config,
            session,
            events: VecDeque::new(),
            now_ms,
            channels_opened: false,
        })
    }

    fn open_session(config: &MinerConfig, now_ms: u64) -> Result<Session, SessionError> {
        let mut session_config = config.session.clone();
        session_config.setup.flags =
            spec_to_wire_flags(session_config.setup.flags, session_config.dialect);
        Session::client(session_config, now_ms)
    }

    /// Starts over on a new socket: a fresh session with the same security configuration (so
    /// the new server must prove the same authority, R119); the channels are re-opened once it
    /// is set up (R116). Pending shares of the old connection are reported as lost.
    /// `now_unix` (wall-clock seconds) is the time the new server's certificate is checked at.
    pub fn reconnect(&mut self, now_ms: u64, now_unix: u64) -> Result<(), SessionError> {
        self.now_ms = now_ms;
        if let ClientSecurity::Noise(noise) = &mut self.config.session.security {
            noise.now_unix = now_unix;
        }
        self.client.connection_closed();
        self.channels_opened = false;
        self.session = Self::open_session(&self.config, now_ms)?;
        Ok(())
    }

    /// The host and port announced in SetupConnection on the next connection (after a
    /// Reconnect to another host, 3.4).
    pub fn set_endpoint(&mut self, host: &str, port: u16) {
        self.config.session.setup.endpoint_host = host.into();
        self.config.session.setup.endpoint_port = port;
    }

    /// The mining client, for inspection (`current_work`, `channels`, `pending_shares`).
    pub fn client(&self) -> &MiningClient {
        &self.client
    }

    /// The session, for inspection.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The oldest traced frame of the connection as its JSON line, when the session config
    /// asked for a trace (`ClientConfig::trace`; see [`Session::next_trace_json`]). A
    /// reconnection starts a new session, and entries not taken before it are gone.
    pub fn next_trace_json(&mut self) -> Option<String> {
        self.session.next_trace_json()
    }

    /// Switches the wire tap on or off, for this connection and the ones reconnections open
    /// (see [`Session::set_trace`]).
    pub fn set_trace(&mut self, enabled: bool) {
        self.config.session.trace = enabled;
        self.session.set_trace(enabled);
    }

    /// Bytes from the socket.
    pub fn receive_data(&mut self, data: &[u8], now_ms: u64) -> Result<(), SessionError> {
        self.now_ms = now_ms;
        self.session.receive_data(data, now_ms)
    }

    /// Fires timers: the session's, and the channel opens unanswered for
    /// `MinerConfig::client.open_channel_timeout_ms` (a `ChannelOpenFailed` event with
    /// `OpenFailure::TimedOut`).
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        self.session.handle_timeout(now_ms);
        self.client.handle_timeout(now_ms);
    }

    /// When `handle_timeout` is next due.
    pub fn poll_timeout(&self) -> Option<u64> {
        match (self.session.poll_timeout(), self.client.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The socket reached end of file.
    pub fn peer_closed(&mut self) {
        self.session.peer_closed();
    }

    /// True when bytes are waiting to be sent.
    pub fn wants_write(&self) -> bool {
        self.session.wants_write() || self.client.outgoing_len() > 0
    }

    /// Appends every pending byte to `out`.
    pub fn take_data_to_send(&mut self, out: &mut Vec<u8>) {
        self.flush_client();
        self.session.take_data_to_send(out);
    }

    /// Copies up to `buf.len()` pending bytes; call until it returns 0.
    pub fn data_to_send(&mut self, buf: &mut [u8]) -> usize {
        self.flush_client();
        self.session.data_to_send(buf)
    }

    /// Moves the client's queued messages into the session (they are queued only once the
    /// connection is set up; before that the client holds them).
    fn flush_client(&mut self) {
        if !self.session.is_ready() {
            return;
        }
        while let Some(message) = self.client.next_outgoing() {
            if let Err(error) = self.session.send(&message, self.now_ms) {
                // The session refused (closed or full): the message is dropped and the error is
                // reported; share results for it will come as expiries or a closed channel.
                self.events
                    .push_back(MinerEvent::Closed(CloseReason::Error(error)));
                break;
            }
        }
        // Opens just sent start their timers now.
        self.client.handle_timeout(self.now_ms);
    }

    /// The next event.
    pub fn next_event(&mut self) -> Option<MinerEvent> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Some(event);
            }
            if let Some(event) = self.client.next_event() {
                return Some(MinerEvent::Client(event));
            }
            let event = self.session.next_event()?;
            match event {
                Event::HandshakeComplete { cipher, .. } => {
                    return Some(MinerEvent::HandshakeComplete { cipher })
                }
                Event::SetupComplete {
                    requested_flags,
                    success_flags,
                    ..
                } => {
                    let dialect = self.session.dialect();
                    let requested = wire_to_spec_flags(requested_flags, dialect);
                    self.client.set_connection_flags(requested, success_flags);
                    // Configured channel i opens with request id i + 1 on every connection
                    // (a refused one still takes its number), which is what `open_channel`
                    // promised for the channels it added.
                    for request in self.config.channels.clone() {
                        if let Err(error) = open_on(&mut self.client, &request) {
                            self.client.skip_request_id();
                            self.events
                                .push_back(MinerEvent::ChannelRefused { request, error });
                        }
                    }
                    self.channels_opened = true;
                    self.flush_client();
                    return Some(MinerEvent::SetupComplete { success_flags });
                }
                Event::Message(message) => {
                    // Non-mining messages (ChannelEndpointChanged is handled by the client too)
                    // that the client does not take are ignored.
                    let _ = self.client.handle_message(message, self.now_ms);
                    self.flush_client();
                }
                // A miner is a channel endpoint: unknown extension frames are not for it (R50).
                Event::Forward(_) => {}
                Event::Closed(reason) => {
                    self.client.connection_closed();
                    self.channels_opened = false;
                    self.events.push_back(MinerEvent::Closed(reason));
                }
            }
        }
    }

    /// Opens another channel now, or once the connection is set up if it is not yet (it is
    /// also re-opened after every reconnect). The returned request id is the one its
    /// ChannelOpened / ChannelOpenFailed carries, on this connection and on later ones: the
    /// configured channels (this one included) open with ids 1, 2, … in order.
    pub fn open_channel(&mut self, request: ChannelRequest) -> Result<u32, MinerError> {
        if !self.channels_opened {
            check_on(&self.client, &request, self.config.channels.len())?;
            self.config.channels.push(request);
            return Ok(u32::try_from(self.config.channels.len()).unwrap_or(u32::MAX));
        }
        let request_id = open_on(&mut self.client, &request)?;
        self.config.channels.push(request);
        self.flush_client();
        Ok(request_id)
    }

    /// Submits a share found on standard-channel work (checked locally first).
    pub fn submit_standard(
        &mut self,
        channel_id: u32,
        job_id: u32,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: u64,
    ) -> Result<SubmitReceipt, MinerError> {
        self.now_ms = now_ms;
        let receipt = self
            .client
            .submit_standard(channel_id, job_id, nonce, ntime, version, now_ms)?;
        self.flush_client();
        Ok(receipt)
    }

    /// Submits a share found on extended-channel work (checked locally first).
    #[allow(clippy::too_many_arguments)]
    pub fn submit_extended(
        &mut self,
        channel_id: u32,
        job_id: u32,
        extranonce: &[u8],
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: u64,
    ) -> Result<SubmitReceipt, MinerError> {
        self.now_ms = now_ms;
        let receipt = self.client.submit_extended(
            channel_id, job_id, extranonce, nonce, ntime, version, now_ms,
        )?;
        self.flush_client();
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{BRAIINS_2021, SPEC, SRI_2023};

    #[test]
    fn flag_layouts_round_trip() {
        // sri-2023 swaps bits 1 and 2 (profile deviation); the spec and braiins do not
        assert_eq!(spec_to_wire_flags(0b010, &SRI_2023), 0b100);
        assert_eq!(spec_to_wire_flags(0b100, &SRI_2023), 0b010);
        assert_eq!(spec_to_wire_flags(0b111, &SRI_2023), 0b111);
        for d in [&SPEC, &SRI_2023, &BRAIINS_2021] {
            for flags in 0..16u32 {
                assert_eq!(wire_to_spec_flags(spec_to_wire_flags(flags, d), d), flags);
            }
        }
        assert_eq!(spec_to_wire_flags(0b110, &SPEC), 0b110);
    }
}
