//! Every message of the spec (Common, Mining, Job Negotiation, Template Distribution) and of
//! the deployed dialects, generated from one table.
//!
//! `messages/messages.json` (the spec's messages with the CHECKLIST errata resolved, see
//! `docs/errata.md`) and `messages/profiles/*.json` (how SRI 2023 and braiins 2021 differ on the
//! wire) are turned by `cargo xtask codegen` into `generated.rs`: one struct per message, its
//! codec, the [`Message`] enum, and one [`Dialect`] table per dialect. A dialect changes message
//! ids and the wire form of a few fields; the codec reads those differences from the dialect's
//! table, so there is one codec, not one per dialect.
//!
//! ```
//! use sv2::messages::{Message, SubmitSharesStandard, Dialect};
//! let share = SubmitSharesStandard { channel_id: 1, sequence_number: 2, job_id: 3,
//!     nonce: 0x11223344, ntime: 0x5F5E1000, version: 0x20000000 };
//! let mut frame = Vec::new();
//! Message::from(share.clone()).encode_frame(Dialect::default(), &mut frame).unwrap();
//! assert_eq!(&frame[..6], &[0x00, 0x80, 0x1a, 0x18, 0x00, 0x00]);
//! let (decoded, used) = sv2::messages::decode_frame(Dialect::default(), &frame).unwrap();
//! assert_eq!(used, frame.len());
//! assert_eq!(decoded, sv2::messages::Frame::Message(Message::SubmitSharesStandard(share)));
//! ```

mod generated;
pub mod json;
pub mod txouts;
mod value;

pub use generated::*;
pub use value::{take_field, FromValue, ToValue, Value, ValueError};

use crate::codec::{
    DecodeError, DecodeErrorKind, DecodeRules, EncodeError, EncodeErrorKind, FrameHeader, RawFrame,
    HEADER_LEN,
};
use std::fmt;

/// The sub-protocol a message belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Protocol {
    /// Messages every connection uses (SetupConnection, ChannelEndpointChanged).
    Common,
    /// Mining Protocol (spec 4).
    Mining,
    /// Job Negotiation Protocol (spec 5).
    JobNegotiation,
    /// Template Distribution Protocol (spec 6).
    TemplateDistribution,
    /// The braiins-2021 Telemetry extension (extension 0x0001).
    Telemetry,
}

impl Protocol {
    /// The name used in the table and in `sv2 decode` output.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Common => "Common",
            Protocol::Mining => "Mining",
            Protocol::JobNegotiation => "JobNegotiation",
            Protocol::TemplateDistribution => "TemplateDistribution",
            Protocol::Telemetry => "Telemetry",
        }
    }

    /// The `SetupConnection.protocol` value, for the protocols that have one (R34).
    pub fn setup_value(self) -> Option<u8> {
        match self {
            Protocol::Mining => Some(0),
            Protocol::JobNegotiation => Some(1),
            Protocol::TemplateDistribution => Some(2),
            Protocol::Common | Protocol::Telemetry => None,
        }
    }
}

/// Where a message sits on the wire in one dialect.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MessageId {
    /// Extension id (0 for the spec's messages).
    pub extension: u16,
    /// Message type.
    pub msg_type: u8,
    /// The channel_msg bit this dialect sends.
    pub channel_msg: bool,
}

/// Static facts about a message kind.
#[derive(Debug)]
pub struct MessageInfo {
    /// The spec's name, e.g. `"SetupConnection.Success"`.
    pub name: &'static str,
    /// The Rust type name, e.g. `"SetupConnectionSuccess"`.
    pub rust_name: &'static str,
    /// Its protocol.
    pub protocol: Protocol,
    /// The spec section, e.g. `"04 §4.3.11"`.
    pub section: &'static str,
    /// `Client->Server`, `Server->Client` or both.
    pub direction: &'static str,
    /// Extension id.
    pub extension: u16,
    /// False for AllocateMiningJobToken.Error, whose payload the spec never defined (E41).
    pub payload_defined: bool,
    /// True where the spec assigns no id and libsv2 uses a provisional one (E40).
    pub msg_type_provisional: bool,
    /// Field names in the default layout, plus dialect-only fields.
    pub field_names: &'static [&'static str],
    /// The spec type of each field in `field_names` (e.g. `"SEQ0_255[U256]"`).
    pub field_types: &'static [&'static str],
}

impl MessageInfo {
    /// The spec type of a field, by name.
    pub fn field_type(&self, name: &str) -> Option<&'static str> {
        let i = self.field_names.iter().position(|n| *n == name)?;
        self.field_types.get(i).copied()
    }
}

impl MessageKind {
    /// Static facts about this kind.
    pub fn info(self) -> &'static MessageInfo {
        &MESSAGE_INFO[self as usize]
    }
    /// The spec's name.
    pub fn name(self) -> &'static str {
        self.info().name
    }
    /// The protocol.
    pub fn protocol(self) -> Protocol {
        self.info().protocol
    }
    /// Finds a kind by its spec name (`"SetupConnection.Success"`) or Rust name; the
    /// protocol disambiguates the two `SetNewPrevHash`.
    pub fn from_name(protocol: Option<&str>, name: &str) -> Option<MessageKind> {
        let mut found = MessageKind::ALL.iter().copied().filter(|k| {
            let info = k.info();
            (info.name == name || info.rust_name == name)
                && protocol.is_none_or(|p| p == info.protocol.name())
        });
        let first = found.next()?;
        match found.next() {
            None => Some(first),
            Some(_) => None,
        }
    }
}

/// How a dialect carries one field on the wire (see `messages/profiles/README.md`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldWire {
    /// As the spec types it.
    Same,
    /// Not on the wire: decoded as the default value, ignored when encoding.
    Absent,
    /// A B32/U256 sent as a B0_32 of exactly 32 bytes.
    B32AsB032,
    /// A U64 sent as a U32 (values above `u32::MAX` cannot be encoded).
    U64AsU32,
    /// A STR0_255 limited to 32 bytes.
    Str032,
    /// A `SEQ0_64K[B0_64K]` of transaction outputs sent as one B0_64K concatenation.
    TxOutListAsFlat,
    /// A BOOL `future_job` replaced by `OPTION[U32]` `min_ntime` (absent = future job).
    FlagAsOptionU32,
}

/// A wire dialect: the message ids and field layouts of one implementation, as data.
///
/// [`SPEC`] (the default) is the spec text with the errata resolved; [`SRI_2023`] and
/// [`BRAIINS_2021`] are the deployed implementations of that era.
pub struct Dialect {
    pub(crate) name: &'static str,
    pub(crate) rules: DecodeRules,
    pub(crate) ignore_extension_on_receive: bool,
    pub(crate) mining_flag_bit_work_selection: u8,
    pub(crate) mining_flag_bit_version_rolling: u8,
    pub(crate) pool_echoes_setup_flags: bool,
    pub(crate) setup_success_version_zero_means_2: bool,
    pub(crate) job_to_channel_zero_means_newest_channel: bool,
    pub(crate) prevhash_may_precede_job: bool,
    pub(crate) group_id_may_equal_channel_id: bool,
    pub(crate) new_shares_sum_saturates: bool,
    pub(crate) ids: [Option<MessageId>; MESSAGE_KIND_COUNT],
    pub(crate) wire: [FieldWire; VARYING_FIELD_COUNT],
    pub(crate) receive: ReceiveTable,
}

/// `(extension id, msg_type) → kind` for the extensions a dialect knows.
pub(crate) struct ReceiveTable {
    core: [Option<MessageKind>; 256],
    telemetry: [Option<MessageKind>; 256],
}

impl Dialect {
    /// The default dialect (the spec).
    #[allow(clippy::should_implement_trait)]
    pub fn default() -> &'static Dialect {
        &SPEC
    }

    /// Looks a dialect up by name: `spec`, `sri-2023`, `braiins-2021`.
    pub fn by_name(name: &str) -> Option<&'static Dialect> {
        DIALECTS.iter().copied().find(|d| d.name == name)
    }

    /// The dialect's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Where `kind` sits on the wire, or `None` if this dialect does not define it.
    pub fn id(&self, kind: MessageKind) -> Option<MessageId> {
        self.ids[kind as usize]
    }

    /// The kind a received header names, or `None` for a message this dialect does not know
    /// (returned to callers as a [`RawFrame`]). The channel_msg bit is not part of the lookup
    /// (R11, R14).
    #[inline]
    pub fn kind_of(&self, header: &FrameHeader) -> Option<MessageKind> {
        let extension = if self.ignore_extension_on_receive {
            0
        } else {
            header.extension_id()
        };
        match extension {
            0 => self.receive.core[usize::from(header.msg_type)],
            1 => self.receive.telemetry[usize::from(header.msg_type)],
            _ => None,
        }
    }

    /// Bit index of REQUIRES_WORK_SELECTION in the Mining SetupConnection flags (SRI 2023
    /// swaps it with REQUIRES_VERSION_ROLLING).
    pub fn mining_flag_bit_work_selection(&self) -> u8 {
        self.mining_flag_bit_work_selection
    }

    /// Bit index of REQUIRES_VERSION_ROLLING in the Mining SetupConnection flags.
    pub fn mining_flag_bit_version_rolling(&self) -> u8 {
        self.mining_flag_bit_version_rolling
    }

    /// True if pools of this dialect echo the client's flags in SetupConnection.Success, so
    /// that a client must not read them as the Success flags of 3.7.2.
    pub fn pool_echoes_setup_flags(&self) -> bool {
        self.pool_echoes_setup_flags
    }

    /// True if servers of this dialect answer every SetupConnection with
    /// `SetupConnection.Success.used_version = 0` whatever was offered (braiins' V2→V1 proxy
    /// of 2021): clients read 0 as protocol version 2, the only version there is.
    pub fn setup_success_version_zero_means_2(&self) -> bool {
        self.setup_success_version_zero_means_2
    }

    /// True if a Mining message to channel_id 0, when no channel or group 0 exists, is for
    /// the channel opened last (SRI 2023 sends the first extended job of a new channel to 0).
    pub fn job_to_channel_zero_means_newest_channel(&self) -> bool {
        self.job_to_channel_zero_means_newest_channel
    }

    /// True if upstreams of this dialect may send SetNewPrevHash before the job it names; the
    /// client then applies it when the job comes without reporting R106.
    pub fn prevhash_may_precede_job(&self) -> bool {
        self.prevhash_may_precede_job
    }

    /// True if OpenStandardMiningChannel.Success may repeat the channel id as its group id
    /// (braiins 2021, SRI 2023): the channel has no group, and no R68 collision is reported.
    pub fn group_id_may_equal_channel_id(&self) -> bool {
        self.group_id_may_equal_channel_id
    }

    /// True if SubmitShares.Success.new_shares_sum may be the placeholder u32::MAX (braiins
    /// 2021) rather than a sum of difficulty.
    pub fn new_shares_sum_saturates(&self) -> bool {
        self.new_shares_sum_saturates
    }

    /// The decoding rules (BOOL, strings).
    pub fn rules(&self) -> DecodeRules {
        self.rules
    }

    pub(crate) const fn receive_table(entries: &[(u16, u8, MessageKind)]) -> ReceiveTable {
        let mut table = ReceiveTable {
            core: [None; 256],
            telemetry: [None; 256],
        };
        let mut i = 0;
        while i < entries.len() {
            let (extension, msg_type, kind) = entries[i];
            match extension {
                0 => table.core[msg_type as usize] = Some(kind),
                1 => table.telemetry[msg_type as usize] = Some(kind),
                _ => {}
            }
            i += 1;
        }
        table
    }
}

impl fmt::Debug for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dialect({})", self.name)
    }
}

impl PartialEq for Dialect {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// A decoded frame: a known message, or the raw bytes of one this dialect does not know.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// A message of the dialect.
    Message(Message),
    /// An unknown extension or message type, kept untouched for forwarding (3.5).
    Raw(RawFrame),
}

impl Message {
    /// Where this message sits on the wire in `dialect`.
    pub fn id(&self, dialect: &Dialect) -> Option<MessageId> {
        dialect.id(self.kind())
    }

    /// Appends header and payload to `out`. On error nothing is appended.
    pub fn encode_frame(&self, dialect: &Dialect, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let kind = self.kind();
        let id = dialect.id(kind).ok_or(EncodeError {
            message: kind.name(),
            field: "",
            kind: EncodeErrorKind::NotInDialect(dialect.name),
        })?;
        let start = out.len();
        out.extend_from_slice(&[0u8; HEADER_LEN]);
        if let Err(e) = self.encode_payload(dialect, out) {
            out.truncate(start);
            return Err(e);
        }
        let length = out.len() - start - HEADER_LEN;
        if length > crate::codec::framing::MAX_PAYLOAD_LEN {
            out.truncate(start);
            return Err(EncodeError {
                message: kind.name(),
                field: "",
                kind: EncodeErrorKind::FrameTooLarge(length),
            });
        }
        let header = FrameHeader::new(id.extension, id.channel_msg, id.msg_type, length as u32);
        out[start..start + HEADER_LEN].copy_from_slice(&header.to_bytes());
        Ok(())
    }
}

/// Decodes one payload given its header: a message of the dialect, or a raw frame for an
/// unknown kind (never an error for unknown kinds: the caller decides, 3.5 and R16).
#[inline]
pub fn decode(
    dialect: &Dialect,
    header: FrameHeader,
    payload: &[u8],
) -> Result<Frame, DecodeError> {
    match dialect.kind_of(&header) {
        Some(kind) => Ok(Frame::Message(Message::decode_payload(
            kind, dialect, payload,
        )?)),
        None => Ok(Frame::Raw(RawFrame::new(header, payload))),
    }
}

/// Decodes the first frame of `bytes`, returning it and the number of bytes it used.
#[inline]
pub fn decode_frame(dialect: &Dialect, bytes: &[u8]) -> Result<(Frame, usize), DecodeError> {
    let (header, payload) = split_frame(bytes)?;
    Ok((
        decode(dialect, header, payload)?,
        HEADER_LEN + payload.len(),
    ))
}

/// The header and payload of the first frame of `bytes` (the frame uses
/// `HEADER_LEN + payload.len()` bytes), or the truncation error `decode_frame` reports.
/// For callers that decode the payload their own way (the bindings build their objects
/// straight from it).
#[inline]
pub fn split_frame(bytes: &[u8]) -> Result<(FrameHeader, &[u8]), DecodeError> {
    let truncated = |needed: usize| DecodeError {
        message: "frame",
        field: "",
        kind: DecodeErrorKind::Truncated {
            needed,
            available: bytes.len(),
        },
    };
    let header_bytes: [u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|b| b.try_into().ok())
        .ok_or(truncated(HEADER_LEN))?;
    let header = FrameHeader::parse(header_bytes);
    let end = HEADER_LEN + header.msg_length as usize;
    let payload = bytes.get(HEADER_LEN..end).ok_or(truncated(end))?;
    Ok((header, payload))
}
