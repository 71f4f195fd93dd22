//! Framing (spec 3.2, CHECKLIST A.2): a 6-byte header then the payload.
//!
//! ```text
//! offset 0  extension_type  U16 LE   bit 15 = channel_msg, bits 0..14 = extension id
//! offset 2  msg_type        U8
//! offset 3  msg_length      U24 LE   payload length, header not included (R8)
//! offset 6  payload
//! ```

use super::types::U24_MAX;
use std::fmt;

/// Size of the frame header.
pub const HEADER_LEN: usize = 6;
/// Bit 15 of `extension_type`: the payload starts with a `channel_id` (R9, R10).
pub const CHANNEL_MSG_BIT: u16 = 0x8000;
/// Largest payload the U24 length allows.
pub const MAX_PAYLOAD_LEN: usize = U24_MAX as usize;

/// A parsed frame header.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FrameHeader {
    /// The raw `extension_type`, channel_msg bit included.
    pub extension_type: u16,
    /// The message type id.
    pub msg_type: u8,
    /// The payload length.
    pub msg_length: u32,
}

impl FrameHeader {
    /// A header for a payload of `msg_length` bytes.
    pub fn new(extension_id: u16, channel_msg: bool, msg_type: u8, msg_length: u32) -> Self {
        let bit = if channel_msg { CHANNEL_MSG_BIT } else { 0 };
        FrameHeader {
            extension_type: (extension_id & !CHANNEL_MSG_BIT) | bit,
            msg_type,
            msg_length,
        }
    }
    /// The channel_msg bit.
    pub fn channel_msg(&self) -> bool {
        self.extension_type & CHANNEL_MSG_BIT != 0
    }
    /// The extension id with the channel_msg bit masked off (R11): 0 for the spec's messages.
    pub fn extension_id(&self) -> u16 {
        self.extension_type & !CHANNEL_MSG_BIT
    }
    /// Parses the 6 header bytes.
    #[inline]
    pub fn parse(bytes: [u8; HEADER_LEN]) -> Self {
        FrameHeader {
            extension_type: u16::from_le_bytes([bytes[0], bytes[1]]),
            msg_type: bytes[2],
            msg_length: u32::from_le_bytes([bytes[3], bytes[4], bytes[5], 0]),
        }
    }
    /// The 6 header bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let e = self.extension_type.to_le_bytes();
        let l = self.msg_length.to_le_bytes();
        [e[0], e[1], self.msg_type, l[0], l[1], l[2]]
    }
}

/// A whole frame kept as bytes: what is handed on for a message this endpoint does not know
/// (an unknown extension or message type), so that a proxy can forward it untouched (3.5, R48).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawFrame {
    /// The header.
    pub header: FrameHeader,
    /// The payload, exactly `header.msg_length` bytes.
    pub payload: Vec<u8>,
}

impl RawFrame {
    /// Copies a frame out of a header and payload.
    pub fn new(header: FrameHeader, payload: &[u8]) -> Self {
        RawFrame {
            header,
            payload: payload.to_vec(),
        }
    }
    /// The channel id, when the channel_msg bit is set and the payload has 4 bytes for it (R10).
    pub fn channel_id(&self) -> Option<u32> {
        if !self.header.channel_msg() {
            return None;
        }
        let b = self.payload.get(..4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// Rewrites the channel id in place: the only change a proxy may make (R48).
    pub fn set_channel_id(&mut self, channel_id: u32) -> bool {
        match (self.header.channel_msg(), self.payload.get_mut(..4)) {
            (true, Some(b)) => {
                b.copy_from_slice(&channel_id.to_le_bytes());
                true
            }
            _ => false,
        }
    }
    /// Appends header and payload to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.header.to_bytes());
        out.extend_from_slice(&self.payload);
    }
}

impl fmt::Debug for RawFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RawFrame {{ extension_type: 0x{:04x}, msg_type: 0x{:02x}, payload: ",
            self.header.extension_type, self.header.msg_type
        )?;
        for b in &self.payload {
            write!(f, "{b:02x}")?;
        }
        write!(f, " }}")
    }
}

/// Why the stream decoder stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A header announced a payload larger than the configured maximum. The stream cannot be
    /// resynchronised after this, so the decoder stays in this state.
    #[error("frame payload of {length} bytes exceeds the configured maximum of {max}")]
    TooLarge {
        /// The announced payload length.
        length: usize,
        /// The configured maximum.
        max: usize,
    },
}

/// Splits a byte stream into frames. Bytes may arrive in any pieces, one at a time included.
///
/// Memory is bounded by the configured maximum payload: a header announcing more is an error
/// before any of its payload is buffered, so a hostile length never causes a large allocation.
#[derive(Debug)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    start: usize,
    max_payload: usize,
    failed: Option<FrameError>,
}

impl StreamDecoder {
    /// A decoder accepting payloads of at most `max_payload` bytes (capped at 16 MiB - 1).
    pub fn new(max_payload: usize) -> Self {
        StreamDecoder {
            buf: Vec::new(),
            start: 0,
            max_payload: max_payload.min(MAX_PAYLOAD_LEN),
            failed: None,
        }
    }

    /// The configured maximum payload.
    pub fn max_payload(&self) -> usize {
        self.max_payload
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        if self.start > 0 {
            // Drop what was consumed before growing, so the buffer holds at most one partial
            // frame plus what the caller just pushed.
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Lets `fill` append received bytes straight into the buffer (for example a decryptor
    /// writing its plaintext), avoiding a copy through a temporary.
    pub fn push_with<R>(&mut self, fill: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        fill(&mut self.buf)
    }

    /// True once a header announced a frame larger than the maximum (the stream is unusable).
    pub fn failed(&self) -> Option<FrameError> {
        self.failed
    }

    /// Bytes received but not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The bytes received but not yet returned as frames (the start of the next frame), e.g.
    /// to tell how much of a frame is missing when the input ends.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed. The returned payload
    /// borrows the decoder's buffer until the next call.
    pub fn next_frame(&mut self) -> Result<Option<(FrameHeader, &[u8])>, FrameError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let available = &self.buf[self.start..];
        let Some(header_bytes) = available.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let mut raw = [0u8; HEADER_LEN];
        raw.copy_from_slice(header_bytes);
        let header = FrameHeader::parse(raw);
        let length = header.msg_length as usize;
        if length > self.max_payload {
            let error = FrameError::TooLarge {
                length,
                max: self.max_payload,
            };
            self.failed = Some(error);
            return Err(error);
        }
        if available.len() < HEADER_LEN + length {
            // Reserve what the frame needs (bounded by max_payload) so a large frame arriving in
            // small pieces is not copied over and over.
            let missing = HEADER_LEN + length - available.len();
            self.buf.reserve(missing);
            return Ok(None);
        }
        let payload_start = self.start + HEADER_LEN;
        self.start = payload_start + length;
        Ok(Some((
            header,
            &self.buf[payload_start..payload_start + length],
        )))
    }
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder::new(MAX_PAYLOAD_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_channel_bit() {
        // R8, R9, R11
        let h = FrameHeader::parse([0x00, 0x80, 0x1a, 0x18, 0x00, 0x00]);
        assert!(h.channel_msg());
        assert_eq!(h.extension_id(), 0);
        assert_eq!(h.msg_type, 0x1a);
        assert_eq!(h.msg_length, 24);
        assert_eq!(h.to_bytes(), [0x00, 0x80, 0x1a, 0x18, 0x00, 0x00]);
        assert_eq!(
            FrameHeader::parse([0xbc, 0x8a, 0, 0, 0, 0]).extension_id(),
            0x0abc
        );
    }

    #[test]
    fn one_byte_at_a_time() {
        let frame = [0x00, 0x00, 0x01, 0x06, 0x00, 0x00, 2, 0, 0, 0, 0, 0];
        let mut d = StreamDecoder::default();
        for (i, b) in frame.iter().enumerate() {
            d.push(&[*b]);
            let got = d.next_frame().unwrap().map(|(h, p)| (h, p.to_vec()));
            if i + 1 < frame.len() {
                assert!(got.is_none());
            } else {
                let (h, p) = got.unwrap();
                assert_eq!(h.msg_type, 1);
                assert_eq!(p, &frame[6..]);
            }
        }
        assert!(d.next_frame().unwrap().is_none());
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn hostile_length_is_refused_before_buffering() {
        let mut d = StreamDecoder::new(1000);
        d.push(&[0, 0, 0x71, 0xff, 0xff, 0xff]);
        assert_eq!(
            d.next_frame(),
            Err(FrameError::TooLarge {
                length: 0xff_ffff,
                max: 1000
            })
        );
        assert_eq!(
            d.next_frame(),
            Err(FrameError::TooLarge {
                length: 0xff_ffff,
                max: 1000
            })
        );
        assert!(d.buf.capacity() < 1000);
    }
}
