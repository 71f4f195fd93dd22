//! An optional TCP helper at the edge, over `std::net`, for users who do not want to write the
//! I/O loop around a [`Session`]: connect by pool URL (or accept a socket), run the handshake
//! and SetupConnection, then read and write messages, blocking or non-blocking.
//!
//! This is the one module that touches sockets and reads a clock (a monotonic `Instant` for the
//! session's timers and the wall clock for certificate validity); the protocol logic it drives
//! stays in the sans-I/O [`Session`]. The socket's file descriptor (`AsRawFd`) can be handed to
//! `select`/`poll`, so the helper fits cgminer-style firmware threads.
//!
//! ```no_run
//! use sv2::keys::PoolUrl;
//! use sv2::messages::{Message, Protocol};
//! use sv2::net::{Connection, ConnectOptions};
//! let url: PoolUrl = "stratum2+tcp+plain://127.0.0.1:3336".parse().unwrap();
//! let mut conn = Connection::connect(&url, ConnectOptions::new(Protocol::Mining, 0, "my-firmware")).unwrap();
//! let event = conn.recv().unwrap();
//! ```

use crate::keys::{PoolUrl, Security};
use crate::messages::{Dialect, Message, Protocol};
use crate::noise::{Cipher, InitiatorConfig, NoiseProfile, Spec2025InitiatorConfig};
use crate::session::{
    ClientConfig, ClientSecurity, CloseReason, Event, Limits, ServerConfig, Session, SessionError,
    Timeouts,
};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Errors of the TCP helper.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// A socket operation failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The session refused an operation or failed.
    #[error("session: {0}")]
    Session(#[from] SessionError),
    /// The session ended (the reason says why).
    #[error("connection closed: {0:?}")]
    Closed(CloseReason),
}

/// What a client connection needs besides the URL.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// Sub-protocol to set up.
    pub protocol: Protocol,
    /// SetupConnection flags.
    pub flags: u32,
    /// `vendor` (R36).
    pub vendor: String,
    /// `hardware_version`.
    pub hardware_version: String,
    /// `firmware`.
    pub firmware: String,
    /// `device_id`.
    pub device_id: String,
    /// Wire dialect of the pool.
    pub dialect: &'static Dialect,
    /// Noise negotiation form; `None`: the one of `dialect` ([`NoiseProfile::of_dialect`]).
    pub noise_profile: Option<NoiseProfile>,
    /// Ciphers to offer, in order (`None`: the profile's default).
    pub ciphers: Option<Vec<Cipher>>,
    /// Session limits.
    pub limits: Limits,
    /// Session timeouts.
    pub timeouts: Timeouts,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
}

impl ConnectOptions {
    /// Options for `protocol` with `flags`, announcing `vendor`.
    pub fn new(protocol: Protocol, flags: u32, vendor: &str) -> Self {
        ConnectOptions {
            protocol,
            flags,
            vendor: vendor.to_string(),
            hardware_version: String::new(),
            firmware: String::new(),
            device_id: String::new(),
            dialect: Dialect::default(),
            noise_profile: None,
            ciphers: None,
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// A TCP connection driven by a [`Session`].
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    session: Session,
    started: Instant,
    unsent: Vec<u8>,
    read_buf: Vec<u8>,
    nonblocking: bool,
    setup: Option<Event>,
    closed: Option<CloseReason>,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Connection {
    /// Connects to `url`, runs the handshake (when the URL carries an authority key) and
    /// SetupConnection, blocking until the connection is ready or refused.
    pub fn connect(url: &PoolUrl, options: ConnectOptions) -> Result<Connection, NetError> {
        let security = match url.security {
            Security::Noise { authority_key } => {
                let mut noise = InitiatorConfig::new(authority_key, unix_now());
                noise.profile = options.noise_profile;
                noise.ciphers = options.ciphers.clone();
                ClientSecurity::Noise(noise)
            }
            Security::Spec2025 { authority_key } => {
                ClientSecurity::Spec2025(Spec2025InitiatorConfig::new(authority_key, unix_now()))
            }
            Security::Plaintext => ClientSecurity::Plaintext,
        };
        let mut config =
            ClientConfig::new(security, options.protocol, options.flags, &options.vendor);
        config.setup.endpoint_host = url.host.to_string().trim_matches(['[', ']']).into();
        config.setup.endpoint_port = url.port;
        config.setup.hardware_version = options.hardware_version.as_str().into();
        config.setup.firmware = options.firmware.as_str().into();
        config.setup.device_id = options.device_id.as_str().into();
        config.dialect = options.dialect;
        config.limits = options.limits;
        config.timeouts = options.timeouts;
        let mut last_error = None;
        let mut stream = None;
        for address in url.host_port().to_socket_addrs()? {
            match TcpStream::connect_timeout(&address, options.connect_timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last_error = Some(e),
            }
        }
        let stream = match (stream, last_error) {
            (Some(s), _) => s,
            (None, Some(e)) => return Err(e.into()),
            (None, None) => {
                return Err(
                    std::io::Error::new(ErrorKind::NotFound, "host resolved to no address").into(),
                )
            }
        };
        let session = Session::client(config, 0)?;
        Connection::establish(stream, session)
    }

    /// Runs the server side of the handshake and setup on an accepted socket, blocking.
    pub fn accept(stream: TcpStream, config: ServerConfig) -> Result<Connection, NetError> {
        let session = Session::server(config, 0)?;
        Connection::establish(stream, session)
    }

    fn establish(stream: TcpStream, session: Session) -> Result<Connection, NetError> {
        stream.set_nodelay(true)?;
        let mut connection = Connection {
            stream,
            session,
            started: Instant::now(),
            unsent: Vec::new(),
            read_buf: vec![0; 64 * 1024],
            nonblocking: false,
            setup: None,
            closed: None,
        };
        loop {
            match connection.recv()? {
                event @ Event::SetupComplete { .. } => {
                    connection.setup = Some(event);
                    return Ok(connection);
                }
                Event::HandshakeComplete { .. } => {}
                Event::Closed(reason) => return Err(NetError::Closed(reason)),
                // Nothing else can precede setup completion.
                _ => {}
            }
        }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// The `SetupComplete` event of this connection (protocol, version, flags, peer device).
    pub fn setup(&self) -> Option<&Event> {
        self.setup.as_ref()
    }

    /// The session, for inspection.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Switches the socket to non-blocking mode: then use [`Connection::poll_event`] when the
    /// descriptor is readable and [`Connection::flush`] when it is writable.
    pub fn set_nonblocking(&mut self, nonblocking: bool) -> Result<(), NetError> {
        self.stream.set_nonblocking(nonblocking)?;
        self.nonblocking = nonblocking;
        Ok(())
    }

    /// Queues a message and writes what the socket takes (everything, when blocking).
    pub fn send(&mut self, message: &Message) -> Result<(), NetError> {
        let now = self.now_ms();
        self.session.send(message, now)?;
        self.flush()
    }

    /// Writes pending bytes; in non-blocking mode, what the socket does not take stays queued.
    pub fn flush(&mut self) -> Result<(), NetError> {
        self.session.take_data_to_send(&mut self.unsent);
        while !self.unsent.is_empty() {
            match self.stream.write(&self.unsent) {
                Ok(0) => {
                    return Err(std::io::Error::new(ErrorKind::WriteZero, "socket closed").into())
                }
                Ok(n) => {
                    self.unsent.drain(..n);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// True when bytes are waiting for the socket to become writable.
    pub fn wants_write(&self) -> bool {
        !self.unsent.is_empty() || self.session.wants_write()
    }

    /// Blocks until the next event. After `Closed` every call returns `NetError::Closed`.
    pub fn recv(&mut self) -> Result<Event, NetError> {
        loop {
            if let Some(event) = self.poll_event()? {
                return Ok(event);
            }
            if self.session.is_closed() {
                return Err(NetError::Closed(
                    self.closed.clone().unwrap_or(CloseReason::LocalClose),
                ));
            }
            if self.nonblocking {
                // Non-blocking callers use poll_event; waiting here would spin.
                return Err(std::io::Error::new(ErrorKind::WouldBlock, "no event ready").into());
            }
            let timeout = self
                .session
                .poll_timeout()
                .map(|at| Duration::from_millis(at.saturating_sub(self.now_ms()).max(1)));
            self.stream.set_read_timeout(timeout)?;
            self.read_once()?;
        }
    }

    /// Returns an event if one is ready, reading only what the socket has without blocking
    /// (in non-blocking mode) and firing expired timers.
    pub fn poll_event(&mut self) -> Result<Option<Event>, NetError> {
        if let Some(reason) = &self.closed {
            return Err(NetError::Closed(reason.clone()));
        }
        self.flush()?;
        if self.session.is_closed() || !self.nonblocking {
            return Ok(self.take_event());
        }
        if let Some(event) = self.take_event() {
            return Ok(Some(event));
        }
        let now = self.now_ms();
        self.session.handle_timeout(now);
        self.read_once()?;
        let event = self.take_event();
        self.flush()?;
        Ok(event)
    }

    fn take_event(&mut self) -> Option<Event> {
        let event = self.session.next_event();
        if let Some(Event::Closed(reason)) = &event {
            self.closed = Some(reason.clone());
        }
        // Answers queued while handling the event (e.g. SetupConnection.Success) go out at the
        // next flush; errors there surface on the next call.
        event
    }

    fn read_once(&mut self) -> Result<(), NetError> {
        match self.stream.read(&mut self.read_buf) {
            Ok(0) => self.session.peer_closed(),
            Ok(n) => {
                let now = self.now_ms();
                let data = &self.read_buf[..n];
                // Backpressure cannot happen here: events are drained before every read.
                if let Err(e) = self.session.receive_data(data, now) {
                    if !self.session.is_closed() {
                        return Err(e.into());
                    }
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                let now = self.now_ms();
                self.session.handle_timeout(now);
            }
            Err(e) => {
                self.session.peer_closed();
                return Err(e.into());
            }
        }
        Ok(())
    }

    /// Closes the session and the socket.
    pub fn close(mut self) -> Result<(), NetError> {
        self.session.close();
        let _ = self.flush();
        self.stream
            .shutdown(std::net::Shutdown::Both)
            .or_else(|e| {
                if e.kind() == ErrorKind::NotConnected {
                    Ok(())
                } else {
                    Err(e)
                }
            })?;
        Ok(())
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsRawFd for Connection {
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.stream.as_raw_fd()
    }
}
