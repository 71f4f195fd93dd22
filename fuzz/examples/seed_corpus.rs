//! Builds the seed corpora of both fuzz targets from the committed vectors, and replays the
//! targets' checks over them.
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --no-default-features --example seed_corpus -- \
//!     tests/vectors target/fuzz/corpus
//! ```
//!
//! For each `tests/vectors/**/*.hex` (one frame, as hex text) it writes
//! `<out>/frame_decode/<name>` (a 0x00 "one piece" byte, then the frame) and
//! `<out>/message_decode/<name>` (the selector byte of the frame's kind in the vector's dialect,
//! then the payload). Vectors under `profiles/<dialect>/` are in that dialect, the others in the
//! spec's. Two more `frame_decode` seeds hold all vectors as one stream, whole and cut into
//! pieces of 1, 7, 64 and 251 bytes. Existing files are overwritten, others left alone, so
//! the directories can keep what earlier fuzzing runs found.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sv2::codec::{FrameHeader, HEADER_LEN};
use sv2::messages::Dialect;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [vectors, out] = args.as_slice() else {
        eprintln!("usage: seed_corpus <vectors dir> <corpus dir>");
        return ExitCode::from(2);
    };
    match run(Path::new(vectors), Path::new(out)) {
        Ok((frames, payloads)) => {
            eprintln!("seed_corpus: {frames} frame_decode and {payloads} message_decode seeds in {out}, checks pass");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(vectors: &Path, out: &Path) -> Result<(usize, usize), String> {
    let mut files = Vec::new();
    find_hex(vectors, &mut files).map_err(|e| format!("{}: {e}", vectors.display()))?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no .hex files under {}", vectors.display()));
    }
    let frame_dir = out.join("frame_decode");
    let message_dir = out.join("message_decode");
    for dir in [&frame_dir, &message_dir] {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let write = |path: PathBuf, bytes: &[u8]| {
        fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    };

    let mut stream = Vec::new();
    let (mut frames, mut payloads) = (0, 0);
    for file in &files {
        let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let frame = unhex(&text).ok_or_else(|| format!("{}: not hex", file.display()))?;
        let relative = file.strip_prefix(vectors).unwrap_or(file);
        let name: String = relative
            .to_string_lossy()
            .trim_end_matches(".hex")
            .replace(['/', '\\'], "_");
        let dialect = dialect_of(relative)?;

        let seed = [&[0u8][..], &frame].concat();
        sv2_fuzz::frame_decode(&seed);
        write(frame_dir.join(&name), &seed)?;
        frames += 1;
        stream.extend_from_slice(&frame);

        let header_bytes: [u8; HEADER_LEN] = frame
            .get(..HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or_else(|| format!("{}: shorter than a header", file.display()))?;
        let header = FrameHeader::parse(header_bytes);
        let Some(kind) = dialect.kind_of(&header) else {
            eprintln!(
                "seed_corpus: {}: not a message of {} (no message_decode seed)",
                file.display(),
                dialect.name()
            );
            continue;
        };
        let selector = sv2_fuzz::selector(kind, dialect)
            .ok_or("more kinds than one selector byte can address")?;
        let seed = [&[selector][..], &frame[HEADER_LEN..]].concat();
        sv2_fuzz::message_decode(&seed);
        write(message_dir.join(&name), &seed)?;
        payloads += 1;
    }
    for (name, sizes) in [
        ("all-vectors-whole", &[][..]),
        ("all-vectors-pieces", &[0, 6, 63, 250][..]),
    ] {
        let seed = [&[sizes.len() as u8][..], sizes, &stream].concat();
        sv2_fuzz::frame_decode(&seed);
        write(frame_dir.join(name), &seed)?;
        frames += 1;
    }
    Ok((frames, payloads))
}

/// `profiles/<dialect>/…` is in that dialect, everything else in the spec's.
fn dialect_of(relative: &Path) -> Result<&'static Dialect, String> {
    let mut parts = relative.iter().map(|p| p.to_string_lossy());
    match (parts.next().as_deref(), parts.next()) {
        (Some("profiles"), Some(name)) => Dialect::by_name(&name)
            .ok_or_else(|| format!("{}: unknown dialect {name}", relative.display())),
        _ => Ok(Dialect::default()),
    }
}

fn find_hex(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            find_hex(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "hex") {
            out.push(path);
        }
    }
    Ok(())
}

/// Hex text to bytes; whitespace and `|` separators are ignored.
fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '|')
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let pairs = digits.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    Some(pairs.map(|p| p[0] << 4 | p[1]).collect())
}
