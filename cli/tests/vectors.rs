//! Every committed message vector decodes to its JSON sidecar and the sidecar encodes back to
//! the same bytes, through the `sv2` binary, in each dialect.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sv2(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sv2"))
        .args(args)
        .output()
        .expect("runs sv2")
}

fn vectors(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            vectors(&path, out);
        } else if path.extension().is_some_and(|e| e == "hex") {
            out.push(path);
        }
    }
}

#[test]
fn vectors_decode_to_their_sidecars_and_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut checked = 0;
    for (dir, profile) in [
        ("messages", "spec"),
        ("profiles/sri-2023", "sri-2023"),
        ("profiles/braiins-2021", "braiins-2021"),
    ] {
        let mut files = Vec::new();
        vectors(&root.join(dir), &mut files);
        assert!(!files.is_empty(), "{dir} has vectors");
        for hex_path in files {
            let json_path = hex_path.with_extension("json");
            let decoded = sv2(&["decode", "--profile", profile, hex_path.to_str().unwrap()]);
            assert!(
                decoded.status.success(),
                "{}: {}",
                hex_path.display(),
                String::from_utf8_lossy(&decoded.stderr)
            );
            let got: serde_json::Value = serde_json::from_slice(&decoded.stdout).unwrap();
            let want: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
            assert_eq!(got, want, "{}", hex_path.display());
            let encoded = sv2(&["encode", "--profile", profile, json_path.to_str().unwrap()]);
            assert!(
                encoded.status.success(),
                "{}: {}",
                json_path.display(),
                String::from_utf8_lossy(&encoded.stderr)
            );
            let hex = std::fs::read_to_string(&hex_path).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&encoded.stdout).trim(),
                hex.trim(),
                "{}",
                json_path.display()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 108);
}

#[test]
fn invalid_input_exits_non_zero_with_the_decoder_error() {
    // Issue 14: a truncated frame says how many bytes the frame needs (it said "2 trailing bytes
    // do not form a complete frame"): a header of type 0x1a announcing 24 payload bytes, 2 given.
    let truncated = sv2(&["decode", "--hex", "00801a180000 0100"]);
    assert!(!truncated.status.success());
    let stderr = String::from_utf8_lossy(&truncated.stderr);
    assert!(
        stderr.contains("frame 1 is cut short: its header (type 0x1a) announces a 24-byte payload, so the frame needs 30 bytes (6-byte header + payload); the input has 8 (22 missing)"),
        "{stderr}"
    );
    // A complete frame, then a second one cut inside its header.
    let frame = "00801a180000 01000000 02000000 03000000 44332211 00105e5f 00000020";
    let cut_header = sv2(&["decode", "--hex", &format!("{frame} 0080")]);
    assert!(!cut_header.status.success());
    let stderr = String::from_utf8_lossy(&cut_header.stderr);
    assert!(
        stderr
            .contains("frame 2 is cut short: the input ends after 2 of the 6 bytes of its header"),
        "{stderr}"
    );
    // SetTarget with one byte too many inside the frame (R4)
    let mut frame = String::from("008021250000 01000000");
    frame.push_str(&"ff".repeat(32));
    frame.push_str("00");
    let trailing = sv2(&["decode", "--hex", &frame]);
    assert!(!trailing.status.success());
    assert!(
        String::from_utf8_lossy(&trailing.stderr).contains("SetTarget"),
        "{}",
        String::from_utf8_lossy(&trailing.stderr)
    );
    let not_hex = sv2(&["decode", "--hex", "zz"]);
    assert!(!not_hex.status.success());
    let unknown_profile = sv2(&[
        "decode",
        "--profile",
        "nope",
        "--hex",
        "000001060000020000000000",
    ]);
    assert!(!unknown_profile.status.success());
    let bad_json = sv2(&[
        "encode",
        "--json",
        r#"{"message": "SetTarget", "fields": {"channel_id": 1}}"#,
    ]);
    assert!(!bad_json.status.success());
    assert!(String::from_utf8_lossy(&bad_json.stderr).contains("maximum_target"));
}

#[test]
fn several_frames_and_unknown_frames() {
    let out = sv2(&["decode", "--hex", "000001060000020000000000 0540070100002a"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["message"], "SetupConnection.Success");
    assert_eq!(lines[1]["message"], serde_json::Value::Null);
    assert_eq!(lines[1]["extension_type"], 0x4005);
    let back = sv2(&["encode", "--json", &text]);
    assert_eq!(
        String::from_utf8_lossy(&back.stdout)
            .split_whitespace()
            .collect::<String>(),
        "0000010600000200000000000540070100002a"
    );
}
