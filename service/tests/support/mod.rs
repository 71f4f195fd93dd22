//! A fake Bitcoin Core for the RPC source's tests: a JSON-RPC 1.0 server over HTTP on
//! 127.0.0.1 that serves `getblocktemplate` answers built from the real mainnet block 702861
//! (its transactions, prev hash, bits, height; the witness commitment computed with the
//! `bitcoin` crate), `getbestblockhash`, BIP22 long polling and a tip change on demand; checks
//! cookie or basic auth (401), can play a node in initial block download (-10) or one that
//! answers broken JSON, and records and validates every `submitblock` with the `bitcoin` crate.
//!
//! Bounded: at most `MAX_CONNECTIONS` connections at once, headers up to 64 KiB, bodies up to
//! 16 MiB, long polls up to 30 s.

#![allow(dead_code)]

use base64::Engine as _;
use bitcoin::consensus::{deserialize, serialize};
use bitcoin::hashes::Hash;
use bitcoin::{Block, BlockHash};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const HEIGHT: u32 = 702_861;
const MAX_CONNECTIONS: usize = 32;
const MAX_HEADERS: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;
const MAX_LONG_POLL: Duration = Duration::from_secs(30);

pub fn block() -> Block {
    deserialize(bitcoin_test_data::blocks::mainnet_702861()).unwrap()
}

/// The coinbase value of the real block (subsidy plus its fees).
pub fn real_coinbase_value(block: &Block) -> u64 {
    block.txdata[0]
        .output
        .iter()
        .map(|o| o.value.to_sat())
        .sum()
}

/// The `getblocktemplate` result Bitcoin Core would have given for `block`'s transactions on
/// top of `prev` at `height`, with `extra_fees` added to the coinbase value.
pub fn gbt_json(
    block: &Block,
    prev: BlockHash,
    height: u32,
    extra_fees: u64,
    longpollid: &str,
) -> Value {
    let commitment = witness_commitment_hex(block);
    let mut answer = gbt_header(block, prev, height, extra_fees, longpollid, &commitment);
    answer["transactions"] = gbt_transactions(block);
    answer
}

/// The answer's `transactions` array (the costly part, built once per fake node).
pub fn gbt_transactions(block: &Block) -> Value {
    let transactions: Vec<Value> = block.txdata[1..]
        .iter()
        .map(|tx| {
            json!({
                "data": hex::encode(serialize(tx)),
                "txid": tx.compute_txid().to_string(),
                "hash": tx.compute_wtxid().to_string(),
                "depends": [],
                "fee": 0,
                "sigops": 0,
                "weight": tx.weight().to_wu(),
            })
        })
        .collect();
    Value::Array(transactions)
}

/// `default_witness_commitment`: the BIP141 commitment output script of `block`'s
/// transactions, computed by the `bitcoin` crate.
pub fn witness_commitment_hex(block: &Block) -> String {
    let witness_root = block.witness_root().expect("segwit block");
    let commitment = Block::compute_witness_commitment(&witness_root, &[0u8; 32]);
    let mut script = vec![0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
    script.extend_from_slice(commitment.as_byte_array());
    hex::encode(script)
}

/// The answer without its transactions (`"transactions": null`).
pub fn gbt_header(
    block: &Block,
    prev: BlockHash,
    height: u32,
    extra_fees: u64,
    longpollid: &str,
    commitment_hex: &str,
) -> Value {
    let bits = block.header.bits;
    json!({
        "capabilities": ["proposal"],
        "version": block.header.version.to_consensus(),
        "rules": ["csv", "!segwit", "taproot"],
        "vbavailable": {},
        "vbrequired": 0,
        "previousblockhash": prev.to_string(),
        "transactions": null,
        "coinbaseaux": {},
        "coinbasevalue": real_coinbase_value(block) + extra_fees,
        "longpollid": longpollid,
        "target": hex::encode(bitcoin::Target::from_compact(bits).to_be_bytes()),
        "mintime": block.header.time - 3600,
        "mutable": ["time", "transactions", "prevblock"],
        "noncerange": "00000000ffffffff",
        "sigoplimit": 80000,
        "sizelimit": 4000000,
        "weightlimit": 4000000,
        "curtime": block.header.time,
        "bits": format!("{:08x}", bits.to_consensus()),
        "height": height,
        "default_witness_commitment": commitment_hex,
    })
}

/// How the fake node authenticates.
#[derive(Clone, Debug)]
pub enum FakeAuth {
    /// Writes `__cookie__:<password>` to this file at start and on `rotate_cookie`.
    Cookie(PathBuf),
    UserPassword(String, String),
}

/// How the fake node answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Every call fails with RPC error -10 (initial block download).
    InitialBlockDownload,
    /// Every answer is cut-off JSON.
    MalformedJson,
    /// The caller's address is not in -rpcallowip: HTTP 403 before any credential check.
    Forbidden,
}

/// A submitted block and what the node made of it.
#[derive(Clone, Debug)]
pub struct Submission {
    pub bytes: Vec<u8>,
    /// `None`: valid; else the reason, as Bitcoin Core's `submitblock` words it.
    pub rejection: Option<String>,
}

struct Chain {
    /// The tip templates build on, and their height.
    tip: BlockHash,
    height: u32,
    extra_fees: u64,
    /// Bumped on every change; part of the long poll id.
    generation: u64,
    mode: Mode,
    password: String,
    /// The next getblocktemplate answers on the previous tip (a late answer).
    stale_once: Option<(BlockHash, u32)>,
    submissions: Vec<Submission>,
    calls: Vec<String>,
}

struct Shared {
    block: Block,
    /// `gbt_transactions(block)` as JSON text, and the witness commitment.
    transactions_json: String,
    commitment_hex: String,
    auth: FakeAuth,
    chain: Mutex<Chain>,
    changed: Condvar,
    stopping: AtomicBool,
    connections: AtomicUsize,
}

pub struct FakeNode {
    shared: Arc<Shared>,
    pub port: u16,
    accept_thread: Option<JoinHandle<()>>,
}

impl FakeNode {
    /// A node on a free port whose tip is block 702861's parent.
    pub fn start(auth: FakeAuth) -> FakeNode {
        FakeNode::start_on(0, auth)
    }

    /// A node on `port` (0: any free one).
    pub fn start_on(port: u16, auth: FakeAuth) -> FakeNode {
        let block = block();
        let chain = Chain {
            tip: block.header.prev_blockhash,
            height: HEIGHT,
            extra_fees: 0,
            generation: 1,
            mode: Mode::Normal,
            password: "first-cookie-password".into(),
            stale_once: None,
            submissions: Vec::new(),
            calls: Vec::new(),
        };
        let transactions_json = gbt_transactions(&block).to_string();
        let commitment_hex = witness_commitment_hex(&block);
        let shared = Arc::new(Shared {
            block,
            transactions_json,
            commitment_hex,
            auth,
            chain: Mutex::new(chain),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
        });
        shared.write_cookie();
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accept_shared = shared.clone();
        let accept_thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_shared.stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if accept_shared.connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                    continue; // dropped: bounded
                }
                accept_shared.connections.fetch_add(1, Ordering::SeqCst);
                let conn_shared = accept_shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(&conn_shared, stream);
                    conn_shared.connections.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        FakeNode {
            shared,
            port,
            accept_thread: Some(accept_thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn real_block(&self) -> &Block {
        &self.shared.block
    }

    fn update(&self, f: impl FnOnce(&mut Chain)) {
        let mut chain = self.shared.chain.lock().unwrap();
        f(&mut chain);
        chain.generation += 1;
        self.shared.changed.notify_all();
    }

    /// A block was found on the tip: the next templates build on `new_tip` one higher.
    pub fn change_tip(&self, new_tip: BlockHash) {
        self.update(|c| {
            c.tip = new_tip;
            c.height += 1;
            c.extra_fees = 0;
        });
    }

    pub fn tip(&self) -> BlockHash {
        self.shared.chain.lock().unwrap().tip
    }

    /// Fees went up on the same tip (the mempool changed).
    pub fn add_fees(&self, sats: u64) {
        self.update(|c| c.extra_fees += sats);
    }

    /// The next getblocktemplate answers on `tip` (a late answer from before a tip change).
    pub fn answer_once_on(&self, tip: BlockHash, height: u32) {
        let mut chain = self.shared.chain.lock().unwrap();
        chain.stale_once = Some((tip, height));
    }

    pub fn set_mode(&self, mode: Mode) {
        self.update(|c| c.mode = mode);
    }

    /// bitcoind restarted: a new cookie.
    pub fn rotate_cookie(&self, password: &str) {
        self.shared.chain.lock().unwrap().password = password.into();
        self.shared.write_cookie();
    }

    pub fn submissions(&self) -> Vec<Submission> {
        self.shared.chain.lock().unwrap().submissions.clone()
    }

    /// The methods called so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.shared.chain.lock().unwrap().calls.clone()
    }

    /// Stops listening; the port then refuses connections.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FakeNode {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Shared {
    fn write_cookie(&self) {
        if let FakeAuth::Cookie(path) = &self.auth {
            let password = self.chain.lock().unwrap().password.clone();
            std::fs::write(path, format!("__cookie__:{password}")).unwrap();
        }
    }

    fn authorized(&self, header: Option<&str>) -> bool {
        let expected = match &self.auth {
            FakeAuth::Cookie(_) => {
                format!("__cookie__:{}", self.chain.lock().unwrap().password)
            }
            FakeAuth::UserPassword(user, password) => format!("{user}:{password}"),
        };
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(expected)
        );
        header == Some(expected.as_str())
    }

    /// The getblocktemplate result as JSON text, its transactions spliced in.
    fn template(&self, tip: BlockHash, height: u32, extra_fees: u64, generation: u64) -> Value {
        let longpollid = format!("{tip}{generation}");
        let header = gbt_header(
            &self.block,
            tip,
            height,
            extra_fees,
            &longpollid,
            &self.commitment_hex,
        )
        .to_string();
        let text = header.replacen(
            r#""transactions":null"#,
            &format!(r#""transactions":{}"#, self.transactions_json),
            1,
        );
        Value::String(text)
    }

    /// Answers one call: `Ok(result)` or `Err((code, message))`.
    fn call(&self, method: &str, params: &Value) -> Result<Value, (i64, String)> {
        let mut chain = self.chain.lock().unwrap();
        chain.calls.push(method.to_string());
        if chain.mode == Mode::InitialBlockDownload {
            return Err((
                -10,
                "Bitcoin Core is in initial sync and waiting for blocks...".into(),
            ));
        }
        match method {
            "getbestblockhash" => Ok(json!(chain.tip.to_string())),
            "getblocktemplate" => {
                let request = params.get(0).cloned().unwrap_or(Value::Null);
                let rules_ok = request["rules"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|x| x == "segwit"));
                if !rules_ok {
                    return Err((
                        -8,
                        "getblocktemplate must be called with the segwit rule set".into(),
                    ));
                }
                if let Some((tip, height)) = chain.stale_once.take() {
                    return Ok(self.template(tip, height, 0, 0));
                }
                if let Some(id) = request["longpollid"].as_str() {
                    let wanted = format!("{}{}", chain.tip, chain.generation);
                    let until = Instant::now() + MAX_LONG_POLL;
                    let start_generation = chain.generation;
                    // Bitcoin Core answers at once when the id is out of date.
                    if id == wanted {
                        while chain.generation == start_generation
                            && !self.stopping.load(Ordering::SeqCst)
                        {
                            let left = until.saturating_duration_since(Instant::now());
                            if left.is_zero() {
                                break;
                            }
                            chain = self.changed.wait_timeout(chain, left).unwrap().0;
                        }
                    }
                    if chain.mode != Mode::Normal {
                        return Err((-10, "Bitcoin Core is in initial sync".into()));
                    }
                }
                Ok(self.template(chain.tip, chain.height, chain.extra_fees, chain.generation))
            }
            "submitblock" => {
                let hex_block = params.get(0).and_then(Value::as_str).unwrap_or_default();
                let bytes = hex::decode(hex_block).unwrap_or_default();
                let rejection = check_block(&bytes, chain.tip, chain.height);
                chain.submissions.push(Submission {
                    bytes,
                    rejection: rejection.clone(),
                });
                Ok(rejection.map_or(Value::Null, Value::String))
            }
            _ => Err((-32601, "Method not found".into())),
        }
    }
}

/// What Bitcoin Core would say of a submitted block, as far as the `bitcoin` crate checks.
pub fn check_block(bytes: &[u8], tip: BlockHash, height: u32) -> Option<String> {
    let Ok(block) = deserialize::<Block>(bytes) else {
        return Some("rejected: block decode failed".into());
    };
    if block.header.prev_blockhash != tip {
        return Some("inconclusive-not-best-prevblk".into());
    }
    if !block.check_merkle_root() {
        return Some("bad-txnmrklroot".into());
    }
    if !block.check_witness_commitment() {
        return Some("bad-witness-merkle-match".into());
    }
    if block.bip34_block_height() != Ok(u64::from(height)) {
        return Some("bad-cb-height".into());
    }
    if block.header.validate_pow(block.header.target()).is_err() {
        return Some("high-hash".into());
    }
    None
}

fn serve(shared: &Shared, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut content_length = 0usize;
    let mut authorization = None;
    let mut header_bytes = 0;
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .by_ref()
            .take(MAX_HEADERS as u64)
            .read_line(&mut line)?;
        header_bytes += n;
        if n == 0 || header_bytes > MAX_HEADERS {
            return Ok(());
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "content-length" => content_length = value.trim().parse().unwrap_or(usize::MAX),
                "authorization" => authorization = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    if content_length > MAX_BODY {
        return respond(stream, 413, "");
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body)?;
    if shared.chain.lock().unwrap().mode == Mode::Forbidden {
        return respond(stream, 403, "");
    }
    if !shared.authorized(authorization.as_deref()) {
        return respond(stream, 401, "");
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let method = request["method"].as_str().unwrap_or_default().to_string();
    let id = request["id"].clone();
    let answer = shared.call(&method, &request["params"]);
    let mode = shared.chain.lock().unwrap().mode;
    if mode == Mode::MalformedJson {
        return respond(stream, 200, r#"{"result":{"version":5368709"#);
    }
    match answer {
        // A getblocktemplate result comes as JSON text (spliced, see `Shared::template`).
        Ok(Value::String(text)) if method == "getblocktemplate" => respond(
            stream,
            200,
            &format!(r#"{{"result":{text},"error":null,"id":{id}}}"#),
        ),
        Ok(result) => respond(
            stream,
            200,
            &json!({"result": result, "error": null, "id": id}).to_string(),
        ),
        Err((code, message)) => {
            let status = if code == -32601 { 404 } else { 500 };
            respond(
                stream,
                status,
                &json!({"result": null, "error": {"code": code, "message": message}, "id": id})
                    .to_string(),
            )
        }
    }
}

fn respond(mut stream: TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        _ => "Internal Server Error",
    };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// Convenience: the block's own hash as the "other" tip of a tip change.
pub fn next_tip(block: &Block) -> BlockHash {
    block.block_hash()
}

pub fn hash_bytes(hash: BlockHash) -> [u8; 32] {
    hash.to_byte_array()
}
