//! DESIGN rule 1: the protocol core performs no I/O, reads no clock and starts no threads.
//! Only the edge helper `src/net.rs` (and later `src/ffi/`) may touch sockets and clocks.

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "TcpStream",
    "TcpListener",
    "ToSocketAddrs",
    "UdpSocket",
    "Instant::now",
    "SystemTime",
    "std::thread",
    "thread::spawn",
    "std::fs",
    "std::io::stdin",
    "std::process",
];

fn scan(dir: &Path, offenders: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let relative = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .to_string();
        if path.is_dir() {
            if !relative.ends_with("src/ffi") {
                scan(&path, offenders);
            }
            continue;
        }
        // The edge helper, and file helpers for key files (the sv2 key operations).
        if relative.ends_with("src/net.rs")
            || relative.ends_with("src/keys/file.rs")
            || relative.ends_with("src/keys/cert_file.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if code.contains(word) {
                    offenders.push(format!("{relative}:{}: {word}", n + 1));
                }
            }
        }
    }
}

#[test]
fn protocol_modules_touch_no_sockets_clocks_or_threads() {
    let mut offenders = Vec::new();
    scan(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut offenders,
    );
    assert!(
        offenders.is_empty(),
        "I/O, clock or thread use in protocol code:\n{}",
        offenders.join("\n")
    );
}
