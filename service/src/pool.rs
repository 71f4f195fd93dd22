//! `sv2 pool`: the mining pool ([`PoolServer`]) on the generic driver, with templates from the
//! synthetic pool-side source or from a Template Provider. The provider connection is an actor
//! of its own (one task owning the [`TemplateClient`]): it feeds templates and tips into the
//! pool task and sends back the solutions of blocks found. When the provider goes away it
//! reconnects with capped exponential backoff while the pool keeps its connections and
//! channels; miners get the next template the (new) provider sends.

use crate::runtime::{self, Backoff, Clock, Handler};
use crate::security::{self, ListenSecurity};
use crate::{ServiceError, Summary};
use std::time::Duration;
use sv2::keys::PoolUrl;
use sv2::messages::{Dialect, SubmitSolution};
use sv2::mining::pool::{OpenPolicy, PoolConfig, PoolEvent, SyntheticTemplateSource};
use sv2::mining::pool_server::{PoolServer, PoolServerEvent};
use sv2::session::ClientSecurity;
use sv2::template::{TemplateClient, TemplateClientConfig, TemplateClientEvent};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};

/// Where the pool's templates come from.
#[derive(Clone, Debug)]
pub enum PoolTemplates {
    /// `--synthetic`: made-up templates, a new block after each one found, at the header
    /// difficulty `nbits` (`--synthetic-nbits`; regtest's `0x207fffff` by default, where about
    /// every second hash is a block).
    Synthetic {
        /// Header nBits of the made-up chain.
        nbits: u32,
    },
    /// `--tp URL`: a Template Provider.
    Provider(String),
}

/// `sv2 pool` options.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// `--listen HOST:PORT`.
    pub listen: String,
    /// Template source.
    pub templates: PoolTemplates,
    /// Listener security.
    pub security: ListenSecurity,
    /// `--dialect` (of the miners and of the provider).
    pub dialect: Option<String>,
    /// `--seconds`.
    pub seconds: Option<f64>,
}

/// Longest wait between two attempts to reach the provider.
const UPSTREAM_BACKOFF_CAP: Duration = Duration::from_secs(5);

enum PoolInput {
    Upstream(TemplateClientEvent),
}

enum TemplateFeed {
    Synthetic(SyntheticTemplateSource),
    Provider(mpsc::UnboundedSender<SubmitSolution>),
}

struct PoolHandler {
    feed: TemplateFeed,
    connections: u64,
    accepted: u64,
    rejected: u64,
    blocks: u64,
    templates: u64,
}

impl Handler<PoolServer> for PoolHandler {
    type Input = PoolInput;

    fn on_accept(&mut self, _conn: u64, _peer: std::net::SocketAddr) {
        self.connections += 1;
    }

    fn on_event(&mut self, pool: &mut PoolServer, event: PoolServerEvent, now: u64) {
        match event {
            PoolServerEvent::Connected { conn, setup } => {
                tracing::info!(conn, vendor = %setup.vendor, "miner connected")
            }
            PoolServerEvent::Engine(PoolEvent::ChannelOpened {
                conn,
                channel_id,
                user_identity,
                ..
            }) => tracing::info!(conn, channel_id, user = %user_identity, "channel opened"),
            PoolServerEvent::Engine(PoolEvent::ShareAccepted { .. }) => self.accepted += 1,
            PoolServerEvent::Engine(PoolEvent::ShareRejected {
                conn,
                channel_id,
                reason,
                ..
            }) => {
                self.rejected += 1;
                tracing::debug!(conn, channel_id, ?reason, "share rejected");
            }
            PoolServerEvent::Engine(PoolEvent::BlockFound(found)) => {
                self.blocks += 1;
                tracing::info!(
                    user = %found.user_identity,
                    hash = %sv2::template::hex_be(found.block_hash),
                    "block found"
                );
                match &mut self.feed {
                    TemplateFeed::Synthetic(source) => {
                        source.advance(found.block_hash);
                        new_synthetic_block(pool, source, now);
                        self.templates += 1;
                    }
                    TemplateFeed::Provider(upstream) => match &found.submit_solution {
                        Some(solution) => {
                            let _ = upstream.send(solution.clone());
                        }
                        None => tracing::warn!("block of a custom job: not sent to the provider"),
                    },
                }
            }
            PoolServerEvent::Engine(_) => {}
            PoolServerEvent::EngineError { conn, error } => {
                tracing::debug!(conn, %error, "engine refused")
            }
            PoolServerEvent::Closed { conn, reason } => {
                tracing::info!(conn, ?reason, "miner connection closed")
            }
        }
    }

    fn on_input(&mut self, pool: &mut PoolServer, input: PoolInput, now: u64) {
        let PoolInput::Upstream(event) = input;
        if matches!(event, TemplateClientEvent::NewTemplate(_)) {
            self.templates += 1;
        }
        if let Err(error) = TemplateClient::feed_pool(&event, pool, now) {
            tracing::warn!(%error, "template from the provider refused by the engine");
        }
    }
}

fn new_synthetic_block(pool: &mut PoolServer, source: &mut SyntheticTemplateSource, now: u64) {
    let (template, prev_hash) = source.next_block(runtime::unix_now() as u32);
    if let Err(error) = pool
        .new_template(template, now)
        .and_then(|_| pool.set_prev_hash(prev_hash, now))
    {
        tracing::error!(%error, "synthetic template refused");
    }
}

/// The provider connection, reconnecting until `stop`.
async fn upstream_task(
    url: PoolUrl,
    reserve: u32,
    dialect: &'static Dialect,
    to_pool: mpsc::UnboundedSender<PoolInput>,
    mut solutions: mpsc::UnboundedReceiver<SubmitSolution>,
    mut stop: watch::Receiver<bool>,
    clock: Clock,
) {
    let mut backoff = Backoff::new(UPSTREAM_BACKOFF_CAP);
    let mut security = security::client_security(&url);
    loop {
        if *stop.borrow() {
            return;
        }
        security::refresh_client_security(&mut security);
        match upstream_connection(
            &url,
            reserve,
            dialect,
            security.clone(),
            &to_pool,
            &mut solutions,
            &mut stop,
            &clock,
            &mut backoff,
        )
        .await
        {
            Ok(()) => return,
            Err(error) => {
                let delay = backoff.next_delay();
                tracing::warn!(%error, ?delay, provider = %url, "template provider unavailable; reconnecting");
                // Solutions of the lost provider's templates mean nothing to the next one.
                while let Ok(solution) = solutions.try_recv() {
                    tracing::warn!(
                        template_id = solution.template_id,
                        "solution dropped: provider down"
                    );
                }
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = runtime::stopped(&mut stop) => return,
                }
            }
        }
    }
}

/// One provider connection. `Ok` when stopped, `Err` when the connection failed or ended.
#[allow(clippy::too_many_arguments)]
async fn upstream_connection(
    url: &PoolUrl,
    reserve: u32,
    dialect: &'static Dialect,
    security: ClientSecurity,
    to_pool: &mpsc::UnboundedSender<PoolInput>,
    solutions: &mut mpsc::UnboundedReceiver<SubmitSolution>,
    stop: &mut watch::Receiver<bool>,
    clock: &Clock,
    backoff: &mut Backoff,
) -> Result<(), String> {
    let mut stream = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect(url.host_port()),
    )
    .await
    .map_err(|_| "connect timed out".to_string())?
    .map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let mut config = TemplateClientConfig::new(security, "libsv2-pool", reserve);
    config.session.dialect = dialect;
    config.session.setup.endpoint_host = url.host.to_string().trim_matches(['[', ']']).into();
    config.session.setup.endpoint_port = url.port;
    let mut client = TemplateClient::new(config, clock.now_ms()).map_err(|e| e.to_string())?;
    let (mut reader, mut writer) = stream.split();
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::new();
    let mut ready = false;
    loop {
        while let Some(event) = client.next_event() {
            match &event {
                TemplateClientEvent::Ready => {
                    ready = true;
                    backoff.reset();
                    tracing::info!(provider = %url, "template provider connected");
                }
                TemplateClientEvent::Closed(reason) => {
                    client.take_data_to_send(&mut out);
                    let _ = writer.write_all(&out).await;
                    return Err(format!("closed: {reason:?}"));
                }
                _ => {
                    let _ = to_pool.send(PoolInput::Upstream(event));
                }
            }
        }
        out.clear();
        client.take_data_to_send(&mut out);
        if !out.is_empty() {
            writer.write_all(&out).await.map_err(|e| e.to_string())?;
        }
        let deadline = client.poll_timeout().map(|at| clock.instant_at(at));
        tokio::select! {
            read = reader.read(&mut buf) => match read {
                Ok(0) | Err(_) => client.peer_closed(),
                Ok(n) => {
                    if let Err(error) = client.receive_data(&buf[..n], clock.now_ms()) {
                        tracing::debug!(%error, "provider input refused");
                    }
                }
            },
            Some(solution) = solutions.recv() => {
                let template_id = solution.template_id;
                if !ready {
                    // Found on a template of the provider before this connection: this one
                    // does not know it.
                    tracing::warn!(template_id, "solution dropped: provider reconnecting");
                    continue;
                }
                match client.submit_solution(solution, clock.now_ms()) {
                    Ok(()) => tracing::info!(template_id, "solution sent to the provider"),
                    Err(error) => tracing::warn!(template_id, %error, "solution not sent"),
                }
            }
            () = sleep_until_opt(deadline) => client.handle_timeout(clock.now_ms()),
            () = runtime::stopped(stop) => {
                client.close();
                out.clear();
                client.take_data_to_send(&mut out);
                let _ = writer.write_all(&out).await;
                return Ok(());
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

/// Runs `sv2 pool`. `ready` gets the URL once the listener is bound.
pub fn run_pool(options: PoolOptions, ready: impl FnOnce(&str)) -> Result<Summary, ServiceError> {
    let dialect = security::dialect(options.dialect.as_deref())?;
    let (server, authority) = security::server_config(&options.security, dialect)?;
    let provider_url = match &options.templates {
        PoolTemplates::Provider(url) => Some(security::parse_url("--tp", url)?),
        PoolTemplates::Synthetic { .. } => None,
    };
    let synthetic_nbits = match options.templates {
        PoolTemplates::Synthetic { nbits } => nbits,
        PoolTemplates::Provider(_) => sv2::mining::pool::REGTEST_NBITS,
    };
    if sv2::mining::nbits_to_target(synthetic_nbits).is_err() {
        return Err(ServiceError::config(
            "--synthetic-nbits",
            format!("{synthetic_nbits:08x} is not a valid compact target"),
        ));
    }
    let pool_config = PoolConfig::default();
    // The pool adds one output to the provider's coinbase: value (8) + script length (1) +
    // script (R135).
    let reserve = 8 + 1 + pool_config.payout_script.len() as u32;
    let mut pool = PoolServer::new(server, pool_config, Box::new(OpenPolicy))
        .map_err(|e| ServiceError::Runtime(format!("pool configuration: {e}")))?;
    let listen = options.listen.clone();
    runtime::block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .map_err(|e| ServiceError::config("--listen", format!("{listen}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServiceError::Runtime(e.to_string()))?;
        let (_stop_tx, stop) = runtime::stop_signal(options.seconds);
        let clock = Clock::new();
        let (inputs_tx, inputs_rx) = mpsc::unbounded_channel();
        let mut upstream = None;
        let feed = match provider_url {
            None => {
                let seed = runtime::unix_now();
                let mut source =
                    SyntheticTemplateSource::new(seed, 200).with_nbits(synthetic_nbits);
                new_synthetic_block(&mut pool, &mut source, clock.now_ms());
                TemplateFeed::Synthetic(source)
            }
            Some(url) => {
                let (solutions_tx, solutions_rx) = mpsc::unbounded_channel();
                upstream = Some(tokio::spawn(upstream_task(
                    url,
                    reserve,
                    dialect,
                    inputs_tx.clone(),
                    solutions_rx,
                    stop.clone(),
                    clock,
                )));
                TemplateFeed::Provider(solutions_tx)
            }
        };
        drop(inputs_tx);
        let url = security::listen_url(addr, authority);
        tracing::info!(%url, "pool listening");
        ready(&url);
        // The synthetic feed already made the first template.
        let templates = u64::from(matches!(feed, TemplateFeed::Synthetic(_)));
        let handler = PoolHandler {
            feed,
            connections: 0,
            accepted: 0,
            rejected: 0,
            blocks: 0,
            templates,
        };
        let started = clock.now_ms();
        let (_pool, handler) =
            runtime::serve(listener, pool, handler, inputs_rx, stop, clock).await;
        let seconds = (clock.now_ms() - started) as f64 / 1000.0;
        if let Some(upstream) = upstream {
            let _ = tokio::time::timeout(Duration::from_secs(2), upstream).await;
        }
        Ok(Summary::new("pool", seconds, handler.connections)
            .with("accepted", handler.accepted)
            .with("rejected", handler.rejected)
            .with("blocks", handler.blocks)
            .with("custom_jobs", 0)
            .with("templates", handler.templates))
    })
    .map_err(|e| ServiceError::Runtime(e.to_string()))?
}
