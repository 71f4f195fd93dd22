//! The actor-style driver around a sans-I/O server role: written once for every role that
//! serves many connections (the template provider, the pool, later the proxies).
//!
//! One task owns the role object. Per accepted socket, a reader task feeds its bytes to that
//! task over a bounded channel (so a flood of input waits instead of piling up), and a writer
//! task writes what the role's `take_data_to_send` produced. The owning task fires the role's
//! timers (`poll_timeout`/`handle_timeout`), hands every role event to a [`Handler`], and
//! closes a socket once the role reported it closed. Inputs from outside the sockets (a
//! template from the source thread, a template from an upstream provider) reach the role
//! through the handler's input channel, so only one task ever touches the role.
//!
//! The call order is the one the core documents: after any input, drain events, then write
//! what is pending, then compute the next timer.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use sv2::mining::pool_server::{PoolServer, PoolServerEvent};
use sv2::session::{ConnectionId, SessionError};
use sv2::template::{ProviderEvent, TemplateProvider};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Largest read handed to the role at once.
const READ_CHUNK: usize = 64 * 1024;
/// Reads queued towards the role before readers wait (backpressure).
const INBOUND_QUEUE: usize = 1024;
/// Writes queued per connection; a peer that does not read that much is closed rather than
/// buffered without bound.
const OUTBOUND_QUEUE: usize = 1024;
/// Bytes queued per connection at most (a few blocks' worth of transaction data): past this
/// the peer is not reading and is closed.
const OUTBOUND_MAX_BYTES: usize = 32 << 20;
/// How long a graceful stop waits for the last bytes to reach the peers.
const DRAIN_ON_STOP: Duration = Duration::from_secs(2);

/// Monotonic milliseconds since the program started: the `now_ms` of the sans-I/O roles.
#[derive(Clone, Copy, Debug)]
pub struct Clock(Instant);

impl Clock {
    /// A clock starting now.
    pub fn new() -> Self {
        Clock(Instant::now())
    }

    /// Milliseconds since the start.
    pub fn now_ms(&self) -> u64 {
        self.0.elapsed().as_millis() as u64
    }

    /// The instant of `ms` on this clock.
    pub fn instant_at(&self, ms: u64) -> Instant {
        self.0 + Duration::from_millis(ms)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// Wall-clock unix seconds (certificate validity, header timestamps).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A sans-I/O server role with many downstream connections, as the core's server roles
/// are shaped (`accept`, `receive_data`, `next_event`, `take_data_to_send`, timers).
pub trait ServerRole: Send + 'static {
    /// What the role reports.
    type Event: Send;
    /// A new connection.
    fn accept(&mut self, now_ms: u64) -> Result<ConnectionId, SessionError>;
    /// Bytes from `conn`.
    fn receive_data(
        &mut self,
        conn: ConnectionId,
        data: &[u8],
        now_ms: u64,
    ) -> Result<(), SessionError>;
    /// `conn`'s socket reached end of file (or failed).
    fn peer_closed(&mut self, conn: ConnectionId);
    /// Closes `conn` from this side.
    fn close(&mut self, conn: ConnectionId);
    /// Forgets `conn` after its Closed event.
    fn remove(&mut self, conn: ConnectionId);
    /// Appends `conn`'s pending bytes to `out`.
    fn take_data_to_send(&mut self, conn: ConnectionId, out: &mut Vec<u8>);
    /// Connections with bytes to send.
    fn writable_connections(&self) -> Vec<ConnectionId>;
    /// The earliest timer.
    fn poll_timeout(&self) -> Option<u64>;
    /// Fires expired timers.
    fn handle_timeout(&mut self, now_ms: u64);
    /// The next event.
    fn next_event(&mut self) -> Option<Self::Event>;
    /// The connection an event reports closed, if it is a Closed event.
    fn closed_connection(event: &Self::Event) -> Option<ConnectionId>;
    /// Called once on a graceful stop, before the connections are closed: flush what the role
    /// holds back for later (batched acknowledgements).
    fn prepare_stop(&mut self, _now_ms: u64) {}
}

macro_rules! forward_server_role {
    ($role:ty, $event:ty, $closed:pat => $conn:ident, $prepare_stop:expr) => {
        impl ServerRole for $role {
            type Event = $event;
            fn accept(&mut self, now_ms: u64) -> Result<ConnectionId, SessionError> {
                <$role>::accept(self, now_ms)
            }
            fn receive_data(
                &mut self,
                conn: ConnectionId,
                data: &[u8],
                now_ms: u64,
            ) -> Result<(), SessionError> {
                <$role>::receive_data(self, conn, data, now_ms)
            }
            fn peer_closed(&mut self, conn: ConnectionId) {
                <$role>::peer_closed(self, conn)
            }
            fn close(&mut self, conn: ConnectionId) {
                <$role>::close(self, conn)
            }
            fn remove(&mut self, conn: ConnectionId) {
                <$role>::remove(self, conn);
            }
            fn take_data_to_send(&mut self, conn: ConnectionId, out: &mut Vec<u8>) {
                <$role>::take_data_to_send(self, conn, out)
            }
            fn writable_connections(&self) -> Vec<ConnectionId> {
                <$role>::writable_connections(self)
            }
            fn poll_timeout(&self) -> Option<u64> {
                <$role>::poll_timeout(self)
            }
            fn handle_timeout(&mut self, now_ms: u64) {
                <$role>::handle_timeout(self, now_ms)
            }
            fn next_event(&mut self) -> Option<$event> {
                <$role>::next_event(self)
            }
            fn closed_connection(event: &$event) -> Option<ConnectionId> {
                match event {
                    $closed => Some(*$conn),
                    _ => None,
                }
            }
            fn prepare_stop(&mut self, now_ms: u64) {
                ($prepare_stop)(self, now_ms)
            }
        }
    };
}

forward_server_role!(TemplateProvider, ProviderEvent, ProviderEvent::Closed { conn, .. } => conn, |_role, _now| {});
forward_server_role!(PoolServer, PoolServerEvent, PoolServerEvent::Closed { conn, .. } => conn, |pool: &mut PoolServer, now: u64| {
    // Fire only the engine's timers, one flush window ahead: every batched acknowledgement
    // is due by then (its deadline is at most `ack_flush_ms` after the share), and the
    // sessions stay open to carry them (their own timers are not fired).
    let window = pool.engine().config().ack_flush_ms;
    pool.engine_mut().handle_timeout(now + window);
});

/// The application side of a served role: what to do with its events and with inputs from
/// outside the sockets. Runs on the role's task, with the role at hand.
pub trait Handler<R: ServerRole>: Send + 'static {
    /// Inputs from other threads or tasks (templates, upstream events).
    type Input: Send + 'static;
    /// A role event.
    fn on_event(&mut self, role: &mut R, event: R::Event, now_ms: u64);
    /// An input from outside.
    fn on_input(&mut self, role: &mut R, input: Self::Input, now_ms: u64);
    /// A connection was accepted (for counters).
    fn on_accept(&mut self, _conn: ConnectionId, _peer: std::net::SocketAddr) {}
}

enum NetInput {
    Data(ConnectionId, Vec<u8>),
    Eof(ConnectionId),
}

struct Peer {
    writer: mpsc::Sender<Vec<u8>>,
    /// Bytes handed to the writer and not yet written.
    queued: Arc<AtomicUsize>,
    writer_task: JoinHandle<()>,
    reader_task: JoinHandle<()>,
}

/// Serves `role` on `listener` until `stop` turns true, then closes every connection
/// gracefully (each session's last bytes are written) and returns the role and handler for
/// the summary.
pub async fn serve<R: ServerRole, H: Handler<R>>(
    listener: TcpListener,
    mut role: R,
    mut handler: H,
    mut inputs: mpsc::UnboundedReceiver<H::Input>,
    mut stop: watch::Receiver<bool>,
    clock: Clock,
) -> (R, H) {
    let (net_tx, mut net_rx) = mpsc::channel::<NetInput>(INBOUND_QUEUE);
    let mut peers: HashMap<ConnectionId, Peer> = HashMap::new();
    // Writers of closed connections still sending their last bytes: awaited on stop.
    let mut closing: Vec<JoinHandle<()>> = Vec::new();
    let mut inputs_open = true;
    loop {
        if *stop.borrow() {
            break;
        }
        let deadline = role.poll_timeout().map(|at| clock.instant_at(at));
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() { break; }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => {
                    let now = clock.now_ms();
                    match role.accept(now) {
                        Ok(conn) => {
                            let _ = stream.set_nodelay(true);
                            tracing::debug!(conn, %addr, "accepted");
                            handler.on_accept(conn, addr);
                            peers.insert(conn, spawn_peer(conn, stream, net_tx.clone()));
                        }
                        Err(error) => tracing::warn!(%addr, %error, "connection refused by the role"),
                    }
                }
                Err(error) => {
                    // Out of descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(input) = net_rx.recv() => {
                let now = clock.now_ms();
                match input {
                    NetInput::Data(conn, data) => {
                        if let Err(error) = role.receive_data(conn, &data, now) {
                            tracing::debug!(conn, %error, "input refused");
                        }
                    }
                    NetInput::Eof(conn) => role.peer_closed(conn),
                }
            }
            input = inputs.recv(), if inputs_open => match input {
                Some(input) => handler.on_input(&mut role, input, clock.now_ms()),
                None => inputs_open = false,
            },
            () = sleep_until_opt(deadline) => role.handle_timeout(clock.now_ms()),
        }
        pump(
            &mut role,
            &mut handler,
            &mut peers,
            &mut closing,
            clock.now_ms(),
        );
    }
    // Graceful stop: no new connections, every session closed from our side, last bytes out.
    drop(listener);
    role.prepare_stop(clock.now_ms());
    pump(
        &mut role,
        &mut handler,
        &mut peers,
        &mut closing,
        clock.now_ms(),
    );
    let conns: Vec<ConnectionId> = peers.keys().copied().collect();
    for conn in conns {
        role.close(conn);
    }
    pump(
        &mut role,
        &mut handler,
        &mut peers,
        &mut closing,
        clock.now_ms(),
    );
    for (conn, peer) in peers.drain() {
        peer.reader_task.abort();
        role.remove(conn);
        drop(peer.writer);
        closing.push(peer.writer_task);
    }
    let _ = tokio::time::timeout(DRAIN_ON_STOP, async {
        for writer in closing {
            let _ = writer.await;
        }
    })
    .await;
    (role, handler)
}

async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// Events to the handler, then pending bytes to the writers, then closed sockets away.
fn pump<R: ServerRole, H: Handler<R>>(
    role: &mut R,
    handler: &mut H,
    peers: &mut HashMap<ConnectionId, Peer>,
    closing: &mut Vec<JoinHandle<()>>,
    now: u64,
) {
    let mut closed = Vec::new();
    // Handlers may act on the role (a new template, a solution): loop until quiet.
    for _ in 0..64 {
        let mut any = false;
        while let Some(event) = role.next_event() {
            any = true;
            if let Some(conn) = R::closed_connection(&event) {
                closed.push(conn);
            }
            handler.on_event(role, event, now);
        }
        for conn in role.writable_connections() {
            let mut out = Vec::new();
            role.take_data_to_send(conn, &mut out);
            if out.is_empty() {
                continue;
            }
            any = true;
            let full = match peers.get(&conn) {
                Some(peer) => {
                    let len = out.len();
                    let backlog = peer.queued.load(Ordering::Relaxed);
                    if backlog + len > OUTBOUND_MAX_BYTES {
                        true
                    } else {
                        peer.queued.fetch_add(len, Ordering::Relaxed);
                        peer.writer.try_send(out).is_err()
                    }
                }
                None => false,
            };
            if full {
                tracing::warn!(conn, "peer does not read: closing");
                role.close(conn);
            }
        }
        if !any {
            break;
        }
    }
    for conn in closed {
        if let Some(peer) = peers.remove(&conn) {
            peer.reader_task.abort();
            // Dropping the sender lets the writer finish what is queued, then shut down.
            drop(peer.writer);
            closing.retain(|task| !task.is_finished());
            closing.push(peer.writer_task);
        }
        role.remove(conn);
    }
}

fn spawn_peer(
    conn: ConnectionId,
    stream: tokio::net::TcpStream,
    net_tx: mpsc::Sender<NetInput>,
) -> Peer {
    let (mut read_half, mut write_half) = stream.into_split();
    let reader_task = tokio::spawn(async move {
        let mut buf = vec![0u8; READ_CHUNK];
        loop {
            match read_half.read(&mut buf).await {
                Ok(0) | Err(_) => {
                    let _ = net_tx.send(NetInput::Eof(conn)).await;
                    return;
                }
                Ok(n) => {
                    if net_tx
                        .send(NetInput::Data(conn, buf[..n].to_vec()))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
    });
    let (writer, mut writes) = mpsc::channel::<Vec<u8>>(OUTBOUND_QUEUE);
    let queued = Arc::new(AtomicUsize::new(0));
    let written = queued.clone();
    let writer_task = tokio::spawn(async move {
        while let Some(bytes) = writes.recv().await {
            if write_half.write_all(&bytes).await.is_err() {
                return;
            }
            written.fetch_sub(bytes.len(), Ordering::Relaxed);
        }
        let _ = write_half.shutdown().await;
    });
    Peer {
        writer,
        queued,
        writer_task,
        reader_task,
    }
}

/// Capped exponential backoff for reconnects: 250 ms, doubling, at most `cap`.
#[derive(Clone, Debug)]
pub struct Backoff {
    next: Duration,
    cap: Duration,
}

impl Backoff {
    /// Starts at 250 ms, capped at `cap`.
    pub fn new(cap: Duration) -> Self {
        Backoff {
            next: Duration::from_millis(250),
            cap,
        }
    }

    /// The delay before the next attempt (and doubles the one after).
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.cap);
        delay
    }

    /// A connection worked: start again from the shortest delay.
    pub fn reset(&mut self) {
        self.next = Duration::from_millis(250);
    }
}

/// A stop signal: SIGTERM, SIGINT or the end of `--seconds`. Returns the sender (kept alive by
/// the caller) and the receiver every task watches. The signal handlers are installed before
/// this returns, so a program may print its URL right after: whoever reads it may signal at
/// once. Must be called inside the runtime.
pub fn stop_signal(seconds: Option<f64>) -> (watch::Sender<bool>, watch::Receiver<bool>) {
    let (tx, rx) = watch::channel(false);
    let signal_tx = tx.clone();
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    #[cfg(not(unix))]
    let signals = ();
    tokio::spawn(async move {
        wait_for_stop(seconds, signals).await;
        let _ = signal_tx.send(true);
    });
    (tx, rx)
}

#[cfg(unix)]
type Signals = (
    Option<tokio::signal::unix::Signal>,
    Option<tokio::signal::unix::Signal>,
);
#[cfg(not(unix))]
type Signals = ();

async fn wait_for_stop(seconds: Option<f64>, signals: Signals) {
    let timer = async {
        match seconds {
            Some(s) => tokio::time::sleep(Duration::from_secs_f64(s.max(0.0))).await,
            None => std::future::pending().await,
        }
    };
    #[cfg(unix)]
    {
        async fn next(signal: Option<tokio::signal::unix::Signal>) {
            match signal {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        let (term, int) = signals;
        tokio::select! {
            () = timer => tracing::info!("--seconds elapsed: stopping"),
            () = next(term) => tracing::info!("SIGTERM: stopping"),
            () = next(int) => tracing::info!("SIGINT: stopping"),
        }
    }
    #[cfg(not(unix))]
    {
        let () = signals;
        tokio::select! {
            () = timer => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
}

/// Waits for `stop` to turn true (or its sender to go).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Runs `future` on a fresh current-thread runtime (the roles are not CPU-heavy; the template
/// source and the miner's hashing have threads of their own).
pub fn block_on<F: Future>(future: F) -> std::io::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(future))
}

/// Log output format (`--log-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`). Safe to call more than once.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut backoff = Backoff::new(Duration::from_secs(1));
        let delays: Vec<u64> = (0..5)
            .map(|_| backoff.next_delay().as_millis() as u64)
            .collect();
        assert_eq!(delays, [250, 500, 1000, 1000, 1000]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_millis(250));
    }
}
