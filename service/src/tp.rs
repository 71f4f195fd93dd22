//! `sv2 tp`: a Template Provider. The [`TemplateProvider`] role runs on the generic driver
//! ([`crate::runtime::serve`]); the template source blocks, so it runs on a std thread of its
//! own that sends templates into the role task and submits the blocks the role assembles from
//! solutions.

use crate::bitcoind::{BitcoindConfig, BitcoindSource};
use crate::runtime::{self, Clock, Handler};
use crate::security::{self, ListenSecurity};
use crate::source::{SourceError, SubmitOutcome, SyntheticSource, TemplateSource};
use crate::{ServiceError, Summary};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use sv2::template::{
    BlockTemplate, ProviderConfig, ProviderError, ProviderEvent, SyntheticBlockSource,
    TemplateProvider,
};
use tokio::sync::mpsc;

pub use crate::bitcoind::RpcAuth;

/// Where templates come from.
#[derive(Clone, Debug)]
pub enum TemplateSourceChoice {
    /// `--synthetic`: a made-up regtest-difficulty chain.
    Synthetic {
        /// Seconds between made-up network blocks.
        block_interval: Duration,
        /// Seconds between fee updates on the same tip.
        update_interval: Duration,
    },
    /// `--bitcoind URL`.
    Bitcoind {
        /// The node's RPC URL.
        url: String,
        /// Credentials.
        auth: RpcAuth,
    },
}

/// `sv2 tp` options.
#[derive(Clone, Debug)]
pub struct TpOptions {
    /// `--listen HOST:PORT`.
    pub listen: String,
    /// The source.
    pub source: TemplateSourceChoice,
    /// Listener security.
    pub security: ListenSecurity,
    /// `--dialect`.
    pub dialect: Option<String>,
    /// `--seconds`.
    pub seconds: Option<f64>,
}

/// The Bitcoin Core source for `--bitcoind URL` (`http://HOST:PORT`, or `HOST:PORT`).
pub fn bitcoind_source(url: &str, auth: &RpcAuth) -> Result<Box<dyn TemplateSource>, ServiceError> {
    let url = if url.contains("://") {
        url.to_string()
    } else {
        format!("http://{url}")
    };
    if !url.starts_with("http://") || url.len() <= "http://".len() {
        return Err(ServiceError::config(
            "--bitcoind",
            format!("{url}: expected http://HOST:PORT (Bitcoin Core's RPC is plain HTTP)"),
        ));
    }
    Ok(Box::new(BitcoindSource::new(BitcoindConfig::new(
        url,
        auth.clone(),
    ))))
}

fn make_source(choice: &TemplateSourceChoice) -> Result<Box<dyn TemplateSource>, ServiceError> {
    match choice {
        TemplateSourceChoice::Synthetic {
            block_interval,
            update_interval,
        } => {
            // A seed from the clock: two providers started one after the other (a restart)
            // build different made-up chains, as two real nodes' templates differ.
            let seed = runtime::unix_now() ^ (u64::from(std::process::id()) << 32);
            Ok(Box::new(SyntheticSource::new(
                SyntheticBlockSource::new(seed, 200).with_transactions(10),
                *block_interval,
                *update_interval,
            )))
        }
        TemplateSourceChoice::Bitcoind { url, auth } => bitcoind_source(url, auth),
    }
}

/// Counters shared with the source thread.
#[derive(Default, Debug)]
struct SourceCounters {
    templates: AtomicU64,
    blocks_accepted: AtomicU64,
    blocks_rejected: AtomicU64,
}

/// Inputs of the provider task.
enum TpInput {
    Template(Box<BlockTemplate>),
}

struct TpHandler {
    solutions_tx: std::sync::mpsc::Sender<Vec<u8>>,
    connections: u64,
    solutions: u64,
    solutions_refused: u64,
    counters: Arc<SourceCounters>,
}

impl Handler<TemplateProvider> for TpHandler {
    type Input = TpInput;

    fn on_accept(&mut self, _conn: u64, _peer: std::net::SocketAddr) {
        self.connections += 1;
    }

    fn on_event(&mut self, _tp: &mut TemplateProvider, event: ProviderEvent, _now: u64) {
        match event {
            ProviderEvent::Connected { conn, setup } => {
                tracing::info!(conn, vendor = %setup.vendor, "template client set up")
            }
            ProviderEvent::CoinbaseOutputDataSize { conn, size } => {
                tracing::info!(conn, size, "coinbase output data size")
            }
            ProviderEvent::ReservationRefused { conn, error } => {
                tracing::warn!(conn, %error, "coinbase reservation refused")
            }
            ProviderEvent::Solution {
                conn,
                template_id,
                height,
                stale,
                block,
            } => {
                self.solutions += 1;
                tracing::info!(
                    conn,
                    template_id,
                    height,
                    stale,
                    hash = %sv2::template::hex_be(block.hash),
                    "solution: submitting block"
                );
                let _ = self.solutions_tx.send(block.bytes);
            }
            ProviderEvent::SolutionRefused {
                conn,
                template_id,
                error,
            } => {
                self.solutions_refused += 1;
                match error {
                    Some(error) => tracing::warn!(conn, template_id, %error, "solution refused"),
                    None => tracing::warn!(conn, template_id, "solution for an unknown template"),
                }
            }
            ProviderEvent::Closed { conn, reason } => {
                tracing::info!(conn, ?reason, "template client closed")
            }
        }
    }

    fn on_input(&mut self, tp: &mut TemplateProvider, input: TpInput, now: u64) {
        let TpInput::Template(template) = input;
        let height = template.height;
        match tp.set_template(*template, now) {
            Ok(update) => {
                self.counters.templates.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(height, ?update, "template")
            }
            Err(ProviderError::StaleTip) => {
                tracing::warn!(height, "template on a stale tip dropped")
            }
            Err(error) => tracing::warn!(height, %error, "template"),
        }
    }
}

/// The source thread: templates in, blocks out, until `stop`.
fn run_source(
    mut source: Box<dyn TemplateSource>,
    templates: mpsc::UnboundedSender<TpInput>,
    solutions: std::sync::mpsc::Receiver<Vec<u8>>,
    counters: Arc<SourceCounters>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(source = %source.describe(), "template source started");
    let mut backoff = runtime::Backoff::new(Duration::from_secs(30));
    while !*stop.borrow() {
        // Blocks first: a found block is worth more than the next template.
        while let Ok(block) = solutions.try_recv() {
            match source.submit_block(&block) {
                Ok(SubmitOutcome::Accepted) => {
                    counters.blocks_accepted.fetch_add(1, Ordering::Relaxed);
                    tracing::info!("block accepted by the source")
                }
                Ok(SubmitOutcome::Rejected(reason)) => {
                    counters.blocks_rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%reason, "block rejected by the source")
                }
                Err(error) => {
                    counters.blocks_rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(%error, "submitting the block failed")
                }
            }
        }
        match source.next_template(Duration::from_millis(200)) {
            Ok(Some(template)) => {
                backoff.reset();
                if templates
                    .send(TpInput::Template(Box::new(template)))
                    .is_err()
                {
                    return;
                }
            }
            Ok(None) => {}
            Err(error) => {
                let delay = backoff.next_delay();
                match error {
                    SourceError::Unauthorized => tracing::error!(%error, ?delay, "template source"),
                    _ => tracing::warn!(%error, ?delay, "template source; retrying"),
                }
                std::thread::sleep(delay);
            }
        }
    }
    // Solutions that arrived while stopping are still blocks worth broadcasting.
    while let Ok(block) = solutions.recv_timeout(Duration::from_millis(100)) {
        match source.submit_block(&block) {
            Ok(SubmitOutcome::Accepted) => {
                counters.blocks_accepted.fetch_add(1, Ordering::Relaxed);
            }
            Ok(SubmitOutcome::Rejected(_)) | Err(_) => {
                counters.blocks_rejected.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Runs `sv2 tp`. `ready` gets the URL once the listener is bound (before any client can
/// connect); the summary comes back when the provider stopped.
pub fn run_tp(options: TpOptions, ready: impl FnOnce(&str)) -> Result<Summary, ServiceError> {
    let dialect = security::dialect(options.dialect.as_deref())?;
    let (server, authority) = security::server_config(&options.security, dialect)?;
    let source = make_source(&options.source)?;
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
        let (templates_tx, templates_rx) = mpsc::unbounded_channel();
        let (solutions_tx, solutions_rx) = std::sync::mpsc::channel();
        let counters = Arc::new(SourceCounters::default());
        let source_thread = {
            let counters = counters.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("template-source".into())
                .spawn(move || run_source(source, templates_tx, solutions_rx, counters, stop))
                .map_err(|e| ServiceError::Runtime(e.to_string()))?
        };
        let url = security::listen_url(addr, authority);
        tracing::info!(%url, "template provider listening");
        ready(&url);
        let handler = TpHandler {
            solutions_tx,
            connections: 0,
            solutions: 0,
            solutions_refused: 0,
            counters: counters.clone(),
        };
        let tp = TemplateProvider::new(ProviderConfig::new(server));
        let started = clock.now_ms();
        let (tp, handler) = runtime::serve(listener, tp, handler, templates_rx, stop, clock).await;
        let seconds = (clock.now_ms() - started) as f64 / 1000.0;
        // The source thread sees the stop within one next_template timeout; submit what the
        // last solutions left queued before it exits.
        drop(handler.solutions_tx);
        let _ = tokio::task::spawn_blocking(move || source_thread.join()).await;
        let stats = tp.stats();
        Ok(Summary::new("tp", seconds, handler.connections)
            .with("accepted", counters.blocks_accepted.load(Ordering::Relaxed))
            .with("rejected", counters.blocks_rejected.load(Ordering::Relaxed))
            .with("blocks", counters.blocks_accepted.load(Ordering::Relaxed))
            .with("solutions", handler.solutions)
            .with("solutions_refused", handler.solutions_refused)
            .with("templates", stats.templates_sent))
    })
    .map_err(|e| ServiceError::Runtime(e.to_string()))?
}
