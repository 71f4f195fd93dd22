//! Bitcoin Core as a [`TemplateSource`]: JSON-RPC 1.0 over HTTP (`getblocktemplate`,
//! `getbestblockhash`, `submitblock`), cookie or user/password authentication.
//!
//! Waiting for the next template: when the caller's `timeout` is long enough and the node
//! gave a `longpollid`, a BIP22 long poll whose HTTP deadline is the caller's; otherwise (the
//! node does not long-poll, or [`MAX_ABANDONED_LONG_POLLS`] long polls timed out since the
//! last tip) `getbestblockhash` every `poll_interval`, with a fresh `getblocktemplate` on a
//! new tip and every `refresh_interval` for fee updates. A template is
//! handed out when it is the first, on a new tip, or on the same tip with more fees; an answer
//! on a tip the source has moved away from (a late long poll) is dropped.
//!
//! ```no_run
//! use std::time::Duration;
//! use sv2_service::bitcoind::{BitcoindConfig, BitcoindSource, RpcAuth};
//! use sv2_service::source::{Backoff, TemplateSource};
//!
//! let cookie = RpcAuth::Cookie("/home/bitcoin/.bitcoin/.cookie".into());
//! let mut source = BitcoindSource::new(BitcoindConfig::new("http://127.0.0.1:8332", cookie));
//! let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(30));
//! loop {
//!     match source.next_template(Duration::from_secs(10)) {
//!         Ok(Some(template)) => { backoff.reset(); /* provider.set_template(template, now) */ }
//!         Ok(None) => {}
//!         Err(error) => { eprintln!("{}: {error}", source.describe()); std::thread::sleep(backoff.next_delay()); }
//!     }
//! }
//! ```

mod gbt;

pub use gbt::{parse_getblocktemplate, GbtTemplate};

use crate::source::{Backoff, SourceError, SubmitOutcome, TemplateSource};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::VecDeque;
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use sv2::codec::U256;
use sv2::template::BlockTemplate;

/// The largest answer read from the node. A full block's template is ~2 × 4 MB of hex plus
/// per-transaction fields; anything beyond this bound is refused rather than buffered.
pub const MAX_ANSWER_BYTES: u64 = 32 * 1024 * 1024;
/// Bitcoin Core's RPC error code for "in initial block download" (RPC_CLIENT_IN_INITIAL_DOWNLOAD).
pub const RPC_IN_INITIAL_DOWNLOAD: i64 = -10;
/// Long polls left waiting in the node (see `BitcoindSource::abandoned_long_polls`) before
/// the source polls the best block hash instead, until the next tip.
pub const MAX_ABANDONED_LONG_POLLS: u32 = 2;
/// Old tips remembered to drop late answers on them.
const OLD_TIPS_KEPT: usize = 16;

/// How the source proves itself to the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RpcAuth {
    /// The cookie file bitcoind writes at start (`<datadir>/.cookie`, `__cookie__:<password>`);
    /// re-read after a 401 because bitcoind writes a new one on every restart.
    Cookie(PathBuf),
    /// `-rpcuser`/`-rpcpassword` or an `-rpcauth` entry: HTTP basic auth.
    UserPassword {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// No credentials (a proxy adds them).
    None,
}

/// Where and how to reach the node.
#[derive(Clone, Debug)]
pub struct BitcoindConfig {
    /// `http://host:port` (no TLS: bitcoind's RPC is plain HTTP).
    pub url: String,
    /// Credentials.
    pub auth: RpcAuth,
    /// Deadline of an ordinary call (`getbestblockhash`, `submitblock`, a plain
    /// `getblocktemplate`).
    pub rpc_timeout: Duration,
    /// Connection deadline.
    pub connect_timeout: Duration,
    /// How often the best block hash is polled when not long polling.
    pub poll_interval: Duration,
    /// How often a template is fetched for fee updates when not long polling.
    pub refresh_interval: Duration,
    /// Use BIP22 long polling when the node offers it.
    pub long_poll: bool,
    /// Below this much waiting time a long poll is not worth an HTTP request that the node
    /// keeps open until the tip or the mempool changes (an abandoned one holds one of its RPC
    /// threads): poll the best block hash instead.
    pub long_poll_min: Duration,
}

impl BitcoindConfig {
    /// Defaults: 30 s calls, 5 s connect, best block hash every second, fee refresh every
    /// 30 s, long polling on for waits of 5 s or more.
    pub fn new(url: impl Into<String>, auth: RpcAuth) -> Self {
        BitcoindConfig {
            url: url.into(),
            auth,
            rpc_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            poll_interval: Duration::from_secs(1),
            refresh_interval: Duration::from_secs(30),
            long_poll: true,
            long_poll_min: Duration::from_secs(5),
        }
    }
}

/// A call that failed, with the caller's deadline told apart from other failures.
enum CallError {
    TimedOut,
    Source(SourceError),
}

impl From<SourceError> for CallError {
    fn from(e: SourceError) -> Self {
        CallError::Source(e)
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<RpcErrorObject>,
}

#[derive(Deserialize)]
struct RpcErrorObject {
    code: i64,
    #[serde(default)]
    message: String,
}

/// Bitcoin Core's JSON-RPC as a template source. See the module documentation.
pub struct BitcoindSource {
    config: BitcoindConfig,
    agent: ureq::Agent,
    /// The `Authorization` header, built once (a cookie is re-read after a 401).
    authorization: Option<String>,
    next_id: u64,
    /// The tip of the last template handed out, and its coinbase value (fees).
    last_tip: Option<U256>,
    last_coinbase_value: u64,
    /// Tips handed out before `last_tip`: answers on them are late and dropped.
    old_tips: VecDeque<U256>,
    longpollid: Option<String>,
    /// The node answered a long poll with an error: poll from now on.
    long_poll_broken: bool,
    /// Long polls given up at the caller's deadline since the last new tip. bitcoind keeps
    /// each one (and one of its RPC threads) until the tip changes or, after a minute, the
    /// mempool does; past `MAX_ABANDONED_LONG_POLLS` the source polls instead.
    abandoned_long_polls: u32,
    last_refresh: Option<Instant>,
    /// Spacing of long polls that came back with nothing new (a node that answers at once).
    idle_backoff: Backoff,
}

impl BitcoindSource {
    /// A source for the node at `config.url`. Nothing is sent before the first call.
    pub fn new(config: BitcoindConfig) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(config.connect_timeout)
            .build();
        BitcoindSource {
            config,
            agent,
            authorization: None,
            next_id: 0,
            last_tip: None,
            last_coinbase_value: 0,
            old_tips: VecDeque::new(),
            longpollid: None,
            long_poll_broken: false,
            abandoned_long_polls: 0,
            last_refresh: None,
            idle_backoff: Backoff::new(Duration::from_millis(100), Duration::from_secs(2)),
        }
    }

    fn authorization(&mut self) -> Result<Option<String>, SourceError> {
        if let Some(header) = &self.authorization {
            return Ok(Some(header.clone()));
        }
        let credentials = match &self.config.auth {
            RpcAuth::None => return Ok(None),
            RpcAuth::UserPassword { user, password } => format!("{user}:{password}"),
            RpcAuth::Cookie(path) => {
                // bitcoind deletes its cookie when it stops: a missing cookie is a node down.
                let text = std::fs::read_to_string(path).map_err(|e| {
                    SourceError::Unreachable(format!("cookie file {}: {e}", path.display()))
                })?;
                let line = text.trim_end_matches(['\r', '\n']);
                if !line.contains(':') {
                    return Err(SourceError::Malformed(format!(
                        "cookie file {} is not user:password",
                        path.display()
                    )));
                }
                line.to_string()
            }
        };
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        );
        self.authorization = Some(header.clone());
        Ok(Some(header))
    }

    /// One JSON-RPC call; the `result` JSON text (`null` included) on success.
    fn call(&mut self, method: &str, params: &str, timeout: Duration) -> Result<String, CallError> {
        match self.call_once(method, params, timeout) {
            Err(CallError::Source(SourceError::Unauthorized))
                if matches!(self.config.auth, RpcAuth::Cookie(_)) =>
            {
                // bitcoind restarted and wrote a new cookie: read it again, once.
                self.authorization = None;
                self.call_once(method, params, timeout)
            }
            other => other,
        }
    }

    fn call_once(
        &mut self,
        method: &str,
        params: &str,
        timeout: Duration,
    ) -> Result<String, CallError> {
        self.next_id += 1;
        let body = format!(
            r#"{{"jsonrpc":"1.0","id":{},"method":"{method}","params":{params}}}"#,
            self.next_id
        );
        let mut request = self
            .agent
            .post(&self.config.url)
            .timeout(timeout)
            .set("Content-Type", "application/json");
        if let Some(header) = self.authorization()? {
            request = request.set("Authorization", &header);
        }
        let response = match request.send_string(&body) {
            Ok(response) => response,
            Err(ureq::Error::Status(401, _)) => {
                self.authorization = None;
                return Err(SourceError::Unauthorized.into());
            }
            // bitcoind refuses addresses outside -rpcallowip before looking at credentials.
            Err(ureq::Error::Status(403, _)) => {
                return Err(SourceError::Unreachable(
                    "HTTP 403: the node does not allow this address (-rpcallowip)".into(),
                )
                .into());
            }
            // JSON-RPC 1.0: bitcoind answers RPC errors with HTTP 500 (404 for an unknown
            // method) and the error object in the body.
            Err(ureq::Error::Status(status, response)) => {
                let text = read_body(response)?;
                return match parse_envelope(&text) {
                    Ok(_) => Err(SourceError::Malformed(format!(
                        "HTTP {status} without an RPC error"
                    ))
                    .into()),
                    Err(CallError::Source(SourceError::Malformed(_))) => {
                        Err(SourceError::Malformed(format!("HTTP {status} from {method}")).into())
                    }
                    Err(e) => Err(e),
                };
            }
            Err(ureq::Error::Transport(transport)) => return Err(transport_error(&transport)),
        };
        let text = read_body(response)?;
        parse_envelope(&text)
    }

    /// `getblocktemplate`, plain or as a long poll.
    fn get_block_template(
        &mut self,
        longpollid: Option<&str>,
        timeout: Duration,
    ) -> Result<GbtTemplate, CallError> {
        let params = match longpollid {
            Some(id) => format!(
                r#"[{{"rules":["segwit"],"longpollid":{}}}]"#,
                serde_json::Value::String(id.to_string())
            ),
            None => r#"[{"rules":["segwit"]}]"#.to_string(),
        };
        let text = self.call("getblocktemplate", &params, timeout)?;
        Ok(parse_getblocktemplate(&text)?)
    }

    fn best_block_hash(&mut self) -> Result<U256, CallError> {
        let timeout = self.config.rpc_timeout;
        let text = self.call("getbestblockhash", "[]", timeout)?;
        let hex: String = serde_json::from_str(&text)
            .map_err(|e| SourceError::Malformed(format!("getbestblockhash: {e}")))?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(&hex, &mut bytes)
            .map_err(|e| SourceError::Malformed(format!("getbestblockhash: {e}")))?;
        Ok(U256::from_be_bytes(bytes))
    }

    /// Decides whether a fetched template is worth handing out, and remembers it if so.
    fn accept(&mut self, gbt: GbtTemplate) -> Option<BlockTemplate> {
        let template = gbt.template;
        if self.old_tips.contains(&template.prev_hash) {
            // A late answer on a tip we left: its block would be stale.
            return None;
        }
        self.longpollid = gbt.longpollid;
        let new_tip = self.last_tip != Some(template.prev_hash);
        if !new_tip && template.coinbase_value <= self.last_coinbase_value {
            return None;
        }
        if new_tip {
            if let Some(old) = self.last_tip {
                if self.old_tips.len() == OLD_TIPS_KEPT {
                    self.old_tips.pop_front();
                }
                self.old_tips.push_back(old);
            }
            self.last_tip = Some(template.prev_hash);
            // A new tip ends every long poll the node was still holding for us.
            self.abandoned_long_polls = 0;
        }
        self.last_coinbase_value = template.coinbase_value;
        Some(template)
    }

    fn fetch(&mut self) -> Result<Option<BlockTemplate>, CallError> {
        let timeout = self.config.rpc_timeout;
        let gbt = self.get_block_template(None, timeout)?;
        self.last_refresh = Some(Instant::now());
        Ok(self.accept(gbt))
    }

    fn next_template_until(
        &mut self,
        deadline: Instant,
    ) -> Result<Option<BlockTemplate>, CallError> {
        if self.last_tip.is_none() {
            return self.fetch();
        }
        loop {
            let now = Instant::now();
            let remaining = deadline.saturating_duration_since(now);
            if remaining.is_zero() {
                return Ok(None);
            }
            let long_poll = self.config.long_poll
                && !self.long_poll_broken
                && self.abandoned_long_polls < MAX_ABANDONED_LONG_POLLS;
            match self.longpollid.clone() {
                Some(id) if long_poll && remaining >= self.config.long_poll_min => {
                    match self.get_block_template(Some(&id), remaining) {
                        Ok(gbt) => {
                            if let Some(template) = self.accept(gbt) {
                                self.idle_backoff.reset();
                                return Ok(Some(template));
                            }
                            let pause = self.idle_backoff.next_delay();
                            std::thread::sleep(pause.min(remaining));
                        }
                        Err(CallError::Source(SourceError::Rpc { .. })) => {
                            // This node (or a proxy in front) does not long-poll.
                            self.long_poll_broken = true;
                        }
                        Err(CallError::TimedOut) => {
                            self.abandoned_long_polls += 1;
                            return Err(CallError::TimedOut);
                        }
                        Err(e) => return Err(e),
                    }
                }
                _ => {
                    let tip = self.best_block_hash()?;
                    let refresh_due = self
                        .last_refresh
                        .is_none_or(|at| at.elapsed() >= self.config.refresh_interval);
                    if Some(tip) != self.last_tip || refresh_due {
                        if let Some(template) = self.fetch()? {
                            return Ok(Some(template));
                        }
                    }
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    std::thread::sleep(self.config.poll_interval.min(remaining));
                }
            }
        }
    }
}

impl TemplateSource for BitcoindSource {
    fn next_template(&mut self, timeout: Duration) -> Result<Option<BlockTemplate>, SourceError> {
        let now = Instant::now();
        // A timeout too large for the clock means "wait as long as it takes": a day per call.
        let deadline = now
            .checked_add(timeout)
            .unwrap_or_else(|| now + Duration::from_secs(86_400));
        match self.next_template_until(deadline) {
            Ok(template) => Ok(template),
            // Only a long poll runs into the caller's deadline: nothing new in that time.
            Err(CallError::TimedOut) if Instant::now() >= deadline => Ok(None),
            Err(CallError::TimedOut) => Err(SourceError::Unreachable(
                "the node did not answer in time".into(),
            )),
            Err(CallError::Source(e)) => Err(e),
        }
    }

    fn submit_block(&mut self, block: &[u8]) -> Result<SubmitOutcome, SourceError> {
        let params = format!(r#"["{}"]"#, hex::encode(block));
        let timeout = self.config.rpc_timeout;
        let text = match self.call("submitblock", &params, timeout) {
            Ok(text) => text,
            Err(CallError::TimedOut) => {
                return Err(SourceError::Unreachable(
                    "submitblock: the node did not answer in time".into(),
                ))
            }
            Err(CallError::Source(e)) => return Err(e),
        };
        match serde_json::from_str::<Option<String>>(&text) {
            Ok(None) => Ok(SubmitOutcome::Accepted),
            Ok(Some(reason)) => Ok(SubmitOutcome::Rejected(reason)),
            Err(e) => Err(SourceError::Malformed(format!("submitblock: {e}"))),
        }
    }

    fn describe(&self) -> String {
        format!("bitcoind {}", self.config.url)
    }
}

fn read_body(response: ureq::Response) -> Result<String, CallError> {
    let mut bytes = Vec::new();
    response
        .into_reader()
        .take(MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::TimedOut {
                CallError::TimedOut
            } else {
                SourceError::Unreachable(format!("reading the answer: {e}")).into()
            }
        })?;
    if bytes.len() as u64 > MAX_ANSWER_BYTES {
        return Err(
            SourceError::Malformed(format!("answer larger than {MAX_ANSWER_BYTES} bytes")).into(),
        );
    }
    String::from_utf8(bytes)
        .map_err(|_| SourceError::Malformed("answer is not UTF-8".into()).into())
}

/// The `result` of a JSON-RPC answer, or its error mapped to a [`SourceError`].
fn parse_envelope(text: &str) -> Result<String, CallError> {
    let envelope: Envelope<'_> = serde_json::from_str(text)
        .map_err(|e| SourceError::Malformed(format!("not a JSON-RPC answer: {e}")))?;
    if let Some(error) = envelope.error {
        return Err(match error.code {
            RPC_IN_INITIAL_DOWNLOAD => SourceError::InitialBlockDownload,
            code => SourceError::Rpc {
                code,
                message: error.message,
            },
        }
        .into());
    }
    Ok(envelope
        .result
        .map_or_else(|| "null".to_string(), |raw| raw.get().to_string()))
}

fn transport_error(transport: &ureq::Transport) -> CallError {
    use std::error::Error as _;
    let timed_out = transport
        .source()
        .and_then(|e| e.downcast_ref::<std::io::Error>())
        .is_some_and(|e| {
            matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            )
        });
    if timed_out && transport.kind() == ureq::ErrorKind::Io {
        return CallError::TimedOut;
    }
    SourceError::Unreachable(transport.to_string()).into()
}
