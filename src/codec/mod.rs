//! Wire data types (spec 3.1) and framing (spec 3.2).

mod error;
pub mod framing;
pub mod types;
mod u256;

pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
pub use framing::{FrameError, FrameHeader, RawFrame, StreamDecoder, CHANNEL_MSG_BIT, HEADER_LEN};
pub use types::{DecodeRules, Reader, ShortTxId, Str0255, Writer, B032, U24};
pub use u256::U256;
