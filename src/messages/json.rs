//! The JSON form of a frame, shared by `sv2 decode` and session traces (one form everywhere):
//! `{"protocol": "Mining", "message": "SubmitSharesStandard", "msg_type": 26,
//!   "extension_type": 0, "channel_msg": true, "fields": {...}}`
//! with the spec's field names in wire order; bytes and U256 as lowercase hex of the wire
//! bytes, integers as numbers, BOOL as true/false, strings as strings, sequences as arrays,
//! OPTION as a number or null. A frame of a kind the dialect does not know has
//! `"protocol": null, "message": null` and its payload as hex in `"payload"`; a frame that does
//! not decode (only in traces) has `"error"` and the frame's `"hex"`.

use super::{decode_frame, split_frame, Dialect, Frame, Value};
use crate::codec::FrameHeader;
use serde_json::{json, Map, Value as Json};

fn to_json(value: &Value) -> Json {
    match value {
        Value::Bool(v) => json!(v),
        Value::U8(v) => json!(v),
        Value::U16(v) => json!(v),
        Value::U32(v) => json!(v),
        Value::U64(v) => json!(v),
        Value::F32(v) => json!(v),
        Value::U256(v) => json!(hex::encode(v.0)),
        Value::Bytes(v) => json!(hex::encode(v)),
        Value::Str(v) => json!(v.to_string_lossy()),
        Value::ShortTxId(v) => json!(hex::encode(v.0)),
        Value::OptionU32(v) => json!(v),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
    }
}

/// One decoded frame as JSON (the `sv2 decode` form).
pub fn frame_to_json(dialect: &Dialect, header: &FrameHeader, frame: &Frame) -> Json {
    let mut object = Map::new();
    match frame {
        Frame::Message(message) => {
            let kind = message.kind();
            object.insert("protocol".into(), json!(kind.protocol().name()));
            object.insert("message".into(), json!(kind.name()));
            object.insert("msg_type".into(), json!(header.msg_type));
            object.insert("extension_type".into(), json!(header.extension_id()));
            object.insert("channel_msg".into(), json!(header.channel_msg()));
            let fields: Map<String, Json> = message
                .fields(dialect)
                .iter()
                .map(|(name, value)| (name.to_string(), to_json(value)))
                .collect();
            object.insert("fields".into(), Json::Object(fields));
        }
        Frame::Raw(raw) => {
            object.insert("protocol".into(), Json::Null);
            object.insert("message".into(), Json::Null);
            object.insert("msg_type".into(), json!(header.msg_type));
            object.insert("extension_type".into(), json!(header.extension_id()));
            object.insert("channel_msg".into(), json!(header.channel_msg()));
            object.insert("payload".into(), json!(hex::encode(&raw.payload)));
        }
    }
    Json::Object(object)
}

/// The JSON form of the frame at the start of `bytes`; a frame that does not decode becomes
/// `{"error": "<why>", "hex": "<the bytes>"}` so that a trace shows exactly what broke.
pub fn frame_bytes_to_json(dialect: &Dialect, bytes: &[u8]) -> Json {
    let decoded = split_frame(bytes)
        .and_then(|(header, _)| decode_frame(dialect, bytes).map(|(frame, _)| (header, frame)));
    match decoded {
        Ok((header, frame)) => frame_to_json(dialect, &header, &frame),
        Err(e) => json!({ "error": e.to_string(), "hex": hex::encode(bytes) }),
    }
}
