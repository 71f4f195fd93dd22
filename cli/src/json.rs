//! The JSON form of a frame used by `sv2 decode` and `sv2 encode`:
//! `{"protocol": "Mining", "message": "SubmitSharesStandard", "msg_type": 26,
//!   "extension_type": 0, "channel_msg": true, "fields": {...}}`
//! with the spec's field names; bytes and U256 as lowercase hex of the wire bytes, integers as
//! numbers, BOOL as true/false, strings as strings, sequences as arrays, OPTION as a number or
//! null. A frame of a kind the dialect does not know has `"protocol": null, "message": null`
//! and its payload as hex in `"payload"`.

use serde_json::Value as Json;
use sv2::codec::{FrameHeader, RawFrame, ShortTxId, Str0255, U256};
use sv2::messages::{Dialect, Message, MessageKind, Value};

fn from_json(ty: &str, json: &Json) -> Result<Value, String> {
    let hex_bytes = |json: &Json| -> Result<Vec<u8>, String> {
        let text = json
            .as_str()
            .ok_or_else(|| format!("expected a hex string for {ty}, got {json}"))?;
        hex::decode(text).map_err(|e| format!("bad hex for {ty}: {e}"))
    };
    if let Some(inner) = ty
        .strip_prefix("SEQ0_255[")
        .or_else(|| ty.strip_prefix("SEQ0_64K["))
    {
        let inner = inner.trim_end_matches(']');
        let items = json
            .as_array()
            .ok_or_else(|| format!("expected an array for {ty}"))?;
        return Ok(Value::Seq(
            items
                .iter()
                .map(|j| from_json(inner, j))
                .collect::<Result<_, _>>()?,
        ));
    }
    Ok(match ty {
        "BOOL" => Value::Bool(json.as_bool().ok_or("expected true or false")?),
        "U8" | "U16" | "U32" | "U64" => Value::U64(
            json.as_u64()
                .ok_or_else(|| format!("expected a non-negative integer for {ty}, got {json}"))?,
        ),
        "F32" => Value::F32(json.as_f64().ok_or("expected a number for F32")? as f32),
        "U256" | "B32" => {
            let bytes: [u8; 32] = hex_bytes(json)?
                .try_into()
                .map_err(|_| format!("{ty} needs exactly 32 bytes"))?;
            Value::U256(U256(bytes))
        }
        "STR0_255" | "STR0_32" => {
            Value::Str(Str0255::from(json.as_str().ok_or("expected a string")?))
        }
        "SHORT_TX_ID" => {
            let bytes: [u8; 6] = hex_bytes(json)?
                .try_into()
                .map_err(|_| "SHORT_TX_ID needs exactly 6 bytes".to_string())?;
            Value::ShortTxId(ShortTxId(bytes))
        }
        "OPTION[U32]" => match json {
            Json::Null => Value::OptionU32(None),
            j => Value::OptionU32(Some(
                j.as_u64()
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or("expected null or a U32")?,
            )),
        },
        _ => Value::Bytes(hex_bytes(json)?),
    })
}

/// One decoded frame as JSON: the core's form, shared with session traces.
pub use sv2::messages::json::frame_to_json;

/// Encodes one JSON frame description, appending the frame's bytes to `out`.
pub fn json_to_frame(dialect: &Dialect, json: &Json, out: &mut Vec<u8>) -> Result<(), String> {
    let object = json.as_object().ok_or("each frame must be a JSON object")?;
    let name = object.get("message").and_then(Json::as_str);
    let Some(name) = name else {
        // A raw frame: header fields and payload as given.
        let msg_type = object
            .get("msg_type")
            .and_then(Json::as_u64)
            .and_then(|v| u8::try_from(v).ok())
            .ok_or("raw frame needs msg_type (0..255)")?;
        let extension = object
            .get("extension_type")
            .and_then(Json::as_u64)
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(0);
        let channel_msg = object
            .get("channel_msg")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        let payload = hex::decode(
            object
                .get("payload")
                .and_then(Json::as_str)
                .ok_or("raw frame needs a hex payload")?,
        )
        .map_err(|e| format!("bad payload hex: {e}"))?;
        let length = u32::try_from(payload.len())
            .ok()
            .filter(|l| *l <= 0x00ff_ffff)
            .ok_or("payload too large")?;
        RawFrame {
            header: FrameHeader::new(extension, channel_msg, msg_type, length),
            payload,
        }
        .write_to(out);
        return Ok(());
    };
    let protocol = object.get("protocol").and_then(Json::as_str);
    let kind = MessageKind::from_name(protocol, name).ok_or_else(|| {
        format!("unknown message {name:?} (give \"protocol\" for SetNewPrevHash)")
    })?;
    let info = kind.info();
    let fields_json = object
        .get("fields")
        .and_then(Json::as_object)
        .ok_or("missing \"fields\" object")?;
    let mut fields: Vec<(&str, Value)> = Vec::new();
    for (name, value) in fields_json {
        let ty = if !info.payload_defined && name == "payload" {
            "BYTES"
        } else {
            info.field_type(name)
                .ok_or_else(|| format!("{}: unknown field {name:?}", info.name))?
        };
        let value = from_json(ty, value).map_err(|e| format!("{}.{name}: {e}", info.name))?;
        let static_name = info
            .field_names
            .iter()
            .copied()
            .find(|n| *n == name)
            .unwrap_or("payload");
        fields.push((static_name, value));
    }
    let message = Message::from_fields(kind, dialect, &fields).map_err(|e| e.to_string())?;
    message
        .encode_frame(dialect, out)
        .map_err(|e| e.to_string())
}
