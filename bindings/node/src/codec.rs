//! Frames and messages: encode, decode, message facts, and the streaming decoder (a passive tap
//! on a plaintext byte stream).

use crate::conv::bytes_out;
use crate::errors::{err, invalid, js, Result, UNKNOWN_MESSAGE};
use crate::messages_generated::{from_js, to_js, Message};
use crate::Dialect;
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;
use sv2::codec::framing::MAX_PAYLOAD_LEN;
use sv2::codec::{FrameHeader as CoreHeader, HEADER_LEN};
use sv2::messages::{decode, Dialect as CoreDialect, Frame, Message as CoreMessage, MessageKind};

/// The core dialect of an optional name (`'spec'` when absent).
pub fn dialect_of(name: Option<Dialect>) -> &'static CoreDialect {
    name.map_or(CoreDialect::default(), Dialect::table)
}

/// The 6-byte frame header.
#[napi(object)]
pub struct FrameHeader {
    /// The raw `extension_type`, channel_msg bit included.
    pub extension_type: u32,
    /// The extension id (0 for the spec's messages).
    pub extension_id: u32,
    /// The channel_msg bit: the payload starts with a channel id.
    pub channel_msg: bool,
    /// The message type id.
    pub msg_type: u32,
    /// The payload length.
    pub msg_length: u32,
}

impl From<&CoreHeader> for FrameHeader {
    fn from(h: &CoreHeader) -> Self {
        FrameHeader {
            extension_type: u32::from(h.extension_type),
            extension_id: u32::from(h.extension_id()),
            channel_msg: h.channel_msg(),
            msg_type: u32::from(h.msg_type),
            msg_length: h.msg_length,
        }
    }
}

/// One frame seen by a `StreamDecoder`.
#[napi(object)]
pub struct DecodedFrame {
    /// The header.
    pub header: FrameHeader,
    /// The message, when the dialect knows the type and the payload decodes.
    pub message: Option<Message>,
    /// The payload bytes (always present, for logging or forwarding).
    pub payload: Uint8Array,
    /// Why `message` is absent: `SV2_ERR_UNKNOWN_MESSAGE` for a type the dialect does not know,
    /// or the decode error's code (`SV2_ERR_TRUNCATED`, …).
    pub error_code: Option<String>,
    /// The decode error's text.
    pub error_message: Option<String>,
}

fn decoded(dialect: &CoreDialect, header: CoreHeader, payload: &[u8]) -> DecodedFrame {
    let (message, error_code, error_message) = match decode(dialect, header, payload) {
        Ok(Frame::Message(m)) => (Some(to_js(&m)), None, None),
        Ok(Frame::Raw(_)) => (
            None,
            Some(UNKNOWN_MESSAGE.0.to_string()),
            Some(format!(
                "unknown message: extension 0x{:04x}, type 0x{:02x}",
                header.extension_id(),
                header.msg_type
            )),
        ),
        Err(e) => {
            let e = js(e);
            (None, Some(e.status.0.to_string()), Some(e.reason.clone()))
        }
    };
    DecodedFrame {
        header: FrameHeader::from(&header),
        message,
        payload: bytes_out(payload),
        error_code,
        error_message,
    }
}

/// Encodes a message as one frame (header + payload) in `dialect` (default `'spec'`).
#[napi]
pub fn encode_frame(message: Message, dialect: Option<Dialect>) -> Result<Buffer> {
    let d = dialect_of(dialect);
    let message = from_js(message)?;
    let mut out = Vec::new();
    message.encode_frame(d, &mut out).map_err(js)?;
    Ok(Buffer::from(out))
}

/// Result of `decodeFrame`.
#[napi(object)]
pub struct DecodeResult {
    /// The message.
    pub message: Message,
    /// Bytes the frame used (header + payload); the rest of the input was not looked at.
    pub length: u32,
}

/// Decodes the first frame of `bytes`. Throws `CodecError` (`SV2_ERR_TRUNCATED` when more bytes
/// are needed, `SV2_ERR_UNKNOWN_MESSAGE` for a type the dialect does not know, …).
#[napi]
pub fn decode_frame(bytes: Uint8Array, dialect: Option<Dialect>) -> Result<DecodeResult> {
    let d = dialect_of(dialect);
    let (frame, used) = sv2::messages::decode_frame(d, &bytes).map_err(js)?;
    match frame {
        Frame::Message(m) => Ok(DecodeResult {
            message: to_js(&m),
            length: used as u32,
        }),
        Frame::Raw(raw) => Err(err(
            UNKNOWN_MESSAGE,
            format!(
                "unknown message in dialect {}: extension 0x{:04x}, type 0x{:02x}",
                d.name(),
                raw.header.extension_id(),
                raw.header.msg_type
            ),
        )),
    }
}

/// Parses a 6-byte frame header (the first 6 bytes of `bytes`).
#[napi]
pub fn parse_frame_header(bytes: Uint8Array) -> Result<FrameHeader> {
    let h: [u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            err(
                crate::errors::TRUNCATED,
                format!("a frame header is 6 bytes, got {}", bytes.len()),
            )
        })?;
    Ok(FrameHeader::from(&CoreHeader::parse(h)))
}

/// Static facts about a message type.
#[napi(object)]
pub struct MessageInfo {
    /// The `type` of the message object, e.g. `'SetupConnectionSuccess'`.
    #[napi(ts_type = "Message['type']")]
    pub r#type: String,
    /// The spec's name, e.g. `'SetupConnection.Success'`.
    pub spec_name: String,
    /// `'Common' | 'Mining' | 'JobNegotiation' | 'TemplateDistribution' | 'Telemetry'`.
    #[napi(
        ts_type = "'Common' | 'Mining' | 'JobNegotiation' | 'TemplateDistribution' | 'Telemetry'"
    )]
    pub protocol: String,
    /// The spec section, e.g. `'04 §4.3.11'`.
    pub section: String,
    /// `'Client->Server'`, `'Server->Client'` or both.
    pub direction: String,
    /// Field names in camelCase, in wire order of the spec layout.
    pub fields: Vec<String>,
    /// The spec type of each field (`'U32'`, `'SEQ0_255[U256]'`, …).
    pub field_types: Vec<String>,
    /// Message type id in the dialect asked for, `null` if the dialect lacks the message.
    pub msg_type: Option<u32>,
    /// Extension id in that dialect.
    pub extension_id: Option<u32>,
    /// channel_msg bit in that dialect.
    pub channel_msg: Option<bool>,
}

fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn info_of(kind: MessageKind, d: &CoreDialect) -> MessageInfo {
    let info = kind.info();
    let id = d.id(kind);
    MessageInfo {
        r#type: info.rust_name.to_string(),
        spec_name: info.name.to_string(),
        protocol: info.protocol.name().to_string(),
        section: info.section.to_string(),
        direction: info.direction.to_string(),
        fields: info.field_names.iter().map(|n| camel(n)).collect(),
        field_types: info.field_types.iter().map(|t| t.to_string()).collect(),
        msg_type: id.map(|i| u32::from(i.msg_type)),
        extension_id: id.map(|i| u32::from(i.extension)),
        channel_msg: id.map(|i| i.channel_msg),
    }
}

/// Facts about every message type, in table order, with ids in `dialect` (default `'spec'`).
#[napi]
pub fn message_types(dialect: Option<Dialect>) -> Result<Vec<MessageInfo>> {
    let d = dialect_of(dialect);
    Ok(MessageKind::ALL.iter().map(|k| info_of(*k, d)).collect())
}

/// Facts about one message type (its `type` or spec name), with ids in `dialect`.
#[napi(ts_args_type = "type: Message['type'] | string, dialect?: Dialect | undefined | null")]
pub fn message_info(r#type: String, dialect: Option<Dialect>) -> Result<MessageInfo> {
    let d = dialect_of(dialect);
    let kind = MessageKind::from_name(None, &r#type)
        .ok_or_else(|| invalid(format!("unknown message type `{}`", r#type)))?;
    Ok(info_of(kind, d))
}

/// Options of a `StreamDecoder`.
#[napi(object)]
pub struct StreamDecoderOptions {
    /// `'spec'` (default), `'sri-2023'` or `'braiins-2021'`.
    #[napi(ts_type = "Dialect")]
    pub dialect: Option<Dialect>,
    /// Largest payload accepted (default and maximum 16777215). A header announcing more makes
    /// the stream unusable: `next()` throws `SV2_ERR_FRAME_TOO_LARGE` from then on.
    pub max_payload: Option<u32>,
}

/// Splits a plaintext byte stream into frames and decodes them, without ever answering: a
/// passive tap on a connection (plaintext Stratum V2, or bytes already decrypted). Bytes may
/// arrive in pieces of any size, one at a time included. A frame that does not decode is still
/// returned (with `errorCode`), so one bad message does not blind the tap.
#[napi]
pub struct StreamDecoder {
    inner: sv2::codec::StreamDecoder,
    dialect: &'static CoreDialect,
    frames: u32,
}

#[napi]
impl StreamDecoder {
    /// A decoder for `options.dialect` (default `'spec'`).
    #[napi(constructor)]
    pub fn new(options: Option<StreamDecoderOptions>) -> Result<Self> {
        let (d, max) = match &options {
            Some(o) => (o.dialect, o.max_payload),
            None => (None, None),
        };
        Ok(StreamDecoder {
            inner: sv2::codec::StreamDecoder::new(max.map_or(MAX_PAYLOAD_LEN, |m| m as usize)),
            dialect: dialect_of(d),
            frames: 0,
        })
    }

    /// Appends received bytes.
    #[napi]
    pub fn push(&mut self, data: Uint8Array) {
        self.inner.push(&data);
    }

    /// The next complete frame, or `null` when more bytes are needed.
    #[napi(js_name = "next")]
    pub fn next_frame(&mut self) -> Result<Option<DecodedFrame>> {
        let d = self.dialect;
        match self.inner.next_frame().map_err(js)? {
            Some((header, payload)) => {
                let frame = decoded(d, header, payload);
                self.frames += 1;
                Ok(Some(frame))
            }
            None => Ok(None),
        }
    }

    /// Pushes `data` and returns every frame now complete.
    #[napi]
    pub fn feed(&mut self, data: Uint8Array) -> Result<Vec<DecodedFrame>> {
        self.inner.push(&data);
        let mut out = Vec::new();
        while let Some(f) = self.next_frame()? {
            out.push(f);
        }
        Ok(out)
    }

    /// Bytes received but not yet returned as frames.
    #[napi(getter)]
    pub fn buffered(&self) -> u32 {
        self.inner.buffered() as u32
    }

    /// Frames returned so far.
    #[napi(getter)]
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// The dialect's name.
    #[napi(getter)]
    pub fn dialect(&self) -> Dialect {
        Dialect::of(self.dialect)
    }
}

/// Re-encodes a message object through the core: useful to validate a hand-built object and
/// to normalise it (defaults, lossy strings).
#[napi]
pub fn normalize_message(message: Message) -> Result<Message> {
    let m: CoreMessage = from_js(message)?;
    Ok(to_js(&m))
}
