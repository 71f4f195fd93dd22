//! `cargo xtask codegen` writes the message code from the one message table;
//! `cargo xtask header` writes `include/sv2.h` from `src/ffi/` with the pinned cbindgen;
//! `cargo xtask check` fails if the committed generated files or header differ from a fresh run,
//! or if an item of the header lacks documentation.
//!
//! Inputs: `messages/messages.json` (the spec's messages, errata resolved),
//! `messages/profiles/*.json` (the wire dialects of deployed implementations) and
//! `messages/dialects.json` (which dialects exist and their behaviour flags).
//! Output: `src/messages/generated.rs` (structs, codecs, the `Message` enum, dialect tables)
//! `tests/common/arbitrary_generated.rs` (proptest strategies for every message) and
//! `src/ffi/messages.rs` (the C views, accessors, senders and encoders of every message); for
//! the Python bindings `bindings/python/src/messages_generated.rs` (one PyO3 class per message)
//! and the generated regions of `bindings/python/python/sv2/_sv2.pyi` (the message half of the
//! stub) and `bindings/python/python/sv2/__init__.py` (`__all__`).
//! For the Node bindings: `bindings/node/src/messages_generated.rs` (the napi `Message` union
//! and its conversions; `napi build` turns it into the message half of `index.d.ts`).

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&root, false),
        Some("check") => codegen(&root, true).and_then(|()| header(&root, true)),
        Some("header") => header(&root, false),
        _ => Err("usage: cargo xtask codegen|header|check".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_json(path: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// How a dialect carries one canonical field on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Wire {
    Same,
    Absent,
    B32AsB032,
    U64AsU32,
    Str032,
    TxOutListAsFlat,
    FlagAsOptionU32,
}

impl Wire {
    fn variant(self) -> &'static str {
        match self {
            Wire::Same => "Same",
            Wire::Absent => "Absent",
            Wire::B32AsB032 => "B32AsB032",
            Wire::U64AsU32 => "U64AsU32",
            Wire::Str032 => "Str032",
            Wire::TxOutListAsFlat => "TxOutListAsFlat",
            Wire::FlagAsOptionU32 => "FlagAsOptionU32",
        }
    }
    /// The conversion a dialect applies when it types a canonical field differently.
    fn between(canonical: &str, dialect: &str) -> Result<Wire, String> {
        Ok(match (canonical, dialect) {
            (a, b) if a == b => Wire::Same,
            ("B32", "B0_32") => Wire::B32AsB032,
            ("U64", "U32") => Wire::U64AsU32,
            ("STR0_255", "STR0_32") => Wire::Str032,
            ("SEQ0_64K[B0_64K]", "B0_64K") => Wire::TxOutListAsFlat,
            ("BOOL", "OPTION[U32]") => Wire::FlagAsOptionU32,
            (a, b) => return Err(format!("no conversion from {a} to {b}")),
        })
    }
}

#[derive(Clone, Debug)]
struct Field {
    spec_name: String,
    rust_name: String,
    ty: String,
    note: Option<String>,
    /// Dialect-only storage that is not a wire slot of its own (the sri-2023 `min_ntime` that
    /// shares the `future_job` slot).
    companion_of: Option<usize>,
}

#[derive(Clone, Debug)]
struct Msg {
    protocol: String,
    spec_name: String,
    rust_name: String,
    section: String,
    direction: String,
    note: Option<String>,
    extension: u16,
    opaque: bool,
    provisional: bool,
    fields: Vec<Field>,
    /// Per dialect: `None` if the dialect does not define the message, else its id and the wire
    /// form of each field (indexed like `fields`; companions are `Absent`).
    per_dialect: Vec<Option<DialectMsg>>,
}

#[derive(Clone, Debug)]
struct DialectMsg {
    msg_type: u8,
    channel_msg: bool,
    wire: Vec<Wire>,
    /// Field names as that implementation spells them (documentation only).
    names: Vec<Option<String>>,
}

struct DialectDef {
    name: String,
    rust_name: String,
    doc: String,
    profile: Option<Json>,
    flags: Json,
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '.' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

fn protocol_prefix(protocol: &str) -> &'static str {
    match protocol {
        "Mining" => "Mining",
        "TemplateDistribution" => "Tdp",
        "JobNegotiation" => "Jn",
        _ => "",
    }
}

fn str_field(v: &Json, key: &str) -> Result<String, String> {
    v.get(key)
        .and_then(Json::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("missing string '{key}' in {v}"))
}

fn load(root: &Path) -> Result<(Vec<Msg>, Vec<DialectDef>), String> {
    let messages = read_json(&root.join("messages/messages.json"))?;
    let dialect_file = read_json(&root.join("messages/dialects.json"))?;
    let mut dialects = Vec::new();
    for d in dialect_file["dialects"]
        .as_array()
        .ok_or("dialects.json: no dialects")?
    {
        let profile = match d["profile"].as_str() {
            Some(file) => Some(read_json(&root.join("messages/profiles").join(file))?),
            None => None,
        };
        dialects.push(DialectDef {
            name: str_field(d, "name")?,
            rust_name: str_field(d, "rust_name")?,
            doc: str_field(d, "doc")?,
            profile,
            flags: d.clone(),
        });
    }

    let mut msgs: Vec<Msg> = Vec::new();
    let new_msg = |m: &Json, protocol: String| -> Result<Msg, String> {
        let spec_name = str_field(m, "name")?;
        let fields = m["fields"]
            .as_array()
            .ok_or("fields")?
            .iter()
            .map(|f| {
                let name = str_field(f, "name")?;
                Ok(Field {
                    rust_name: snake(&name),
                    spec_name: name,
                    ty: str_field(f, "type")?,
                    note: f.get("note").and_then(Json::as_str).map(str::to_string),
                    companion_of: None,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Msg {
            rust_name: spec_name.replace('.', ""),
            spec_name,
            section: m
                .get("section")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
            direction: m
                .get("direction")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
            note: m.get("note").and_then(Json::as_str).map(str::to_string),
            extension: m.get("extension_type").and_then(Json::as_u64).unwrap_or(0) as u16,
            opaque: m.get("payload_defined").and_then(Json::as_bool) == Some(false),
            provisional: m.get("msg_type_provisional").and_then(Json::as_bool) == Some(true),
            protocol,
            fields,
            per_dialect: vec![None; dialects.len()],
        })
    };
    for m in messages.as_array().ok_or("messages.json is not a list")? {
        msgs.push(new_msg(m, str_field(m, "protocol")?)?);
    }
    // Messages only a profile defines (the braiins-2021 Telemetry extension).
    for d in &dialects {
        if let Some(p) = &d.profile {
            for m in p["messages"].as_array().ok_or("profile messages")? {
                let protocol = str_field(m, "protocol")?;
                let name = str_field(m, "name")?;
                if !msgs
                    .iter()
                    .any(|x| x.protocol == protocol && x.spec_name == name)
                {
                    let mut msg = new_msg(m, protocol)?;
                    msg.fields.iter_mut().for_each(|f| f.note = None);
                    msgs.push(msg);
                }
            }
        }
    }
    // Names used by two protocols get a protocol prefix (CHECKLIST B.2 item 9).
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for m in &msgs {
        *counts.entry(m.rust_name.clone()).or_default() += 1;
    }
    for m in &mut msgs {
        if counts[&m.rust_name] > 1 {
            m.rust_name = format!("{}{}", protocol_prefix(&m.protocol), m.rust_name);
        }
    }

    // Per-dialect layouts.
    for (di, d) in dialects.iter().enumerate() {
        let Some(profile) = &d.profile else {
            for (mi, m) in messages.as_array().unwrap().iter().enumerate() {
                let msg = &mut msgs[mi];
                msg.per_dialect[di] = Some(DialectMsg {
                    msg_type: m["msg_type"].as_u64().ok_or("msg_type")? as u8,
                    channel_msg: m["channel_msg"].as_bool().ok_or("channel_msg")?,
                    wire: vec![Wire::Same; msg.fields.len()],
                    names: vec![None; msg.fields.len()],
                });
            }
            continue;
        };
        for pm in profile["messages"].as_array().ok_or("profile messages")? {
            let protocol = str_field(pm, "protocol")?;
            let name = str_field(pm, "name")?;
            let msg = msgs
                .iter_mut()
                .find(|x| x.protocol == protocol && x.spec_name == name)
                .ok_or_else(|| format!("{}: unknown message {protocol} {name}", d.name))?;
            let mut wire = vec![Wire::Absent; msg.fields.len()];
            let mut names = vec![None; msg.fields.len()];
            let mut next_canonical = 0usize;
            for pf in pm["fields"].as_array().ok_or("profile fields")? {
                let pname = str_field(pf, "name")?;
                let pty = str_field(pf, "type")?;
                let canonical_name = match pf.get("name_in_spec").and_then(Json::as_str) {
                    Some(n) if !n.is_empty() => n.to_string(),
                    _ => pname.clone(),
                };
                let added = pf.get("added").and_then(Json::as_bool) == Some(true);
                let position = msg
                    .fields
                    .iter()
                    .position(|f| f.spec_name == canonical_name && f.companion_of.is_none());
                match (added, position) {
                    (false, Some(i)) => {
                        if i < next_canonical {
                            return Err(format!("{}: {name} reorders fields", d.name));
                        }
                        let w = Wire::between(&msg.fields[i].ty, &pty)
                            .map_err(|e| format!("{} {name}.{pname}: {e}", d.name))?;
                        wire[i] = w;
                        names[i] = Some(pname.clone());
                        next_canonical = i + 1;
                        if w == Wire::FlagAsOptionU32 {
                            // The dialect's optional value is kept beside the flag it replaces.
                            let companion = Field {
                                spec_name: pname.clone(),
                                rust_name: snake(&pname),
                                ty: "OPTION[U32]".into(),
                                note: Some(format!(
                                    "{} dialect only: carried instead of `{}` (None means a future job).",
                                    d.name, msg.fields[i].spec_name
                                )),
                                companion_of: Some(i),
                            };
                            msg.fields.push(companion);
                            wire.push(Wire::Absent);
                            names.push(None);
                            for other in msg.per_dialect.iter_mut().flatten() {
                                other.wire.push(Wire::Absent);
                                other.names.push(None);
                            }
                        }
                    }
                    (true, None) => {
                        let field = Field {
                            rust_name: snake(&pname),
                            spec_name: pname.clone(),
                            ty: pty.clone(),
                            note: Some(format!("{} dialect only; empty/zero elsewhere.", d.name)),
                            companion_of: None,
                        };
                        msg.fields.insert(next_canonical, field);
                        wire.insert(next_canonical, Wire::Same);
                        names.insert(next_canonical, Some(pname.clone()));
                        for other in msg.per_dialect.iter_mut().flatten() {
                            other.wire.insert(next_canonical, Wire::Absent);
                            other.names.insert(next_canonical, None);
                        }
                        // Companions point at indices: shift those after the insertion.
                        for f in msg.fields.iter_mut() {
                            if let Some(c) = f.companion_of.as_mut() {
                                if *c >= next_canonical {
                                    *c += 1;
                                }
                            }
                        }
                        next_canonical += 1;
                    }
                    (false, None) => {
                        return Err(format!("{}: {name}.{pname} matches no field", d.name))
                    }
                    (true, Some(_)) => {
                        return Err(format!("{}: {name}.{pname} added but exists", d.name))
                    }
                }
            }
            msg.per_dialect[di] = Some(DialectMsg {
                msg_type: pm["msg_type"].as_u64().ok_or("msg_type")? as u8,
                channel_msg: pm["channel_msg"].as_bool().ok_or("channel_msg")?,
                wire,
                names,
            });
        }
    }
    Ok((msgs, dialects))
}

// ---------------------------------------------------------------------------------------------
// Type mapping

fn rust_type(ty: &str) -> String {
    if let Some(inner) = ty
        .strip_prefix("SEQ0_255[")
        .or_else(|| ty.strip_prefix("SEQ0_64K["))
    {
        return format!("Vec<{}>", rust_type(inner.trim_end_matches(']')));
    }
    match ty {
        "BOOL" => "bool",
        "U8" => "u8",
        "U16" => "u16",
        "U32" => "u32",
        "U64" => "u64",
        "F32" => "f32",
        "U256" | "B32" => "U256",
        "STR0_255" | "STR0_32" => "Str0255",
        "B0_32" => "B032",
        "B0_255" | "B0_64K" | "B0_16M" | "BYTES" => "Vec<u8>",
        "SHORT_TX_ID" => "ShortTxId",
        "OPTION[U32]" => "Option<u32>",
        other => panic!("unknown type {other}"),
    }
    .to_string()
}

/// Approximate in-memory size of a field's Rust type (no padding), to decide which
/// `Message` variants are boxed.
fn memory_size(ty: &str) -> usize {
    if ty.starts_with("SEQ0_") {
        return 24;
    }
    match ty {
        "BOOL" | "U8" => 1,
        "U16" => 2,
        "U32" | "F32" => 4,
        "U64" | "OPTION[U32]" => 8,
        "U256" | "B32" => 32,
        "B0_32" => 33,
        "SHORT_TX_ID" => 6,
        _ => 24, // Vec-backed: STR0_255, STR0_32, B0_255, B0_64K, B0_16M, BYTES
    }
}

/// Messages larger than this are stored boxed in the `Message` enum, so that the enum (moved
/// on every decode, event and send) stays as small as the frequent messages: the shares,
/// their acks, jobs and targets stay inline. `tests/codec.rs` checks the resulting size.
const MAX_INLINE_MESSAGE_SIZE: usize = 60;

impl Msg {
    fn boxed(&self) -> bool {
        self.fields
            .iter()
            .map(|f| memory_size(&f.ty))
            .sum::<usize>()
            > MAX_INLINE_MESSAGE_SIZE
    }
}

/// Smallest encoding of a type: bounds the capacity reserved for a sequence.
fn min_size(ty: &str) -> usize {
    match ty {
        "BOOL" | "U8" => 1,
        "U16" => 2,
        "U32" | "F32" => 4,
        "U64" => 8,
        "U256" | "B32" => 32,
        "SHORT_TX_ID" => 6,
        "STR0_255" | "STR0_32" | "B0_32" | "B0_255" => 1,
        "B0_64K" => 2,
        "B0_16M" => 3,
        _ => 1,
    }
}

/// Statement(s) writing `expr` (a place expression of the field's Rust type) with `w`.
/// Fallible writes use `?` on `EncodeErrorKind`.
fn encode_stmt(ty: &str, expr: &str) -> String {
    if let Some(inner) = ty.strip_prefix("SEQ0_255[") {
        let inner = inner.trim_end_matches(']');
        return format!(
            "w.seq0_255_count({expr}.len())?; for item in {expr}.iter() {{ {} }}",
            encode_stmt(inner, "*item")
        );
    }
    if let Some(inner) = ty.strip_prefix("SEQ0_64K[") {
        let inner = inner.trim_end_matches(']');
        return format!(
            "w.seq0_64k_count({expr}.len())?; for item in {expr}.iter() {{ {} }}",
            encode_stmt(inner, "*item")
        );
    }
    match ty {
        "BOOL" => format!("w.bool({expr});"),
        "U8" => format!("w.u8({expr});"),
        "U16" => format!("w.u16({expr});"),
        "U32" => format!("w.u32({expr});"),
        "U64" => format!("w.u64({expr});"),
        "F32" => format!("w.f32({expr});"),
        "U256" | "B32" => format!("w.u256(&{expr});"),
        "STR0_255" => format!("w.str(&{expr}, 255)?;"),
        "STR0_32" => format!("w.str(&{expr}, 32)?;"),
        "B0_32" => format!("w.b0_32(&{expr});"),
        "B0_255" => format!("w.b0_255(&{expr})?;"),
        "B0_64K" => format!("w.b0_64k(&{expr})?;"),
        "B0_16M" => format!("w.b0_16m(&{expr})?;"),
        "BYTES" => format!("w.raw(&{expr});"),
        "SHORT_TX_ID" => format!("w.short_tx_id(&{expr});"),
        "OPTION[U32]" => format!("w.option_u32({expr});"),
        other => panic!("unknown type {other}"),
    }
}

/// Expression reading a value of `ty` with `r`, of type `Result<T, DecodeErrorKind>`.
fn decode_expr(ty: &str) -> String {
    for (prefix, count) in [
        ("SEQ0_255[", "seq0_255_count"),
        ("SEQ0_64K[", "seq0_64k_count"),
    ] {
        if let Some(inner) = ty.strip_prefix(prefix) {
            let inner = inner.trim_end_matches(']');
            return format!(
                "(|| {{ let n = r.{count}()?; let mut v = Vec::with_capacity(r.capacity_for(n, {})); for _ in 0..n {{ v.push({}?); }} Ok(v) }})()",
                min_size(inner),
                decode_expr(inner)
            );
        }
    }
    match ty {
        "BOOL" => "r.bool()".into(),
        "U8" => "r.u8()".into(),
        "U16" => "r.u16()".into(),
        "U32" => "r.u32()".into(),
        "U64" => "r.u64()".into(),
        "F32" => "r.f32()".into(),
        "U256" | "B32" => "r.u256()".into(),
        "STR0_255" => "r.str(255)".into(),
        "STR0_32" => "r.str(32)".into(),
        "B0_32" => "r.b0_32()".into(),
        "B0_255" => "r.b0_255()".into(),
        "B0_64K" => "r.b0_64k()".into(),
        "B0_16M" => "r.b0_16m()".into(),
        "BYTES" => "Ok(r.take(r.remaining())?.to_vec())".into(),
        "SHORT_TX_ID" => "r.short_tx_id()".into(),
        "OPTION[U32]" => "r.option_u32()".into(),
        other => panic!("unknown type {other}"),
    }
}

/// Statements for the non-`Same` wire forms. `field` is the canonical field, `companion` the
/// Rust name of its companion if any.
fn encode_alt(w: Wire, f: &Field, companion: Option<&str>) -> String {
    let x = format!("self.{}", f.rust_name);
    match w {
        Wire::Same => encode_stmt(&f.ty, &x),
        Wire::Absent => String::new(),
        Wire::B32AsB032 => format!("w.u256_prefixed(&{x});"),
        Wire::U64AsU32 => format!("w.u64_as_u32({x})?;"),
        Wire::Str032 => format!("w.str(&{x}, 32)?;"),
        Wire::TxOutListAsFlat => format!("w.b0_64k(&crate::messages::txouts::concat(&{x})?)?;"),
        Wire::FlagAsOptionU32 => {
            let c = companion.expect("companion");
            format!("w.option_u32(if {x} {{ None }} else {{ Some(self.{c}.unwrap_or(0)) }});")
        }
    }
}

/// Expression decoding a non-`Same` wire form into the canonical type. For
/// `FlagAsOptionU32` it yields the `Option<u32>`; the caller derives the flag.
fn decode_alt(w: Wire, f: &Field) -> String {
    match w {
        Wire::Same => decode_expr(&f.ty),
        Wire::Absent => "Ok(Default::default())".into(),
        Wire::B32AsB032 => "r.u256_prefixed()".into(),
        Wire::U64AsU32 => "r.u32().map(u64::from)".into(),
        Wire::Str032 => "r.str(32)".into(),
        Wire::TxOutListAsFlat => {
            "r.b0_64k().and_then(|flat| crate::messages::txouts::split(&flat))".into()
        }
        Wire::FlagAsOptionU32 => "r.option_u32()".into(),
    }
}

/// Escapes what rustdoc would read as links or HTML (`[`, `]`, `<`) outside backtick spans.
fn escape_doc(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '[' | ']' if !in_code => {
                out.push('\\');
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            _ => out.push(c),
        }
    }
    out
}

fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        let line = escape_doc(line);
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Code generation

fn generate(msgs: &[Msg], dialects: &[DialectDef]) -> (String, String) {
    let mut o = String::new();
    o.push_str("// @generated by `cargo xtask codegen` from messages/messages.json, messages/profiles/*.json\n");
    o.push_str("// and messages/dialects.json. Do not edit: change the table and regenerate.\n");
    o.push_str("#![allow(clippy::borrow_deref_ref, clippy::vec_init_then_push, clippy::field_reassign_with_default)]\n\n");
    o.push_str("use crate::codec::{DecodeError, DecodeErrorKind, DecodeRules, EncodeError, EncodeErrorKind, Reader, ShortTxId, Str0255, Writer, B032, U256};\n");
    o.push_str(
        "use crate::messages::{Dialect, FieldWire, MessageId, MessageInfo, Protocol, Value};\n\n",
    );

    // Varying slots: a global index for every (message, field) whose wire form differs between
    // the dialects that define the message.
    let mut slot_of: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (mi, m) in msgs.iter().enumerate() {
        for fi in 0..m.fields.len() {
            if m.fields[fi].companion_of.is_some() {
                continue;
            }
            let varies = m
                .per_dialect
                .iter()
                .flatten()
                .any(|d| d.wire[fi] != Wire::Same);
            if varies {
                let n = slot_of.len();
                slot_of.insert((mi, fi), n);
            }
        }
    }

    // MessageKind
    let _ = writeln!(
        o,
        "/// Number of message kinds libsv2 knows (the spec's and the dialects' own)."
    );
    let _ = writeln!(o, "pub const MESSAGE_KIND_COUNT: usize = {};", msgs.len());
    let _ = writeln!(
        o,
        "/// Number of fields whose wire form differs between dialects."
    );
    let _ = writeln!(
        o,
        "pub const VARYING_FIELD_COUNT: usize = {};\n",
        slot_of.len()
    );
    o.push_str("/// Every message libsv2 can encode and decode, one variant per message.\n");
    o.push_str("#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]\n#[repr(u8)]\npub enum MessageKind {\n");
    for (i, m) in msgs.iter().enumerate() {
        let _ = writeln!(
            o,
            "    /// `{}` ({} {}).",
            m.spec_name, m.protocol, m.section
        );
        let _ = writeln!(o, "    {} = {i},", m.rust_name);
    }
    o.push_str("}\n\n");
    o.push_str("impl MessageKind {\n    /// All kinds, in table order.\n    pub const ALL: [MessageKind; MESSAGE_KIND_COUNT] = [\n");
    for m in msgs {
        let _ = writeln!(o, "        MessageKind::{},", m.rust_name);
    }
    o.push_str("    ];\n}\n\n");

    // MessageInfo table
    o.push_str("/// Static facts about each kind, indexed by `MessageKind as usize`.\npub(crate) static MESSAGE_INFO: [MessageInfo; MESSAGE_KIND_COUNT] = [\n");
    for m in msgs {
        let protocol = match m.protocol.as_str() {
            "Common" => "Common",
            "Mining" => "Mining",
            "JobNegotiation" => "JobNegotiation",
            "TemplateDistribution" => "TemplateDistribution",
            "Telemetry" => "Telemetry",
            p => panic!("protocol {p}"),
        };
        let field_names: Vec<String> = m
            .fields
            .iter()
            .map(|f| format!("{:?}", f.spec_name))
            .collect();
        let field_types: Vec<String> = m.fields.iter().map(|f| format!("{:?}", f.ty)).collect();
        let _ = writeln!(
            o,
            "    MessageInfo {{ name: {:?}, rust_name: {:?}, protocol: Protocol::{protocol}, section: {:?}, direction: {:?}, extension: {}, payload_defined: {}, msg_type_provisional: {}, field_names: &[{}], field_types: &[{}] }},",
            m.spec_name,
            m.rust_name,
            m.section,
            m.direction,
            m.extension,
            !m.opaque,
            m.provisional,
            field_names.join(", "),
            field_types.join(", ")
        );
    }
    o.push_str("];\n\n");

    // Dialect tables
    for (di, d) in dialects.iter().enumerate() {
        let flag = |k: &str| d.flags.get(k).and_then(Json::as_bool).unwrap_or(false);
        let num = |k: &str| d.flags.get(k).and_then(Json::as_u64).unwrap_or(0);
        doc_lines(&mut o, "", &format!("Dialect `{}`: {}", d.name, d.doc));
        let _ = writeln!(o, "pub static {}: Dialect = Dialect {{", d.rust_name);
        let _ = writeln!(o, "    name: {:?},", d.name);
        let _ = writeln!(
            o,
            "    rules: DecodeRules {{ strict_bool: {}, utf8_strings: {} }},",
            flag("strict_bool"),
            flag("utf8_strings")
        );
        let _ = writeln!(
            o,
            "    ignore_extension_on_receive: {},",
            flag("ignore_extension_on_receive")
        );
        let _ = writeln!(
            o,
            "    mining_flag_bit_work_selection: {},",
            num("mining_flag_bit_work_selection")
        );
        let _ = writeln!(
            o,
            "    mining_flag_bit_version_rolling: {},",
            num("mining_flag_bit_version_rolling")
        );
        let _ = writeln!(
            o,
            "    pool_echoes_setup_flags: {},",
            flag("pool_echoes_setup_flags")
        );
        for quirk in [
            "job_to_channel_zero_means_newest_channel",
            "prevhash_may_precede_job",
            "group_id_may_equal_channel_id",
            "new_shares_sum_saturates",
            "setup_success_version_zero_means_2",
        ] {
            let _ = writeln!(o, "    {quirk}: {},", flag(quirk));
        }
        o.push_str("    ids: [\n");
        for m in msgs {
            match &m.per_dialect[di] {
                Some(dm) => {
                    let _ = writeln!(
                        o,
                        "        Some(MessageId {{ extension: {}, msg_type: 0x{:02x}, channel_msg: {} }}),",
                        m.extension, dm.msg_type, dm.channel_msg
                    );
                }
                None => o.push_str("        None,\n"),
            }
        }
        o.push_str("    ],\n    wire: [\n");
        // Keys are in slot order: slots were numbered in (message, field) order.
        for &(mi, fi) in slot_of.keys() {
            let w = msgs[mi].per_dialect[di]
                .as_ref()
                .map(|dm| dm.wire[fi])
                .unwrap_or(Wire::Absent);
            let _ = writeln!(
                o,
                "        FieldWire::{}, // {}.{}",
                w.variant(),
                msgs[mi].spec_name,
                msgs[mi].fields[fi].spec_name
            );
        }
        o.push_str("    ],\n");
        o.push_str("    receive: Dialect::receive_table(&[\n");
        for (mi, m) in msgs.iter().enumerate() {
            if let Some(dm) = &m.per_dialect[di] {
                let _ = writeln!(
                    o,
                    "        ({}, 0x{:02x}, MessageKind::{}),",
                    m.extension, dm.msg_type, msgs[mi].rust_name
                );
            }
        }
        o.push_str("    ]),\n};\n\n");
    }
    o.push_str("/// Every dialect, the default first.\npub static DIALECTS: [&Dialect; ");
    let _ = write!(o, "{}] = [", dialects.len());
    for d in dialects {
        let _ = write!(o, "&{}, ", d.rust_name);
    }
    o.push_str("];\n\n");

    // Structs and codecs
    for (mi, m) in msgs.iter().enumerate() {
        let mut doc = format!(
            "`{}`: {} protocol, {}, {}.",
            m.spec_name, m.protocol, m.section, m.direction
        );
        if let Some(n) = &m.note {
            doc.push_str("\n\n");
            doc.push_str(n);
        }
        if m.opaque {
            doc.push_str(
                "\n\nThe spec defines no payload for this message: it is kept as opaque bytes.",
            );
        }
        let mut ids = Vec::new();
        for (di, d) in dialects.iter().enumerate() {
            match &m.per_dialect[di] {
                Some(dm) => ids.push(format!(
                    "`{}` 0x{:02x}{}",
                    d.name,
                    dm.msg_type,
                    if dm.channel_msg { " (channel_msg)" } else { "" }
                )),
                None => ids.push(format!("`{}` -", d.name)),
            }
        }
        doc.push_str(&format!("\n\nmsg_type per dialect: {}.", ids.join(", ")));
        doc_lines(&mut o, "", &doc);
        let has_float = m.fields.iter().any(|f| f.ty == "F32");
        let _ = has_float;
        o.push_str("#[derive(Clone, Debug, PartialEq, Default)]\n");
        let _ = writeln!(o, "pub struct {} {{", m.rust_name);
        if m.opaque {
            o.push_str("    /// The payload bytes, uninterpreted.\n    pub payload: Vec<u8>,\n");
        }
        for (fi, f) in m.fields.iter().enumerate() {
            let mut fdoc = format!("`{}`: {}.", f.spec_name, f.ty);
            if let Some(n) = &f.note {
                fdoc.push(' ');
                fdoc.push_str(n);
            }
            let mut spelled = Vec::new();
            for (di, d) in dialects.iter().enumerate() {
                if let Some(dm) = &m.per_dialect[di] {
                    if let Some(name) = &dm.names[fi] {
                        if *name != f.spec_name {
                            spelled.push(format!("`{}` in {}", name, d.name));
                        }
                    }
                    if dm.wire[fi] != Wire::Same && f.companion_of.is_none() {
                        spelled.push(format!(
                            "{} on the wire in {}",
                            dm.wire[fi].variant(),
                            d.name
                        ));
                    }
                }
            }
            if !spelled.is_empty() {
                fdoc.push_str(&format!(" ({})", spelled.join("; ")));
            }
            doc_lines(&mut o, "    ", &fdoc);
            let _ = writeln!(o, "    pub {}: {},", f.rust_name, rust_type(&f.ty));
        }
        o.push_str("}\n\n");

        let _ = writeln!(o, "impl {} {{", m.rust_name);
        let _ = writeln!(
            o,
            "    /// This message's kind.\n    pub const KIND: MessageKind = MessageKind::{};\n",
            m.rust_name
        );
        // encode
        o.push_str("    /// Appends the payload (no header) in `dialect`'s layout.\n");
        o.push_str("    #[inline]\n    pub fn encode_payload(&self, dialect: &Dialect, out: &mut Vec<u8>) -> Result<(), EncodeError> {\n");
        let _ = writeln!(
            o,
            "        let _ = dialect;\n        const NAME: &str = {:?};\n        let _ = NAME;",
            m.spec_name
        );
        o.push_str("        let w = &mut Writer::with_rules(out, dialect.rules);\n");
        if m.opaque {
            o.push_str("        w.raw(&self.payload);\n");
        }
        for (fi, f) in m.fields.iter().enumerate() {
            if f.companion_of.is_some() {
                continue;
            }
            let companion = m
                .fields
                .iter()
                .find(|c| c.companion_of == Some(fi))
                .map(|c| c.rust_name.as_str());
            let body = match slot_of.get(&(mi, fi)) {
                None => encode_stmt(&f.ty, &format!("self.{}", f.rust_name)),
                Some(slot) => {
                    let mut arms = String::new();
                    let mut seen = Vec::new();
                    for dm in m.per_dialect.iter().flatten() {
                        let w = dm.wire[fi];
                        if !seen.contains(&w) {
                            seen.push(w);
                            let _ = write!(
                                arms,
                                "FieldWire::{} => {{ {} }} ",
                                w.variant(),
                                encode_alt(w, f, companion)
                            );
                        }
                    }
                    arms.push_str("_ => return Err(EncodeErrorKind::InvalidValue(\"field layout not defined for this message\")), ");
                    format!("match dialect.wire[{slot}] {{ {arms} }}")
                }
            };
            if body.contains('?') || body.contains("return") {
                let _ = writeln!(
                    o,
                    "        (|| -> Result<(), EncodeErrorKind> {{ {body} Ok(()) }})().map_err(|kind| EncodeError {{ message: NAME, field: {:?}, kind }})?;",
                    f.spec_name
                );
            } else {
                let _ = writeln!(o, "        {body}");
            }
        }
        o.push_str("        Ok(())\n    }\n\n");
        // decode
        o.push_str("    /// Decodes a whole payload (no header) in `dialect`'s layout; every byte must be used (R4).\n");
        o.push_str("    #[inline(always)]\n    pub fn decode_payload(dialect: &Dialect, payload: &[u8]) -> Result<Self, DecodeError> {\n");
        let _ = writeln!(o, "        const NAME: &str = {:?};", m.spec_name);
        o.push_str("        let r = &mut Reader::new(payload, dialect.rules);\n");
        if m.opaque {
            o.push_str("        let payload = r.take(r.remaining()).map(<[u8]>::to_vec).map_err(|kind| DecodeError { message: NAME, field: \"\", kind })?;\n");
        }
        for (fi, f) in m.fields.iter().enumerate() {
            if f.companion_of.is_some() {
                continue;
            }
            let err = format!(
                ".map_err(|kind| DecodeError {{ message: NAME, field: {:?}, kind }})?",
                f.spec_name
            );
            let companion = m.fields.iter().find(|c| c.companion_of == Some(fi));
            match slot_of.get(&(mi, fi)) {
                None => {
                    let _ = writeln!(
                        o,
                        "        let {} = {}{err};",
                        f.rust_name,
                        decode_expr(&f.ty)
                    );
                }
                Some(slot) => {
                    let mut arms = String::new();
                    let mut seen = Vec::new();
                    for dm in m.per_dialect.iter().flatten() {
                        let w = dm.wire[fi];
                        if seen.contains(&w) {
                            continue;
                        }
                        seen.push(w);
                        let expr = match (w, companion) {
                            (Wire::FlagAsOptionU32, Some(_)) => {
                                format!("{}.map(|v| (v.is_none(), v))", decode_alt(w, f))
                            }
                            (_, Some(_)) => format!("{}.map(|v| (v, None))", decode_alt(w, f)),
                            _ => decode_alt(w, f),
                        };
                        let _ = write!(arms, "FieldWire::{} => {expr}, ", w.variant());
                    }
                    arms.push_str("_ => Err(DecodeErrorKind::InvalidValue(\"field layout not defined for this message\")), ");
                    match companion {
                        Some(c) => {
                            let _ = writeln!(o, "        let ({}, {}) = match dialect.wire[{slot}] {{ {arms} }}{err};", f.rust_name, c.rust_name);
                        }
                        None => {
                            let _ = writeln!(
                                o,
                                "        let {} = match dialect.wire[{slot}] {{ {arms} }}{err};",
                                f.rust_name
                            );
                        }
                    }
                }
            }
        }
        o.push_str("        r.finish().map_err(|kind| DecodeError { message: NAME, field: \"\", kind })?;\n");
        let mut names: Vec<String> = m.fields.iter().map(|f| f.rust_name.clone()).collect();
        if m.opaque {
            names.insert(0, "payload".into());
        }
        let _ = writeln!(o, "        Ok(Self {{ {} }})", names.join(", "));
        o.push_str("    }\n\n");
        // fields()
        o.push_str("    /// The fields carried in `dialect`, by spec name, as dynamic values (JSON, bindings).\n");
        o.push_str("    pub fn fields(&self, dialect: &Dialect) -> Vec<(&'static str, Value)> {\n        let _ = dialect;\n        let mut out = Vec::new();\n");
        if m.opaque {
            o.push_str("        out.push((\"payload\", crate::messages::ToValue::to_value(&self.payload)));\n");
        }
        for (fi, f) in m.fields.iter().enumerate() {
            let present = match (f.companion_of, slot_of.get(&(mi, fi))) {
                (Some(owner), _) => {
                    let slot = slot_of[&(mi, owner)];
                    format!("dialect.wire[{slot}] == FieldWire::FlagAsOptionU32")
                }
                (None, Some(slot)) => format!("dialect.wire[{slot}] != FieldWire::Absent"),
                (None, None) => "true".into(),
            };
            let _ = writeln!(o, "        if {present} {{ out.push(({:?}, crate::messages::ToValue::to_value(&self.{}))); }}", f.spec_name, f.rust_name);
        }
        o.push_str("        out\n    }\n\n");
        // from_fields()
        o.push_str("    /// Builds the message from dynamic values, by spec name; fields the dialect does not carry take their default.\n");
        o.push_str("    pub fn from_fields(dialect: &Dialect, fields: &[(&str, Value)]) -> Result<Self, crate::messages::ValueError> {\n        let _ = dialect;\n        let mut message = Self::default();\n");
        if m.opaque {
            o.push_str("        message.payload = crate::messages::take_field(NAME_OF_OPAQUE, fields, \"payload\")?;\n");
        }
        for (fi, f) in m.fields.iter().enumerate() {
            let present = match (f.companion_of, slot_of.get(&(mi, fi))) {
                (Some(owner), _) => format!(
                    "dialect.wire[{}] == FieldWire::FlagAsOptionU32",
                    slot_of[&(mi, owner)]
                ),
                (None, Some(slot)) => format!("dialect.wire[{slot}] != FieldWire::Absent"),
                (None, None) => "true".into(),
            };
            let _ = writeln!(
                o,
                "        if {present} {{ message.{} = crate::messages::take_field({:?}, fields, {:?})?; }}",
                f.rust_name, m.spec_name, f.spec_name
            );
        }
        o.push_str("        Ok(message)\n    }\n}\n\n");
        let wrapped = if m.boxed() { "Box::new(m)" } else { "m" };
        let _ = writeln!(o, "impl From<{0}> for Message {{\n    fn from(m: {0}) -> Message {{\n        Message::{0}({wrapped})\n    }}\n}}\n", m.rust_name);
    }
    let o = o.replace("NAME_OF_OPAQUE", "\"AllocateMiningJobToken.Error\"");
    let mut o = o;

    // Message enum
    o.push_str("/// One decoded message of any kind. The same type is sent and received (direction is\n/// checked by the session, not by the type system).\n///\n/// The large, rare messages are boxed so that the enum stays small (it is moved on every\n/// decode); build any message with `Message::from(payload)` or `payload.into()`.\n#[derive(Clone, Debug, PartialEq)]\npub enum Message {\n");
    for m in msgs {
        let ty = if m.boxed() {
            format!("Box<{}>", m.rust_name)
        } else {
            m.rust_name.clone()
        };
        let _ = writeln!(o, "    /// `{}`.\n    {}({ty}),", m.spec_name, m.rust_name);
    }
    o.push_str("}\n\nimpl Message {\n");
    // A direct field read: the C session asks for it on every event, so no dynamic values.
    o.push_str("    /// The channel a message is addressed to, for messages whose first field is `channel_id`.\n    pub fn channel_id(&self) -> Option<u32> {\n        match self {\n");
    for m in msgs {
        if m.fields
            .first()
            .is_some_and(|f| f.rust_name == "channel_id" && f.ty == "U32")
        {
            let _ = writeln!(
                o,
                "            Message::{}(m) => Some(m.channel_id),",
                m.rust_name
            );
        }
    }
    o.push_str("            _ => None,\n        }\n    }\n\n");
    o.push_str("    /// The kind of this message.\n    pub fn kind(&self) -> MessageKind {\n        match self {\n");
    for m in msgs {
        let _ = writeln!(
            o,
            "            Message::{0}(_) => MessageKind::{0},",
            m.rust_name
        );
    }
    o.push_str("        }\n    }\n\n");
    o.push_str("    /// Appends the payload (no header) in `dialect`'s layout.\n    pub fn encode_payload(&self, dialect: &Dialect, out: &mut Vec<u8>) -> Result<(), EncodeError> {\n        match self {\n");
    for m in msgs {
        let _ = writeln!(
            o,
            "            Message::{}(m) => m.encode_payload(dialect, out),",
            m.rust_name
        );
    }
    o.push_str("        }\n    }\n\n");
    o.push_str("    /// Decodes a payload of the given kind.\n    pub fn decode_payload(kind: MessageKind, dialect: &Dialect, payload: &[u8]) -> Result<Message, DecodeError> {\n        Ok(match kind {\n");
    for m in msgs {
        let _ = writeln!(
            o,
            "            MessageKind::{0} => Message::from({0}::decode_payload(dialect, payload)?),",
            m.rust_name
        );
    }
    o.push_str("        })\n    }\n\n");
    o.push_str("    /// The fields carried in `dialect`, by spec name.\n    pub fn fields(&self, dialect: &Dialect) -> Vec<(&'static str, Value)> {\n        match self {\n");
    for m in msgs {
        let _ = writeln!(
            o,
            "            Message::{}(m) => m.fields(dialect),",
            m.rust_name
        );
    }
    o.push_str("        }\n    }\n\n");
    o.push_str("    /// Builds a message of `kind` from dynamic values.\n    pub fn from_fields(kind: MessageKind, dialect: &Dialect, fields: &[(&str, Value)]) -> Result<Message, crate::messages::ValueError> {\n        Ok(match kind {\n");
    for m in msgs {
        let _ = writeln!(
            o,
            "            MessageKind::{0} => Message::from({0}::from_fields(dialect, fields)?),",
            m.rust_name
        );
    }
    o.push_str("        })\n    }\n}\n");

    // Proptest strategies (for tests/)
    let mut t = String::new();
    t.push_str(
        "// @generated by `cargo xtask codegen`. Proptest strategies for every message.\n\n",
    );
    t.push_str("use proptest::prelude::*;\nuse sv2::codec::{ShortTxId, Str0255, B032, U256};\nuse sv2::messages::*;\n\n");
    t.push_str("#[allow(dead_code)]\npub fn arb_u256() -> impl Strategy<Value = U256> { any::<[u8; 32]>().prop_map(U256) }\n");
    t.push_str("#[allow(dead_code)]\npub fn arb_str(max: usize) -> impl Strategy<Value = Str0255> { proptest::collection::vec(any::<u8>(), 0..=max).prop_map(Str0255::from_bytes) }\n");
    t.push_str("#[allow(dead_code)]\npub fn arb_b032() -> impl Strategy<Value = B032> { proptest::collection::vec(any::<u8>(), 0..=32).prop_map(|v| B032::new(&v).unwrap()) }\n");
    t.push_str("#[allow(dead_code)]\npub fn arb_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> { proptest::collection::vec(any::<u8>(), 0..=max) }\n");
    t.push_str("#[allow(dead_code)]\npub fn arb_txout() -> impl Strategy<Value = Vec<u8>> { (any::<u64>(), proptest::collection::vec(any::<u8>(), 0..40)).prop_map(|(value, script)| { let mut o = value.to_le_bytes().to_vec(); o.push(script.len() as u8); o.extend(script); o }) }\n\n");
    fn strat(ty: &str, field: &str) -> String {
        if let Some(inner) = ty
            .strip_prefix("SEQ0_255[")
            .or_else(|| ty.strip_prefix("SEQ0_64K["))
        {
            let inner = inner.trim_end_matches(']');
            // Coinbase output lists hold consensus-serialized outputs (dialects re-parse them).
            let elem = if field == "coinbase_tx_outputs" {
                "arb_txout().boxed()".to_string()
            } else {
                strat(inner, field)
            };
            return format!("proptest::collection::vec({elem}, 0..4).boxed()");
        }
        match ty {
            "BOOL" => "any::<bool>().boxed()".into(),
            "U8" => "any::<u8>().boxed()".into(),
            "U16" => "any::<u16>().boxed()".into(),
            "U32" => "any::<u32>().boxed()".into(),
            "U64" => "any::<u64>().boxed()".into(),
            "F32" => "(0u32..1_000_000_000).prop_map(|x| x as f32 * 1000.0).boxed()".into(),
            "U256" | "B32" => "arb_u256().boxed()".into(),
            "STR0_255" => "arb_str(255).boxed()".into(),
            "STR0_32" => "arb_str(32).boxed()".into(),
            "B0_32" => "arb_b032().boxed()".into(),
            "B0_255" => "arb_bytes(255).boxed()".into(),
            "B0_64K" | "B0_16M" | "BYTES" => "arb_bytes(300).boxed()".into(),
            "SHORT_TX_ID" => "any::<[u8; 6]>().prop_map(ShortTxId).boxed()".into(),
            "OPTION[U32]" => "proptest::option::of(any::<u32>()).boxed()".into(),
            other => panic!("{other}"),
        }
    }
    t.push_str("/// A strategy for messages of `kind` (values in the spec layout's ranges).\n#[allow(dead_code)]\npub fn arb_message(kind: MessageKind) -> BoxedStrategy<Message> {\n    match kind {\n");
    for m in msgs {
        let mut parts = Vec::new();
        let mut names = Vec::new();
        if m.opaque {
            parts.push("arb_bytes(64).boxed()".to_string());
            names.push("payload".to_string());
        }
        for f in &m.fields {
            parts.push(strat(&f.ty, &f.rust_name));
            names.push(f.rust_name.clone());
        }
        // proptest tuples go up to 12 elements: nest in pairs of tuples when longer.
        let (pat, strategy) = if parts.len() <= 12 {
            (
                format!("({},)", names.join(", ")),
                format!("({},)", parts.join(", ")),
            )
        } else {
            let (a, b) = parts.split_at(parts.len() / 2);
            let (na, nb) = names.split_at(names.len() / 2);
            (
                format!("(({},), ({},))", na.join(", "), nb.join(", ")),
                format!("(({},), ({},))", a.join(", "), b.join(", ")),
            )
        };
        let _ = writeln!(
            t,
            "        MessageKind::{0} => {strategy}.prop_map(|{pat}| Message::from({0} {{ {1} }})).boxed(),",
            m.rust_name,
            names.join(", ")
        );
    }
    t.push_str("    }\n}\n");
    (o, t)
}

// ---------------------------------------------------------------------------------------------
// C views (src/ffi/messages.rs)

/// How one field type appears in a C view: the Rust (repr(C)) type of the view field, the
/// expression building it from `x.<field>` (`aux` holds copies where needed), the expression
/// building the Rust value back from `v.<field>` (may use `?`), and its C description.
struct CField {
    view_ty: &'static str,
    to_view: String,
    from_view: String,
    c_doc: &'static str,
}

fn c_field(ty: &str, name: &str) -> CField {
    let x = format!("x.{name}");
    let v = format!("v.{name}");
    let scalar = |view_ty: &'static str, c_doc: &'static str| CField {
        view_ty,
        to_view: x.clone(),
        from_view: v.clone(),
        c_doc,
    };
    match ty {
        "BOOL" => scalar("bool", "bool"),
        "U8" => scalar("u8", "uint8_t"),
        "U16" => scalar("u16", "uint16_t"),
        "U32" => scalar("u32", "uint32_t"),
        "U64" => scalar("u64", "uint64_t"),
        "F32" => scalar("f32", "float"),
        "U256" | "B32" => CField {
            view_ty: "[u8; 32]",
            to_view: format!("{x}.0"),
            from_view: format!("U256({v})"),
            c_doc: "32 bytes, little-endian (wire order)",
        },
        "STR0_255" | "STR0_32" => CField {
            view_ty: "sv2_bytes",
            to_view: format!("bytes_view({x}.as_bytes())"),
            from_view: format!("Str0255::from_bytes(in_vec(&{v}, \"{name}\")?)"),
            c_doc: "string bytes, not NUL-terminated, not necessarily UTF-8",
        },
        "B0_32" => CField {
            view_ty: "sv2_bytes",
            to_view: format!("bytes_view({x}.as_slice())"),
            from_view: format!("in_b032(&{v}, \"{name}\")?"),
            c_doc: "at most 32 bytes",
        },
        "B0_255" | "B0_64K" | "B0_16M" | "BYTES" => CField {
            view_ty: "sv2_bytes",
            to_view: format!("bytes_view(&{x})"),
            from_view: format!("in_vec(&{v}, \"{name}\")?"),
            c_doc: "bytes",
        },
        "OPTION[U32]" => CField {
            view_ty: "sv2_option_u32",
            to_view: format!("option_view({x})"),
            from_view: format!("option_from_view({v})"),
            c_doc: "optional uint32_t",
        },
        "SEQ0_255[U256]" | "SEQ0_64K[U256]" => CField {
            view_ty: "sv2_u256_seq",
            to_view: format!("aux.u256_seq(&{x})"),
            from_view: format!("in_u256_seq(&{v}, \"{name}\")?"),
            c_doc: "sequence of 32-byte values",
        },
        "SEQ0_64K[B0_64K]" | "SEQ0_64K[B0_16M]" | "SEQ0_255[B0_255]" => CField {
            view_ty: "sv2_bytes_seq",
            to_view: format!("aux.bytes_seq(&{x})"),
            from_view: format!("in_bytes_seq(&{v}, \"{name}\")?"),
            c_doc: "sequence of byte strings",
        },
        "SEQ0_64K[U32]" | "SEQ0_255[U32]" => CField {
            view_ty: "sv2_u32_seq",
            to_view: format!("u32_seq_view(&{x})"),
            from_view: format!("in_u32_seq(&{v}, \"{name}\")?"),
            c_doc: "sequence of uint32_t",
        },
        "SEQ0_64K[U16]" | "SEQ0_255[U16]" => CField {
            view_ty: "sv2_u16_seq",
            to_view: format!("u16_seq_view(&{x})"),
            from_view: format!("in_u16_seq(&{v}, \"{name}\")?"),
            c_doc: "sequence of uint16_t",
        },
        "SEQ0_64K[SHORT_TX_ID]" => CField {
            view_ty: "sv2_short_tx_id_seq",
            to_view: format!("aux.short_tx_id_seq(&{x})"),
            from_view: format!("in_short_tx_id_seq(&{v}, \"{name}\")?"),
            c_doc: "sequence of 6-byte short transaction ids",
        },
        other => panic!("no C view for type {other}"),
    }
}

/// The fields of a message as the Rust struct has them (the opaque message keeps its bytes).
fn struct_fields(m: &Msg) -> Vec<(String, String, Option<String>)> {
    if m.opaque {
        return vec![("payload".into(), "BYTES".into(), None)];
    }
    m.fields
        .iter()
        .map(|f| (f.rust_name.clone(), f.ty.clone(), f.note.clone()))
        .collect()
}

fn generate_ffi(msgs: &[Msg]) -> String {
    let mut o = String::new();
    o.push_str("// @generated by `cargo xtask codegen` from messages/messages.json and messages/profiles/*.json.\n");
    o.push_str("// Do not edit: change the table or xtask/src/main.rs and regenerate.\n");
    o.push_str("//! Read-only C views of every message, the typed accessors `sv2_message_as_<msg>()`, the\n");
    o.push_str("//! typed senders `sv2_session_send_<msg>()` and the typed encoders `sv2_encode_<msg>()`.\n\n");
    o.push_str("use super::*;\n");
    o.push_str("use crate::codec::{Str0255, U256};\n");
    o.push_str("use crate::messages::{self as m, Message, MessageKind};\n\n");

    o.push_str("/// Number of message kinds: kinds are `0 .. SV2_MESSAGE_KIND_COUNT - 1`.\n");
    let _ = writeln!(
        o,
        "pub const SV2_MESSAGE_KIND_COUNT: u32 = {};\n",
        msgs.len()
    );
    for (i, m) in msgs.iter().enumerate() {
        let upper = snake(&m.rust_name).to_ascii_uppercase();
        let _ = writeln!(
            o,
            "/// Kind of `{}` ({} {}, {}); see `sv2_message_kind()`.",
            m.spec_name, m.protocol, m.section, m.direction
        );
        let _ = writeln!(o, "pub const SV2_MESSAGE_{upper}: u32 = {i};");
        let _ = writeln!(
            o,
            "const _: () = assert!(MessageKind::{} as u32 == SV2_MESSAGE_{upper});\n",
            m.rust_name
        );
    }

    o.push_str("/// The spec name of each kind, as C strings (`sv2_message_kind_name()`).\n");
    let _ = writeln!(
        o,
        "pub(crate) static KIND_NAMES: [&std::ffi::CStr; {}] = [",
        msgs.len()
    );
    for m in msgs {
        let _ = writeln!(o, "    c\"{}\",", m.spec_name);
    }
    o.push_str("];\n\n");

    // View structs.
    for m in msgs {
        let c = snake(&m.rust_name);
        let _ = writeln!(
            o,
            "/// `{}` ({} {}, {}): its fields as C values.",
            m.spec_name, m.protocol, m.section, m.direction
        );
        o.push_str("///\n/// Read from a received message with `sv2_message_as_");
        let _ = writeln!(o, "{c}()`: every pointer in it (`sv2_bytes` and");
        o.push_str("/// sequences) borrows from the message and is valid as long as the message is (for a\n");
        o.push_str("/// message of a session event: until the next mutating call on this session). Filled by the\n");
        let _ = writeln!(
            o,
            "/// caller for `sv2_session_send_{c}()` or `sv2_encode_{c}()`: the library only reads it"
        );
        o.push_str("/// during the call and copies what it keeps.\n");
        if let Some(note) = &m.note {
            o.push_str("///\n");
            doc_lines(&mut o, "", note);
        }
        o.push_str("#[repr(C)]\n#[derive(Clone, Copy, Debug)]\n");
        let _ = writeln!(o, "pub struct sv2_{c} {{");
        for (name, ty, note) in struct_fields(m) {
            let cf = c_field(&ty, &name);
            let mut doc = format!("`{name}`: `{ty}` ({}).", cf.c_doc);
            if let Some(n) = note {
                doc.push(' ');
                doc.push_str(&n);
            }
            doc_lines(&mut o, "    ", &doc);
            let _ = writeln!(o, "    pub {name}: {},", cf.view_ty);
        }
        o.push_str("}\n\n");
    }

    // The view of any message.
    o.push_str("/// The view of one message, built once when the message is wrapped.\n");
    o.push_str("#[derive(Debug)]\npub(crate) enum View {\n");
    for m in msgs {
        let _ = writeln!(o, "    {}(sv2_{}),", m.rust_name, snake(&m.rust_name));
    }
    o.push_str("}\n\n");

    o.push_str(
        "/// Builds the view of `message`. Pointers in it borrow from `message` and `aux`, which\n",
    );
    o.push_str("/// must not move or change while the view is in use.\n");
    o.push_str("pub(crate) fn make_view(message: &Message, aux: &mut Aux) -> View {\n");
    o.push_str("    let _ = &aux;\n    match message {\n");
    for m in msgs {
        let c = snake(&m.rust_name);
        let _ = writeln!(
            o,
            "        Message::{}(x) => {{ let _ = x; View::{}(sv2_{c} {{",
            m.rust_name, m.rust_name
        );
        for (name, ty, _) in struct_fields(m) {
            let _ = writeln!(o, "            {name}: {},", c_field(&ty, &name).to_view);
        }
        o.push_str("        })}\n");
    }
    o.push_str("    }\n}\n\n");

    o.push_str("/// Rebuilds the message a view describes (copying everything it points to).\n");
    o.push_str("///\n/// # Safety\n/// Every pointer in the view must be valid for its length (or NULL with length 0).\n");
    o.push_str("#[cfg_attr(not(test), allow(dead_code))]\n");
    o.push_str("pub(crate) unsafe fn message_from_view(view: &View) -> Result<Message, Error> {\n");
    o.push_str(
        "    // SAFETY: forwarded from the caller.\n    unsafe {\n        Ok(match view {\n",
    );
    for m in msgs {
        let _ = writeln!(
            o,
            "            View::{0}(v) => Message::from(from_view_{1}(v)?),",
            m.rust_name,
            snake(&m.rust_name)
        );
    }
    o.push_str("        })\n    }\n}\n\n");

    for m in msgs {
        let c = snake(&m.rust_name);
        let r = &m.rust_name;
        let _ = writeln!(
            o,
            "/// # Safety\n/// Every pointer in `v` must be valid for its length (or NULL with length 0).\nunsafe fn from_view_{c}(v: &sv2_{c}) -> Result<m::{r}, Error> {{"
        );
        let fields: Vec<(String, String)> = struct_fields(m)
            .into_iter()
            .map(|(name, ty, _)| {
                let from = c_field(&ty, &name).from_view;
                (name, from)
            })
            .collect();
        let needs_unsafe = fields.iter().any(|(_, f)| f.contains("(&v."));
        o.push_str("    let _ = v;\n");
        if needs_unsafe {
            o.push_str("    // SAFETY: forwarded from the caller.\n    unsafe {\n");
        } else {
            o.push_str("    {\n");
        }
        let _ = writeln!(o, "        Ok(m::{r} {{");
        for (name, from) in fields {
            let _ = writeln!(o, "            {name}: {from},");
        }
        o.push_str("        })\n    }\n}\n\n");
    }

    // Exported functions.
    for m in msgs {
        let c = snake(&m.rust_name);
        let r = &m.rust_name;
        let name = &m.spec_name;
        let _ = writeln!(
            o,
            "/// The `{name}` view of a message, or NULL if `message` is NULL or another kind."
        );
        o.push_str("///\n/// Returns: a pointer into `message`, valid as long as `message` is: for a message of a\n");
        o.push_str(
            "/// session event, until the next mutating call on this session; for a message from\n",
        );
        o.push_str("/// `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.\n");
        o.push_str("/// Args: `message`: a message (NULL allowed).\n/// Allocates: no.\n");
        o.push_str("#[no_mangle]\n");
        let _ = writeln!(
            o,
            "pub extern \"C\" fn sv2_message_as_{c}(message: *const sv2_message) -> *const sv2_{c} {{"
        );
        let _ = writeln!(
            o,
            "    view_of(message, |view| match view {{ View::{r}(v) => Some(v as *const sv2_{c}), _ => None }})"
        );
        o.push_str("}\n\n");

        let _ = writeln!(o, "/// Queues a `{name}` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.");
        o.push_str("///\n/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;\n");
        o.push_str("/// `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not\n");
        o.push_str("/// travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;\n");
        o.push_str("/// `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.\n");
        let _ = writeln!(o, "/// Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.\n/// Allocates: yes (the queued bytes).");
        o.push_str("#[no_mangle]\n#[must_use]\n");
        let _ = writeln!(
            o,
            "pub extern \"C\" fn sv2_session_send_{c}(session: *mut sv2_session, msg: *const sv2_{c}, now_ms: u64) -> sv2_result {{"
        );
        let _ = writeln!(
            o,
            "    // SAFETY: `msg` is NULL or a valid view whose pointers are valid for their lengths (the\n    // documented contract); it is only read during the call.\n    send_typed(session, msg, now_ms, |v| unsafe {{ from_view_{c}(v) }}.map(Message::from))"
        );
        o.push_str("}\n\n");

        let _ = writeln!(
            o,
            "/// Encodes a `{name}` frame (header and payload) in `dialect` into `buf`."
        );
        o.push_str("///\n/// Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with\n");
        o.push_str(
            "/// the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;\n",
        );
        o.push_str("/// `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.\n");
        o.push_str("/// In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer\n");
        o.push_str("/// (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.\n/// Allocates: yes (temporarily).\n");
        o.push_str("#[no_mangle]\n#[must_use]\n");
        let _ = writeln!(
            o,
            "pub extern \"C\" fn sv2_encode_{c}(msg: *const sv2_{c}, dialect: sv2_dialect, buf: *mut u8, cap: usize, len_out: *mut usize) -> sv2_result {{"
        );
        let _ = writeln!(
            o,
            "    // SAFETY: as for `sv2_session_send_{c}`: `msg` is NULL or a valid view (documented contract).\n    encode_typed(msg, dialect, buf, cap, len_out, |v| unsafe {{ from_view_{c}(v) }}.map(Message::from))"
        );
        o.push_str("}\n\n");
    }
    o
}

fn rustfmt(path: &Path) -> Result<(), String> {
    let status = Command::new("rustfmt")
        .args(["--edition", "2021"])
        .arg(path)
        .status()
        .map_err(|e| format!("rustfmt: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("rustfmt failed on {}", path.display()))
    }
}

fn codegen(root: &Path, check: bool) -> Result<(), String> {
    let (msgs, dialects) = load(root)?;
    let (code, strategies) = generate(&msgs, &dialects);
    let ffi = generate_ffi(&msgs);
    let outputs: [(PathBuf, String); 3] = [
        (root.join("src/messages/generated.rs"), code),
        (root.join("tests/common/arbitrary_generated.rs"), strategies),
        (root.join("src/ffi/messages.rs"), ffi),
    ];
    let tmp = std::env::temp_dir().join(format!("sv2-xtask-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let mut stale = Vec::new();
    for (i, (path, text)) in outputs.iter().enumerate() {
        let scratch = tmp.join(format!("out{i}.rs"));
        std::fs::write(&scratch, text).map_err(|e| e.to_string())?;
        rustfmt(&scratch)?;
        let formatted = std::fs::read_to_string(&scratch).map_err(|e| e.to_string())?;
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current != formatted {
            if check {
                stale.push(path.display().to_string());
            } else {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                std::fs::write(path, formatted).map_err(|e| e.to_string())?;
                println!("wrote {}", path.display());
            }
        }
    }
    codegen_node(root, &msgs, &dialects, &tmp, check, &mut stale)?;
    let _ = std::fs::remove_dir_all(&tmp);
    codegen_python(root, &msgs, check, &mut stale)?;
    if !stale.is_empty() {
        return Err(format!(
            "generated files are stale, run `cargo xtask codegen`: {}",
            stale.join(", ")
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Python bindings (bindings/python): PyO3 classes and the message half of the type stub

/// How one spec type crosses into Python: the Rust parameter type of the generated
/// constructor, its default, the stub's parameter and property types, and the getter.
struct PyType {
    /// Parameter type of `#[new]`.
    param: String,
    /// Default value (Rust expression) in `#[pyo3(signature)]`.
    default: String,
    /// Expression turning the parameter `p` into the field's Rust value.
    take: String,
    /// Type in the stub for the constructor argument.
    stub_in: String,
    /// Default in the stub (`...` when not a plain literal).
    stub_default: &'static str,
    /// Type in the stub for the property.
    stub_out: String,
    /// Return type of the getter, and the expression producing it from `m.<field>`.
    getter_ret: &'static str,
    getter: String,
}

/// Element conversion of a SEQ type: (Rust element type for `SeqArg`, output function, stub type).
fn py_seq_elem(ty: &str) -> (&'static str, &'static str, &'static str) {
    match ty {
        "U16" => ("u16", "conv::int_out", "int"),
        "U32" => ("u32", "conv::int_out", "int"),
        "U256" | "B32" => ("U256", "conv::u256_out", "bytes"),
        "B0_64K" | "B0_16M" | "B0_255" => ("Vec<u8>", "conv::bytes_out", "bytes"),
        "SHORT_TX_ID" => ("ShortTxId", "conv::short_tx_id_out", "bytes"),
        other => panic!("no Python mapping for sequence element {other}"),
    }
}

fn py_type(ty: &str, field: &str) -> PyType {
    let plain = |param: &str, default: &str, stub: &str, stub_default: &'static str| PyType {
        param: param.into(),
        default: default.into(),
        take: "p".into(),
        stub_in: stub.into(),
        stub_default,
        stub_out: stub.into(),
        getter_ret: "PyObject",
        getter: format!("m.{field}.into_py_any(py)"),
    };
    let wrapped = |arg: &str, stub: &str, out: &str| PyType {
        param: arg.into(),
        default: format!("{arg}::default()"),
        take: "p.0".into(),
        // The byte arguments take a bytearray too (conv.rs); strict type checkers need saying.
        stub_in: if stub == "bytes" {
            "bytes | bytearray".into()
        } else {
            stub.into()
        },
        stub_default: "...",
        stub_out: stub.into(),
        getter_ret: "PyObject",
        getter: format!("{out}(py, &m.{field})"),
    };
    for prefix in ["SEQ0_255[", "SEQ0_64K["] {
        if let Some(inner) = ty.strip_prefix(prefix) {
            let (elem, out, stub) = py_seq_elem(inner.trim_end_matches(']'));
            return PyType {
                param: format!("SeqArg<{elem}>"),
                default: "SeqArg::default()".into(),
                take: "p.0".into(),
                stub_in: format!("Sequence[{stub}]"),
                stub_default: "...",
                stub_out: format!("tuple[{stub}, ...]"),
                getter_ret: "PyObject",
                getter: format!("conv::seq_out(py, &m.{field}, {out})"),
            };
        }
    }
    // Unsigned integers go through `IntArg` so that an out-of-range value names the message
    // and field (`{qualname}` becomes `Message.field`).
    let uint = |rust: &str| PyType {
        param: format!("conv::IntArg<{rust}>"),
        default: "conv::IntArg::default()".into(),
        take: "p.get(\"{qualname}\")?".into(),
        // The runtime signature shows a non-literal default as `...`; the stub says the same.
        ..plain(rust, "0", "int", "...")
    };
    match ty {
        "BOOL" => plain("bool", "false", "bool", "False"),
        "U8" => uint("u8"),
        "U16" => uint("u16"),
        "U32" => uint("u32"),
        "U64" => uint("u64"),
        "F32" => plain("f32", "0.0", "float", "0.0"),
        "OPTION[U32]" => plain("Option<u32>", "None", "int | None", "None"),
        "U256" | "B32" => wrapped("U256Arg", "bytes", "conv::u256_out"),
        "STR0_255" | "STR0_32" => PyType {
            stub_in: "str | bytes".into(),
            stub_out: "str".into(),
            ..wrapped("StrArg", "str", "conv::str_out")
        },
        "B0_32" => wrapped("B032Arg", "bytes", "conv::b032_out"),
        "B0_255" | "B0_64K" | "B0_16M" | "BYTES" => wrapped("BytesArg", "bytes", "conv::bytes_out"),
        "SHORT_TX_ID" => wrapped("ShortTxIdArg", "bytes", "conv::short_tx_id_out"),
        other => panic!("no Python mapping for {other}"),
    }
}

const PY_KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Escapes text for a Python string literal in double quotes.
fn py_str(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `(Rust module, stub region, __init__ region)` for the Python bindings.
fn generate_python(msgs: &[Msg]) -> Result<(String, String, String), String> {
    let mut o = String::new();
    o.push_str("// @generated by `cargo xtask codegen` from messages/messages.json and messages/profiles/*.json.\n");
    o.push_str(
        "// Do not edit: change the table and regenerate. One frozen Python class per message,\n",
    );
    o.push_str("// a subclass of `Message` whose payload it reads (see messages.rs).\n");
    o.push_str(
        "#![allow(clippy::too_many_arguments, clippy::new_ret_no_self, non_snake_case)]\n\n",
    );
    o.push_str("#[allow(unused_imports)]\nuse crate::conv::{self, B032Arg, BytesArg, SeqArg, ShortTxIdArg, StrArg, U256Arg};\n");
    o.push_str("use crate::errors::PyResultExt;\nuse crate::messages::{instance, PyMessage};\n");
    o.push_str("use pyo3::prelude::*;\nuse pyo3::IntoPyObjectExt;\n");
    o.push_str("use sv2::codec::{ShortTxId, U256};\nuse sv2::messages::{self as m, Message, MessageKind};\n\n");

    let mut stub = String::new();
    for msg in msgs {
        let cls = &msg.rust_name;
        // Opaque messages carry their payload as one BYTES field (as in generated.rs).
        let fields: Vec<Field> = if msg.opaque {
            vec![Field {
                spec_name: "payload".into(),
                rust_name: "payload".into(),
                ty: "BYTES".into(),
                note: Some("The payload bytes, uninterpreted.".into()),
                companion_of: None,
            }]
        } else {
            msg.fields.clone()
        };
        for f in &fields {
            if PY_KEYWORDS.contains(&f.spec_name.as_str()) {
                return Err(format!("{cls}.{} is a Python keyword", f.spec_name));
            }
        }
        let mut doc = format!(
            "`{}`: {} protocol, {}, {}.",
            msg.spec_name,
            msg.protocol,
            if msg.section.is_empty() {
                "extension"
            } else {
                msg.section.as_str()
            },
            if msg.direction.is_empty() {
                "both directions"
            } else {
                msg.direction.as_str()
            }
        );
        if msg.opaque {
            doc.push_str(" The spec defines no payload: it is kept as opaque bytes.");
        }
        doc_lines(&mut o, "", &doc);
        let _ = writeln!(
            o,
            "#[pyclass(extends = PyMessage, frozen, module = \"sv2._sv2\", name = \"{cls}\")]\npub struct Py{cls};\n"
        );
        let _ = writeln!(o, "#[pymethods]\nimpl Py{cls} {{");
        // Constructor: keyword-only, every field defaulted.
        let types: Vec<PyType> = fields
            .iter()
            .map(|f| py_type(&f.ty, &f.rust_name))
            .collect();
        let sig: Vec<String> = fields
            .iter()
            .zip(&types)
            .map(|(f, t)| format!("{} = {}", f.spec_name, t.default))
            .collect();
        let _ = writeln!(o, "    #[new]");
        if sig.is_empty() {
            let _ = writeln!(o, "    #[pyo3(signature = ())]");
        } else {
            let _ = writeln!(o, "    #[pyo3(signature = (*, {}))]", sig.join(", "));
        }
        let params: Vec<String> = fields
            .iter()
            .zip(&types)
            .map(|(f, t)| format!("{}: {}", f.spec_name, t.param))
            .collect();
        let _ = writeln!(
            o,
            "    fn new({}) -> PyResult<(Self, PyMessage)> {{",
            params.join(", ")
        );
        let inits: Vec<String> = fields
            .iter()
            .zip(&types)
            .map(|(f, t)| {
                // `p` (the first character) stands for the parameter.
                let take = format!("{}{}", f.spec_name, &t.take[1..])
                    .replace("{qualname}", &format!("{cls}.{}", f.spec_name));
                if take == f.rust_name {
                    f.rust_name.clone()
                } else {
                    format!("{}: {take}", f.rust_name)
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "        Ok((Self, PyMessage(Message::from(m::{cls} {{ {} }}))))\n    }}\n",
            inits.join(", ")
        );
        // Class attributes.
        let names: Vec<String> = fields
            .iter()
            .map(|f| format!("\"{}\"", f.spec_name))
            .collect();
        let _ = writeln!(
            o,
            "    /// Field names in order, for positional patterns in `match`.\n    #[classattr]\n    fn __match_args__(py: Python<'_>) -> PyResult<PyObject> {{\n        pyo3::types::PyTuple::new(py, [{}]).map(|t| t.into_any().unbind())\n    }}\n",
            names.join(", ")
        );
        let _ = writeln!(
            o,
            "    /// The spec's name of the message.\n    #[classattr]\n    const SPEC_NAME: &'static str = \"{}\";\n\n    /// The sub-protocol.\n    #[classattr]\n    const PROTOCOL: &'static str = \"{}\";\n",
            msg.spec_name, msg.protocol
        );
        // Getters.
        for (f, t) in fields.iter().zip(&types) {
            if let Some(note) = &f.note {
                doc_lines(
                    &mut o,
                    "    ",
                    &format!("`{}`: {}. {note}", f.spec_name, f.ty),
                );
            } else {
                doc_lines(&mut o, "    ", &format!("`{}`: {}.", f.spec_name, f.ty));
            }
            let _ = writeln!(
                o,
                "    #[getter]\n    fn {name}(slf: &Bound<'_, Self>) -> PyResult<{ret}> {{\n        let py = slf.py();\n        let m = crate::inner!(slf, {cls});\n        {get}\n    }}\n",
                name = f.spec_name,
                ret = t.getter_ret,
                get = t.getter
            );
            if f.ty.starts_with("STR0_") {
                let _ = writeln!(
                    o,
                    "    /// `{0}` as the bytes on the wire.\n    #[getter]\n    fn {0}_bytes(slf: &Bound<'_, Self>) -> PyResult<PyObject> {{\n        let py = slf.py();\n        let m = crate::inner!(slf, {cls});\n        conv::str_bytes_out(py, &m.{1})\n    }}\n",
                    f.spec_name, f.rust_name
                );
            }
        }
        o.push_str("}\n\n");

        // Stub.
        let _ = writeln!(stub, "@final\nclass {cls}(Message):");
        let _ = writeln!(stub, "    \"\"\"{}\"\"\"\n", py_str(&doc));
        let _ = writeln!(
            stub,
            "    __match_args__ = ({}{})",
            names.join(", "),
            if names.len() == 1 { "," } else { "" }
        );
        let _ = writeln!(
            stub,
            "    SPEC_NAME: ClassVar[str]\n    PROTOCOL: ClassVar[str]"
        );
        let args: Vec<String> = fields
            .iter()
            .zip(&types)
            .map(|(f, t)| format!("{}: {} = {}", f.spec_name, t.stub_in, t.stub_default))
            .collect();
        if args.is_empty() {
            let _ = writeln!(stub, "    def __new__(cls) -> Self: ...");
        } else {
            let _ = writeln!(stub, "    def __new__(\n        cls,\n        *,");
            for a in &args {
                let _ = writeln!(stub, "        {a},");
            }
            let _ = writeln!(stub, "    ) -> Self: ...");
        }
        for (f, t) in fields.iter().zip(&types) {
            let _ = writeln!(
                stub,
                "    @property\n    def {}(self) -> {}: ...",
                f.spec_name, t.stub_out
            );
            if f.ty.starts_with("STR0_") {
                let _ = writeln!(
                    stub,
                    "    @property\n    def {}_bytes(self) -> bytes: ...",
                    f.spec_name
                );
            }
        }
        stub.push('\n');
    }

    // wrap(): a decoded message as an instance of its class.
    o.push_str("/// A decoded message as an instance of its Python class.\npub fn wrap(py: Python<'_>, message: Message) -> PyResult<PyObject> {\n    match message.kind() {\n");
    for msg in msgs {
        let _ = writeln!(
            o,
            "        MessageKind::{0} => instance(py, message, Py{0}),",
            msg.rust_name
        );
    }
    o.push_str("    }\n}\n\n");
    // decode_payload(): straight from bytes into the object. Each arm decodes into the
    // object it builds, so the message is not copied through the generic `Message` path
    // (those copies were most of `sv2.decode`'s cost).
    o.push_str("/// Decodes a payload of `kind` straight into an instance of its class.\npub fn decode_payload(py: Python<'_>, kind: MessageKind, dialect: &m::Dialect, payload: &[u8]) -> PyResult<PyObject> {\n    match kind {\n");
    for msg in msgs {
        let _ = writeln!(
            o,
            "        MessageKind::{0} => {{\n            let message = m::{0}::decode_payload(dialect, payload).py(py)?;\n            instance(py, Message::from(message), Py{0})\n        }}",
            msg.rust_name
        );
    }
    o.push_str("    }\n}\n\n");
    o.push_str("/// Adds every message class to the module.\npub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {\n");
    for msg in msgs {
        let _ = writeln!(o, "    module.add_class::<Py{}>()?;", msg.rust_name);
    }
    o.push_str("    Ok(())\n}\n");
    // The unused-import guard: `U256` and `ShortTxId` appear only in some generic arguments.
    o.push_str("\n#[allow(dead_code)]\nfn _types(_: U256, _: ShortTxId) {}\n");

    let mut init = String::from("__all__ += [\n");
    for msg in msgs {
        let _ = writeln!(init, "    \"{}\",", msg.rust_name);
    }
    init.push_str("]\n");
    Ok((o, stub, init))
}

const PY_BEGIN: &str = "# --- BEGIN GENERATED MESSAGES (cargo xtask codegen; do not edit) ---\n";
const PY_END: &str = "# --- END GENERATED MESSAGES ---\n";

/// Replaces the text between the generated-region markers of `current`.
fn splice_region(current: &str, region: &str, path: &Path) -> Result<String, String> {
    let start = current
        .find(PY_BEGIN)
        .ok_or_else(|| format!("{}: no `{}` marker", path.display(), PY_BEGIN.trim()))?
        + PY_BEGIN.len();
    let end = current[start..]
        .find(PY_END)
        .ok_or_else(|| format!("{}: no `{}` marker", path.display(), PY_END.trim()))?
        + start;
    Ok(format!(
        "{}{}{}",
        &current[..start],
        region,
        &current[end..]
    ))
}

/// Writes (or, with `check`, compares) the Python bindings' generated files.
fn codegen_python(
    root: &Path,
    msgs: &[Msg],
    check: bool,
    stale: &mut Vec<String>,
) -> Result<(), String> {
    let (code, stub, init) = generate_python(msgs)?;
    let mut update = |path: PathBuf, formatted: String| -> Result<(), String> {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != formatted {
            if check {
                stale.push(path.display().to_string());
            } else {
                std::fs::write(&path, formatted).map_err(|e| format!("{}: {e}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
        Ok(())
    };
    let rust = root.join("bindings/python/src/messages_generated.rs");
    let scratch = std::env::temp_dir().join(format!("sv2-xtask-py-{}.rs", std::process::id()));
    std::fs::write(&scratch, code).map_err(|e| e.to_string())?;
    rustfmt(&scratch)?;
    let formatted = std::fs::read_to_string(&scratch).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&scratch);
    update(rust, formatted)?;
    for (rel, region) in [
        ("bindings/python/python/sv2/_sv2.pyi", stub),
        ("bindings/python/python/sv2/__init__.py", init),
    ] {
        let path = root.join(rel);
        let current =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let spliced = splice_region(&current, &region, &path)?;
        update(path, spliced)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// include/sv2.h

/// The `[package]` version of the root Cargo.toml, split into numbers.
fn package_version(root: &Path) -> Result<(String, [u32; 3]), String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if let (true, Some(rest)) = (in_package, line.strip_prefix("version")) {
            let value = rest.trim().trim_start_matches('=').trim().trim_matches('"');
            let core = value.split(['-', '+']).next().unwrap_or("");
            let parts: Vec<u32> = core.split('.').filter_map(|p| p.parse().ok()).collect();
            if let [major, minor, patch] = parts[..] {
                return Ok((value.to_string(), [major, minor, patch]));
            }
            return Err(format!("Cargo.toml: cannot read version `{value}`"));
        }
    }
    Err("Cargo.toml: no [package] version".into())
}

fn render_header(root: &Path) -> Result<String, String> {
    let mut config = cbindgen::Config::from_file(root.join("cbindgen.toml"))
        .map_err(|e| format!("cbindgen.toml: {e}"))?;
    let (version, [major, minor, patch]) = package_version(root)?;
    let mut after = config.after_includes.take().unwrap_or_default();
    let _ = write!(
        after,
        "\n/** Major version of this header (the library's Cargo.toml version {version}). */\n\
         #define SV2_VERSION_MAJOR {major}\n\
         /** Minor version of this header. */\n\
         #define SV2_VERSION_MINOR {minor}\n\
         /** Patch version of this header. */\n\
         #define SV2_VERSION_PATCH {patch}\n\
         /** The version as a string, as in sv2_version(). */\n\
         #define SV2_VERSION_STRING \"{version}\"\n"
    );
    config.after_includes = Some(after);
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi/mod.rs"))
        .generate()
        .map_err(|e| format!("cbindgen: {e}"))?;
    let mut out = Vec::new();
    bindings.write(&mut out);
    let text = String::from_utf8(out).map_err(|e| e.to_string())?;
    // cbindgen closes its C++ guards with `//` comments, which strict C89 compilers (old
    // firmware toolchains, `-std=c89 -pedantic`) refuse: make them C comments.
    Ok(text
        .replace("#endif // __cplusplus", "#endif /* __cplusplus */")
        .replace("#endif  // __cplusplus", "#endif /* __cplusplus */")
        .replace("}  // extern \"C\"", "} /* extern \"C\" */"))
}

/// Every declaration of the header must be preceded by a documentation comment.
fn check_documented(header: &str) -> Result<(), String> {
    let lines: Vec<&str> = header.lines().collect();
    let mut missing = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let starts_item = line.starts_with("#define SV2_")
            || line.starts_with("typedef ")
            || (line.starts_with("SV2_MUST_USE ")
                || line.contains(" sv2_") && line.ends_with(");"))
                && !line.starts_with(' ');
        if !starts_item || *line == "#define SV2_H" || line.starts_with("#define SV2_MUST_USE") {
            continue;
        }
        let previous = lines[..i].iter().rev().find(|l| !l.trim().is_empty());
        let documented = previous.is_some_and(|p| p.trim_end().ends_with("*/"));
        if !documented {
            missing.push(format!("{}: {}", i + 1, line));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "include/sv2.h: undocumented items:\n  {}",
            missing.join("\n  ")
        ))
    }
}

/// Every name the header's opening table of contents mentions is declared below it, so that
/// the table cannot point at a renamed or removed function (`sv2_x_<msg>` stands for a family).
fn check_contents(header: &str) -> Result<(), String> {
    let Some(start) = header.find("CONTENTS BY TASK") else {
        return Err("include/sv2.h: cbindgen.toml's header lost its CONTENTS BY TASK".into());
    };
    let end = header[start..]
        .find("\n *\n")
        .map_or(header.len(), |n| start + n);
    let body = &header[end..];
    let mut missing = Vec::new();
    for word in
        header[start..end].split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '<'))
    {
        let name = word.trim_end_matches('_');
        let is_name = name.starts_with("sv2_") || name.starts_with("SV2_");
        if !is_name || word.contains('<') {
            continue;
        }
        let family = word.ends_with('_'); // SV2_MINER_EVENT_*: some macro starts with it
        let declared = if family {
            body.contains(&format!("#define {word}"))
        } else {
            [" ", "*"]
                .iter()
                .any(|before| body.contains(&format!("{before}{name}(") as &str))
                || body.contains(&format!("struct {name} "))
                || body.contains(&format!("typedef uint32_t {name};"))
                || body.contains(&format!("#define {name} "))
        };
        if !declared {
            missing.push(word.to_string());
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "cbindgen.toml: the CONTENTS of sv2.h name what the header does not declare: {}",
            missing.join(", ")
        ))
    }
}

fn header(root: &Path, check: bool) -> Result<(), String> {
    let text = render_header(root)?;
    check_documented(&text)?;
    check_contents(&text)?;
    let path = root.join("include/sv2.h");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == text {
        return Ok(());
    }
    if check {
        return Err("include/sv2.h is stale, run `cargo xtask header`".into());
    }
    std::fs::create_dir_all(root.join("include")).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    println!("wrote {}", path.display());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Node bindings (bindings/node): the napi `Message` union and its conversions

/// How one spec type crosses into JavaScript: the Rust type of the napi field, and the
/// expressions converting the core's value `$x` (a place expression) out and the JS value `$v` in (`M`
/// and `F` name the message and field for error messages; input expressions may use `?`).
fn node_type(ty: &str) -> (String, String, String) {
    for prefix in ["SEQ0_255[", "SEQ0_64K["] {
        if let Some(inner) = ty.strip_prefix(prefix) {
            let (t, out, inp) = node_type(inner.trim_end_matches(']'));
            let out = out.replace("$x", "(*e)");
            let inp = inp.replace("$v", "e");
            return (
                format!("Vec<{t}>"),
                format!("$x.iter().map(|e| {out}).collect()"),
                format!("$v.into_iter().map(|e| Ok({inp})).collect::<Result<Vec<_>>>()?"),
            );
        }
    }
    let (t, out, inp) = match ty {
        "BOOL" => ("bool", "$x", "$v"),
        "U8" => ("u32", "u32::from($x)", "conv::u8_in(M, F, $v)?"),
        "U16" => ("u32", "u32::from($x)", "conv::u16_in(M, F, $v)?"),
        "U32" => ("u32", "$x", "$v"),
        "U64" => ("BigInt", "BigInt::from($x)", "conv::u64_in(M, F, &$v)?"),
        "F32" => ("f64", "f64::from($x)", "$v as f32"),
        "U256" | "B32" => (
            "Uint8Array",
            "conv::u256_out(&$x)",
            "conv::u256_in(M, F, &$v)?",
        ),
        "STR0_255" | "STR0_32" => ("String", "conv::str_out(&$x)", "conv::str_in($v)"),
        "B0_32" => (
            "Uint8Array",
            "conv::bytes_out($x.as_slice())",
            "conv::b032_in(M, F, &$v)?",
        ),
        "B0_255" | "B0_64K" | "B0_16M" | "BYTES" => {
            ("Uint8Array", "conv::bytes_out(&$x)", "$v.to_vec()")
        }
        "SHORT_TX_ID" => (
            "Uint8Array",
            "conv::bytes_out(&$x.0)",
            "conv::short_tx_id_in(M, F, &$v)?",
        ),
        "OPTION[U32]" => ("Option<u32>", "$x", "$v"),
        other => panic!("no Node mapping for {other}"),
    };
    (t.to_string(), out.to_string(), inp.to_string())
}

/// Fields the spec layout does not carry (added by a dialect): optional in JavaScript, omitted
/// when they hold their default. Companions are `OPTION[U32]` already and stay as they are.
fn node_dialect_only(msg: &Msg, dialects: &[DialectDef], field: usize) -> bool {
    let spec = dialects.iter().position(|d| d.profile.is_none());
    let wire = spec.and_then(|i| msg.per_dialect[i].as_ref());
    !msg.opaque
        && msg.fields[field].companion_of.is_none()
        && wire.is_some_and(|w| w.wire[field] == Wire::Absent)
}

fn generate_node(msgs: &[Msg], dialects: &[DialectDef]) -> String {
    let mut o = String::new();
    o.push_str("// @generated by `cargo xtask codegen` from messages/messages.json and messages/profiles/*.json.\n");
    o.push_str("// Do not edit: change the table and regenerate. `napi build` turns the `Message` union into\n");
    o.push_str("// the message half of index.d.ts.\n");
    o.push_str(
        "#![allow(clippy::all, unused_variables, unused_parens, dead_code, non_snake_case)]\n\n",
    );
    o.push_str("use crate::conv;\nuse crate::errors::Result;\n");
    o.push_str("use napi::bindgen_prelude::{BigInt, Uint8Array};\nuse napi_derive::napi;\n");
    o.push_str("use sv2::messages::{self as m, Message as CoreMessage};\n\n");
    o.push_str("/// Every message of the spec and of the deployed dialects, as a plain object whose `type` is\n");
    o.push_str("/// the message's name without dots (`SetupConnectionSuccess`; the two SetNewPrevHash are\n");
    o.push_str("/// `MiningSetNewPrevHash` and `TdpSetNewPrevHash`). Fields are the spec's in camelCase: U8–U32\n");
    o.push_str("/// are numbers, U64 is a bigint, U256/B0_*/SHORT_TX_ID are Uint8Array (a Buffer is accepted),\n");
    o.push_str("/// STR0_255 is a string, OPTION[U32] is an optional number, SEQ0_* are arrays.\n");
    o.push_str("#[napi(discriminant = \"type\")]\npub enum Message {\n");
    for msg in msgs {
        let _ = writeln!(o, "    {} {{", msg.rust_name);
        for (i, (name, ty, _)) in struct_fields(msg).into_iter().enumerate() {
            let (t, _, _) = node_type(&ty);
            if node_dialect_only(msg, dialects, i) {
                let _ = writeln!(o, "        {name}: Option<{t}>,");
            } else {
                let _ = writeln!(o, "        {name}: {t},");
            }
        }
        o.push_str("    },\n");
    }
    o.push_str("}\n\n");

    o.push_str("/// The JavaScript object of a message.\npub fn to_js(message: &CoreMessage) -> Message {\n    match message {\n");
    for msg in msgs {
        let fields = struct_fields(msg);
        let r = &msg.rust_name;
        if fields.is_empty() {
            let _ = writeln!(o, "        CoreMessage::{r}(_) => Message::{r} {{}},");
            continue;
        }
        let _ = writeln!(o, "        CoreMessage::{r}(s) => Message::{r} {{");
        for (i, (name, ty, _)) in fields.iter().enumerate() {
            let (_, out, _) = node_type(ty);
            let out = out.replace("$x", &format!("s.{name}"));
            if node_dialect_only(msg, dialects, i) {
                let _ = writeln!(
                    o,
                    "            {name}: conv::is_set(&s.{name}).then(|| {out}),"
                );
            } else {
                let _ = writeln!(o, "            {name}: {out},");
            }
        }
        o.push_str("        },\n");
    }
    o.push_str("    }\n}\n\n");

    o.push_str("/// The core message of a JavaScript object (field values checked against their spec types).\npub fn from_js(message: Message) -> Result<CoreMessage> {\n    Ok(match message {\n");
    for msg in msgs {
        let fields = struct_fields(msg);
        let r = &msg.rust_name;
        let names: Vec<&str> = fields.iter().map(|(n, _, _)| n.as_str()).collect();
        let _ = writeln!(
            o,
            "        Message::{r} {{ {} }} => {{\n            const M: &str = \"{}\";",
            names.join(", "),
            msg.spec_name
        );
        let _ = writeln!(o, "            CoreMessage::from(m::{r} {{");
        for (i, (name, ty, _)) in fields.iter().enumerate() {
            let (_, _, inp) = node_type(ty);
            if node_dialect_only(msg, dialects, i) {
                let inp = inp.replace("$v", "v");
                let _ = writeln!(
                    o,
                    "                {name}: {{ const F: &str = \"{name}\"; match {name} {{ Some(v) => {inp}, None => Default::default() }} }},"
                );
                continue;
            }
            let inp = inp.replace("$v", name);
            if inp.contains("F, ") {
                let _ = writeln!(
                    o,
                    "                {name}: {{ const F: &str = \"{name}\"; {inp} }},"
                );
            } else if inp == *name {
                let _ = writeln!(o, "                {name},");
            } else {
                let _ = writeln!(o, "                {name}: {inp},");
            }
        }
        o.push_str("            })\n        }\n");
    }
    o.push_str("    })\n}\n");
    o
}

/// Writes (or, with `check`, compares) the Node bindings' generated module.
fn codegen_node(
    root: &Path,
    msgs: &[Msg],
    dialects: &[DialectDef],
    tmp: &Path,
    check: bool,
    stale: &mut Vec<String>,
) -> Result<(), String> {
    let path = root.join("bindings/node/src/messages_generated.rs");
    let scratch = tmp.join("node_messages.rs");
    std::fs::write(&scratch, generate_node(msgs, dialects)).map_err(|e| e.to_string())?;
    rustfmt(&scratch)?;
    let formatted = std::fs::read_to_string(&scratch).map_err(|e| e.to_string())?;
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != formatted {
        if check {
            stale.push(path.display().to_string());
        } else {
            std::fs::write(&path, formatted).map_err(|e| e.to_string())?;
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}
