//! `sv2 decode` and `sv2 encode`.

use crate::json::{frame_to_json, json_to_frame};
use std::io::Read;
use sv2::codec::{FrameHeader, StreamDecoder, HEADER_LEN};
use sv2::messages::{decode, Dialect};

/// Reads `--hex`, a file, or stdin.
fn input(hex_arg: Option<String>, file: Option<std::path::PathBuf>) -> Result<String, String> {
    match (hex_arg, file) {
        (Some(h), _) => Ok(h),
        (None, Some(path)) if path.as_os_str() != "-" => {
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        }
        _ => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("stdin: {e}"))?;
            Ok(text)
        }
    }
}

pub fn dialect(name: &str) -> Result<&'static Dialect, String> {
    Dialect::by_name(name)
        .ok_or_else(|| format!("unknown profile {name:?} (spec, sri-2023, braiins-2021)"))
}

/// Decodes hex frames, printing one JSON object per frame.
pub fn decode_command(
    hex_arg: Option<String>,
    file: Option<std::path::PathBuf>,
    profile: &str,
) -> Result<(), String> {
    let dialect = dialect(profile)?;
    let text = input(hex_arg, file)?;
    let clean: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace() && *c != '|' && *c != ':')
        .collect();
    let bytes = hex::decode(&clean).map_err(|e| format!("input is not hex: {e}"))?;
    if bytes.is_empty() {
        return Err("no frames in the input".into());
    }
    let mut decoder = StreamDecoder::default();
    decoder.push(&bytes);
    let mut lines = Vec::new();
    while let Some((header, payload)) = decoder.next_frame().map_err(|e| e.to_string())? {
        let frame = decode(dialect, header, payload).map_err(|e| e.to_string())?;
        lines.push(frame_to_json(dialect, &header, &frame).to_string());
    }
    if decoder.buffered() > 0 {
        return Err(incomplete_frame(decoder.pending(), lines.len() + 1));
    }
    println!("{}", lines.join("\n"));
    Ok(())
}

/// Why the input's last bytes are not a frame: how many bytes the frame needs and how many
/// are missing (a truncated copy and paste is the usual cause).
fn incomplete_frame(rest: &[u8], number: usize) -> String {
    let Ok(header) = <[u8; HEADER_LEN]>::try_from(rest.get(..HEADER_LEN).unwrap_or(rest)) else {
        return format!(
            "frame {number} is cut short: the input ends after {} of the {HEADER_LEN} bytes of \
             its header",
            rest.len()
        );
    };
    let header = FrameHeader::parse(header);
    let needed = HEADER_LEN + header.msg_length as usize;
    format!(
        "frame {number} is cut short: its header (type {:#04x}) announces a {}-byte payload, so \
         the frame needs {needed} bytes ({HEADER_LEN}-byte header + payload); the input has {} \
         ({} missing)",
        header.msg_type,
        header.msg_length,
        rest.len(),
        needed - rest.len()
    )
}

/// Encodes JSON frames (one or more objects, or an array of them), printing one hex line each.
pub fn encode_command(
    json_arg: Option<String>,
    file: Option<std::path::PathBuf>,
    profile: &str,
) -> Result<(), String> {
    let dialect = dialect(profile)?;
    let text = input(json_arg, file)?;
    let mut values = Vec::new();
    for value in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>() {
        match value.map_err(|e| format!("input is not JSON: {e}"))? {
            serde_json::Value::Array(items) => values.extend(items),
            v => values.push(v),
        }
    }
    if values.is_empty() {
        return Err("no frames in the input".into());
    }
    for value in &values {
        let mut out = Vec::new();
        json_to_frame(dialect, value, &mut out)?;
        println!("{}", hex::encode(out));
    }
    Ok(())
}
