//! `sv2 tp --bitcoind` against a fake Bitcoin Core serving mainnet block 702861's template (the
//! fake of service/tests/support), with `sv2 pool --tp` and `sv2 mine` on top: the pool's
//! miner mines the real template (2 499 transactions, its merkle path and witness commitment)
//! at an easy share target, and its shares are accepted. Blocks at mainnet difficulty are out
//! of reach here; service/tests/bitcoind.rs checks submitblock with the real coinbase.

#[path = "../../service/tests/support/mod.rs"]
mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::{FakeAuth, FakeNode};

/// Runs `sv2 ARGS`, returns (child, first stdout line).
fn start(
    args: &[&str],
) -> (
    std::process::Child,
    String,
    std::sync::mpsc::Receiver<String>,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sv2"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let (rest_tx, rest_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(url)) = lines.next() {
            let _ = url_tx.send(url);
        }
        let rest: Vec<String> = lines.map_while(Result::ok).collect();
        let _ = rest_tx.send(rest.join("\n"));
    });
    match url_rx.recv_timeout(Duration::from_secs(30)) {
        Ok(url) => (child, url, rest_rx),
        Err(_) => {
            let _ = child.kill();
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("sv2 {args:?} printed no URL; stderr:\n{err}");
        }
    }
}

fn summary(mut child: std::process::Child, rest: std::sync::mpsc::Receiver<String>) -> Value {
    let status = child.wait().unwrap();
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    assert!(status.success(), "exit {status:?}; stderr:\n{err}");
    let out = rest.recv_timeout(Duration::from_secs(10)).unwrap();
    let last = out.lines().last().unwrap_or_default().to_string();
    serde_json::from_str(&last).unwrap_or_else(|e| panic!("{last:?}: {e}; stderr:\n{err}"))
}

#[test]
fn tp_on_bitcoind_serves_the_real_template_to_a_pool_and_its_miner() {
    let dir = tempfile::tempdir().unwrap();
    let cookie = dir.path().join(".cookie");
    let node = FakeNode::start(FakeAuth::Cookie(cookie.clone()));
    let cookie = cookie.to_str().unwrap().to_string();
    let (tp, tp_url, tp_rest) = start(&[
        "tp",
        "--listen",
        "127.0.0.1:0",
        "--bitcoind",
        &node.url(),
        "--rpc-cookie",
        &cookie,
        "--plaintext",
        "--seconds",
        "20",
        "--json",
    ]);
    assert!(
        tp_url.starts_with("stratum2+tcp+plain://127.0.0.1:"),
        "{tp_url}"
    );
    let (pool, pool_url, pool_rest) = start(&[
        "pool",
        "--listen",
        "127.0.0.1:0",
        "--tp",
        &tp_url,
        "--plaintext",
        "--seconds",
        "16",
        "--json",
    ]);
    // `sv2 mine` prints no URL: its only stdout line is the summary.
    let out = Command::new(env!("CARGO_BIN_EXE_sv2"))
        .args([
            "mine",
            &pool_url,
            "--shares",
            "3",
            "--seconds",
            "14",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    let miner: Value = serde_json::from_str(&last).unwrap();
    assert!(miner["accepted"].as_u64().unwrap() >= 3, "{miner}");
    let pool = summary(pool, pool_rest);
    assert!(pool["accepted"].as_u64().unwrap() >= 3, "{pool}");
    let tp = summary(tp, tp_rest);
    assert!(tp["templates"].as_u64().unwrap() >= 1, "{tp}");
    assert!(
        node.calls().iter().any(|c| c == "getblocktemplate"),
        "{:?}",
        node.calls()
    );
}

#[test]
fn tp_bitcoind_flags_are_checked() {
    for (args, flag) in [
        (vec!["--rpc-user", "u"], "--rpc-password"),
        (vec!["--rpc-password", "p"], "--rpc-user"),
        (
            vec!["--rpc-cookie", "/x", "--rpc-user", "u"],
            "--rpc-cookie",
        ),
    ] {
        let mut full = vec!["tp", "--listen", "127.0.0.1:0", "--bitcoind", "127.0.0.1:1"];
        full.extend(args);
        let out = Command::new(env!("CARGO_BIN_EXE_sv2"))
            .args(&full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{full:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{full:?}: {err}");
    }
}
