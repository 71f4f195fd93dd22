//! `sv2 mine`: a CPU miner on [`Miner`] (session + mining client), for demos and tests. It
//! scans nonces over the latest [`Work`] of each channel, at most `--hashrate` hashes per
//! second (the same figure is announced to the pool as the channel's nominal hash rate, so
//! the pool's targets fit), submits what meets the target, and reconnects with capped
//! backoff when the pool goes away.

use crate::runtime::{self, Backoff, Clock};
use crate::security;
use crate::{ServiceError, Summary};
use std::collections::HashMap;
use std::time::Duration;
use sv2::codec::U256;
use sv2::keys::PoolUrl;
use sv2::messages::Protocol;
use sv2::mining::client::{ClientConfig as MiningClientConfig, ClientEvent, Work};
use sv2::mining::miner::{ChannelRequest, Miner, MinerConfig, MinerEvent};
use sv2::session::ClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

/// `sv2 mine` options.
#[derive(Clone, Debug)]
pub struct MineOptions {
    /// The pool URL.
    pub url: String,
    /// `--user` (user_identity of the channel).
    pub user: String,
    /// `--extended`: an extended channel instead of a standard one.
    pub extended: bool,
    /// `--hashrate H`: the nominal hash rate announced to the pool (hashes/s).
    pub hashrate: f64,
    /// `--scan-rate R`: hashes per second the CPU scan keeps to; `None`: the announced rate.
    /// Scanning faster than announced makes the pool's shares come faster (tests, demos).
    pub scan_rate: Option<f64>,
    /// `--seconds`.
    pub seconds: Option<f64>,
    /// `--shares N`: stop after N accepted shares.
    pub shares: Option<u64>,
    /// `--dialect`.
    pub dialect: Option<String>,
}

/// How often the miner hashes a batch (and looks at the socket in between).
const TICK: Duration = Duration::from_millis(20);
/// How long a stopping miner waits for the answers to its shares in flight: the pool's
/// acknowledgement batching window (1 s by default) and a round trip.
const DRAIN_ON_STOP_MS: u64 = 2_000;
/// Longest wait between reconnect attempts.
const RECONNECT_CAP: Duration = Duration::from_secs(5);

#[derive(Default, Debug)]
struct Counters {
    connections: u64,
    accepted: u64,
    rejected: u64,
    submitted: u64,
    blocks: u64,
}

/// A channel's latest work and where the scan is.
struct Scan {
    work: Work,
    nonce: u64,
    ntime: u32,
}

/// Why a connection ended.
enum Ended {
    Stopped,
    Lost(String),
}

/// Runs `sv2 mine` until `--shares`, `--seconds` or a signal; returns its summary.
pub fn run_mine(options: MineOptions) -> Result<Summary, ServiceError> {
    let url = security::parse_url("URL", &options.url)?;
    let dialect = security::dialect(options.dialect.as_deref())?;
    if !(options.hashrate.is_finite() && options.hashrate >= 1.0) {
        return Err(ServiceError::config(
            "--hashrate",
            format!("{}: must be at least 1 hash per second", options.hashrate),
        ));
    }
    let scan_rate = options.scan_rate.unwrap_or(options.hashrate);
    if !(scan_rate.is_finite() && scan_rate >= 1.0) {
        return Err(ServiceError::config(
            "--scan-rate",
            format!("{scan_rate}: must be at least 1 hash per second"),
        ));
    }
    if options.user.is_empty() || options.user.len() > 255 {
        return Err(ServiceError::config(
            "--user",
            "must be 1 to 255 bytes (user_identity)",
        ));
    }
    let request = if options.extended {
        ChannelRequest::Extended {
            user_identity: options.user.clone(),
            nominal_hash_rate: options.hashrate as f32,
            max_target: U256::MAX,
            min_extranonce_size: 0,
        }
    } else {
        ChannelRequest::Standard {
            user_identity: options.user.clone(),
            nominal_hash_rate: options.hashrate as f32,
            max_target: U256::MAX,
        }
    };
    let mut session = ClientConfig::new(
        security::client_security(&url),
        Protocol::Mining,
        0,
        "libsv2-cpu-miner",
    );
    session.dialect = dialect;
    session.setup.endpoint_host = url.host.to_string().trim_matches(['[', ']']).into();
    session.setup.endpoint_port = url.port;
    let config = MinerConfig {
        session,
        client: MiningClientConfig::default(),
        channels: vec![request],
    };
    runtime::block_on(async move {
        let (_stop_tx, mut stop) = runtime::stop_signal(options.seconds);
        let clock = Clock::new();
        let mut miner = Miner::new(config, clock.now_ms())
            .map_err(|e| ServiceError::config("URL", e.to_string()))?;
        let mut counters = Counters::default();
        let mut backoff = Backoff::new(RECONNECT_CAP);
        let mut first = true;
        loop {
            if *stop.borrow() {
                break;
            }
            if !first {
                if let Err(error) = miner.reconnect(clock.now_ms(), runtime::unix_now()) {
                    return Err(ServiceError::Runtime(error.to_string()));
                }
            }
            first = false;
            let ended = connection(
                &url,
                &mut miner,
                &options,
                &mut counters,
                &mut stop,
                &clock,
                &mut backoff,
            )
            .await;
            match ended {
                Ended::Stopped => break,
                Ended::Lost(why) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(pool = %url, %why, ?delay, "pool connection lost; reconnecting");
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = runtime::stopped(&mut stop) => break,
                    }
                }
            }
        }
        let seconds = clock.now_ms() as f64 / 1000.0;
        Ok(Summary::new("mine", seconds, counters.connections)
            .with("accepted", counters.accepted)
            .with("rejected", counters.rejected)
            .with("blocks", counters.blocks)
            .with("submitted", counters.submitted))
    })
    .map_err(|e| ServiceError::Runtime(e.to_string()))?
}

async fn connection(
    url: &PoolUrl,
    miner: &mut Miner,
    options: &MineOptions,
    counters: &mut Counters,
    stop: &mut watch::Receiver<bool>,
    clock: &Clock,
    backoff: &mut Backoff,
) -> Ended {
    let scan_rate = options.scan_rate.unwrap_or(options.hashrate);
    let stream = match tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect(url.host_port()),
    )
    .await
    {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => return Ended::Lost(error.to_string()),
        Err(_) => return Ended::Lost("connect timed out".into()),
    };
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::new();
    let mut scans: HashMap<u32, Scan> = HashMap::new();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_tick = clock.now_ms();
    // Fractions of a hash carried from tick to tick, so low rates are honoured on average.
    let mut budget = 0.0f64;
    // Stopping: hashing is over, the answers to the shares in flight are awaited until then
    // (the pool batches acknowledgements for up to a second, R90).
    let mut draining_until: Option<u64> = None;
    loop {
        while let Some(event) = miner.next_event() {
            match event {
                MinerEvent::SetupComplete { .. } => {
                    counters.connections += 1;
                    backoff.reset();
                    tracing::info!(pool = %url, "connected");
                }
                MinerEvent::ChannelRefused { error, .. } => {
                    tracing::error!(%error, "channel refused");
                }
                MinerEvent::Client(ClientEvent::ChannelOpened {
                    channel_id,
                    extended,
                    ..
                }) => tracing::info!(channel_id, extended, "channel opened"),
                MinerEvent::Client(ClientEvent::ChannelOpenFailed { reason, .. }) => {
                    tracing::error!(?reason, "channel open failed")
                }
                MinerEvent::Client(ClientEvent::NewWork(work)) => {
                    tracing::debug!(channel_id = work.channel_id, job_id = work.job_id, target = %sv2::template::hex_be(work.target), "work");
                    let ntime = work.min_ntime;
                    scans.insert(
                        work.channel_id,
                        Scan {
                            work,
                            nonce: 0,
                            ntime,
                        },
                    );
                }
                MinerEvent::Client(ClientEvent::WorkInvalidated { channel_id }) => {
                    scans.remove(&channel_id);
                }
                MinerEvent::Client(ClientEvent::TargetChanged {
                    channel_id,
                    target,
                    active_work_updated: true,
                }) => {
                    if let Some(scan) = scans.get_mut(&channel_id) {
                        scan.work.target = target;
                    }
                }
                MinerEvent::Client(ClientEvent::ShareAccepted { .. }) => {
                    counters.accepted += 1;
                    if options.shares.is_some_and(|n| counters.accepted >= n) {
                        tracing::info!(shares = counters.accepted, "--shares reached: stopping");
                        miner_close(miner, &mut writer, &mut out).await;
                        return Ended::Stopped;
                    }
                }
                MinerEvent::Client(ClientEvent::ShareRejected { error_code, .. }) => {
                    counters.rejected += 1;
                    tracing::debug!(%error_code, "share rejected");
                }
                MinerEvent::Closed(reason) => {
                    return Ended::Lost(format!("{reason:?}"));
                }
                _ => {}
            }
        }
        out.clear();
        miner.take_data_to_send(&mut out);
        if !out.is_empty() {
            if let Err(error) = writer.write_all(&out).await {
                return Ended::Lost(error.to_string());
            }
        }
        if let Some(until) = draining_until {
            let pending: usize = scans
                .keys()
                .map(|c| miner.client().pending_shares(*c))
                .sum();
            if pending == 0 || clock.now_ms() >= until {
                if pending > 0 {
                    tracing::warn!(pending, "stopping without the answer to some shares");
                }
                miner_close(miner, &mut writer, &mut out).await;
                return Ended::Stopped;
            }
        }
        let deadline = miner.poll_timeout().map(|at| clock.instant_at(at));
        tokio::select! {
            read = reader.read(&mut buf) => match read {
                Ok(0) | Err(_) => miner.peer_closed(),
                Ok(n) => {
                    if let Err(error) = miner.receive_data(&buf[..n], clock.now_ms()) {
                        tracing::debug!(%error, "pool input refused");
                    }
                }
            },
            _ = ticker.tick() => {
                let now = clock.now_ms();
                budget += scan_rate * (now.saturating_sub(last_tick)) as f64 / 1000.0;
                last_tick = now;
                // Never more than a tenth of a second's worth at once (after a stall), so the
                // socket is read often.
                budget = budget.min(scan_rate / 10.0 + 1.0);
                let hashes = budget as u64;
                budget -= hashes as f64;
                if draining_until.is_none() {
                    hash_batch(miner, &mut scans, hashes, now, counters);
                }
            }
            () = sleep_until_opt(deadline) => miner.handle_timeout(clock.now_ms()),
            () = runtime::stopped(stop), if draining_until.is_none() => {
                draining_until = Some(clock.now_ms() + DRAIN_ON_STOP_MS);
            }
        }
    }
}

async fn miner_close(
    miner: &mut Miner,
    writer: &mut tokio::net::tcp::OwnedWriteHalf,
    out: &mut Vec<u8>,
) {
    out.clear();
    miner.take_data_to_send(out);
    let _ = writer.write_all(out).await;
    let _ = writer.shutdown().await;
}

/// Scans `hashes` nonces over the channels' work, submitting every share found.
fn hash_batch(
    miner: &mut Miner,
    scans: &mut HashMap<u32, Scan>,
    hashes: u64,
    now: u64,
    counters: &mut Counters,
) {
    if scans.is_empty() {
        return;
    }
    let per_channel = hashes / scans.len() as u64 + 1;
    for scan in scans.values_mut() {
        let version = scan.work.version();
        for _ in 0..per_channel {
            if scan.nonce > u64::from(u32::MAX) {
                // Nonce space done: next second (within the allowed nTime window, R96).
                if scan.ntime >= scan.work.max_ntime(now) {
                    break;
                }
                scan.ntime += 1;
                scan.nonce = 0;
            }
            let nonce = scan.nonce as u32;
            scan.nonce += 1;
            let hash = scan.work.hash_for(nonce, scan.ntime, version);
            if !scan.work.meets_target(hash) {
                continue;
            }
            let work = &scan.work;
            let result = match &work.extended {
                Some(ext) => miner.submit_extended(
                    work.channel_id,
                    work.job_id,
                    ext.extranonce.as_slice(),
                    nonce,
                    scan.ntime,
                    version,
                    now,
                ),
                None => miner.submit_standard(
                    work.channel_id,
                    work.job_id,
                    nonce,
                    scan.ntime,
                    version,
                    now,
                ),
            };
            match result {
                Ok(_) => {
                    counters.submitted += 1;
                    if work.is_block(hash) {
                        counters.blocks += 1;
                        tracing::info!(job_id = work.job_id, "block found");
                    }
                }
                Err(error) => tracing::debug!(%error, "share not submitted"),
            }
        }
    }
}

async fn sleep_until_opt(deadline: Option<std::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
