//! The two deployed Noise dialects as data (CHECKLIST A.3.2, E7; profiles `sri-2023` and
//! `braiins-2021`). The handshake code is written once and reads these tables; nothing else
//! differs between the dialects.

use super::{Cipher, NegotiationForm, NoiseError, NoiseProfile};
use crate::keys::SignatureLayout;

/// How the responder answers the offer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ReplyForm {
    /// The chosen id alone, 4 bytes (STR3).
    BareId,
    /// A NegotiationMessage with the dialect's magic and exactly one id, 9 bytes (STR2).
    Message,
}

/// How the negotiation is mixed into the handshake hash.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PrologueForm {
    /// `u8 n ‖ n × u32 offered ‖ u32 chosen` (STR3, what the spec text describes).
    OfferThenChoice,
    /// `00 01 ‖ reply`: ii-stratum's serialized record (initiator message: none, responder
    /// message: some). The offer is not mixed in (STR2).
    NoneSomeReply,
}

/// Everything that differs between the dialects.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NoiseDialect {
    pub magic: u32,
    pub reply: ReplyForm,
    pub prologue: PrologueForm,
    /// Layout of the SIGNATURE_NOISE_MESSAGE a responder of this dialect sends (either layout
    /// is accepted on receive).
    pub snm_layout: SignatureLayout,
    /// Whether an initiator of this dialect may skip negotiation (bare `-> e`, ChaChaPoly,
    /// empty prologue).
    pub may_skip_negotiation: bool,
    /// What an initiator offers when not told otherwise.
    pub default_offer: &'static [Cipher],
    /// A responder's preference order when not told otherwise.
    pub default_preference: &'static [Cipher],
    /// Whether receivers of this dialect reassemble SV2 frames split over Noise messages.
    pub reassembles_split_frames: bool,
}

pub(crate) const SRI_2023: NoiseDialect = NoiseDialect {
    magic: u32::from_le_bytes(*b"STR3"),
    reply: ReplyForm::BareId,
    prologue: PrologueForm::OfferThenChoice,
    snm_layout: SignatureLayout::Raw,
    may_skip_negotiation: false,
    default_offer: &[Cipher::ChaChaPoly, Cipher::AesGcm],
    default_preference: &[Cipher::ChaChaPoly, Cipher::AesGcm],
    reassembles_split_frames: true,
};

pub(crate) const BRAIINS_2021: NoiseDialect = NoiseDialect {
    magic: u32::from_le_bytes(*b"STR2"),
    reply: ReplyForm::Message,
    prologue: PrologueForm::NoneSomeReply,
    snm_layout: SignatureLayout::LengthPrefixed,
    may_skip_negotiation: true,
    default_offer: &[Cipher::ChaChaPoly, Cipher::AesGcm],
    // "AESGCM whenever it is offered, otherwise the first offered algorithm it supports".
    default_preference: &[Cipher::AesGcm, Cipher::ChaChaPoly],
    reassembles_split_frames: false,
};

impl NoiseProfile {
    pub(crate) fn dialect(self) -> &'static NoiseDialect {
        match self {
            NoiseProfile::Sri2023 => &SRI_2023,
            NoiseProfile::Braiins2021 => &BRAIINS_2021,
        }
    }
}

/// Size of a NegotiationMessage's fixed part: magic U32 and the U8 count.
const NEGOTIATION_HEADER: usize = 5;
/// Largest NegotiationMessage: 255 ids.
pub(crate) const MAX_NEGOTIATION_LEN: usize = NEGOTIATION_HEADER + 4 * 255;
/// Size of Noise message 1 (`-> e`): the ephemeral key alone.
pub(crate) const MESSAGE_1_LEN: usize = 32;

/// `magic ‖ n ‖ ids` (all U32 LE).
pub(crate) fn encode_negotiation(magic: u32, ids: &[u32], out: &mut Vec<u8>) {
    out.extend_from_slice(&magic.to_le_bytes());
    // Callers cap the list at 255 ids (config validation, or a single reply id).
    out.push(ids.len().min(255) as u8);
    for id in ids.iter().take(255) {
        out.extend_from_slice(&id.to_le_bytes());
    }
}

/// A parsed NegotiationMessage: its magic and ids, unknown ids kept (they belong to the
/// STR3 prologue as sent).
pub(crate) struct Negotiation {
    pub magic: u32,
    pub ids: Vec<u32>,
}

/// Parses a NegotiationMessage that must fill `bytes` exactly.
pub(crate) fn decode_negotiation(bytes: &[u8]) -> Result<Negotiation, NoiseError> {
    let (header, rest) =
        bytes
            .split_first_chunk::<NEGOTIATION_HEADER>()
            .ok_or(NoiseError::MalformedNegotiation(
                "shorter than magic and count",
            ))?;
    let magic = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let count = usize::from(header[4]);
    if rest.len() != 4 * count {
        return Err(NoiseError::MalformedNegotiation(
            "algorithm count does not match the message length",
        ));
    }
    let ids = rest
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(Negotiation { magic, ids })
}

/// What the responder's first message turned out to be (A.3.2 step 5, R21).
pub(crate) enum FirstMessage {
    /// A negotiation offer in one of the two dialects.
    Offer {
        form: NegotiationForm,
        ids: Vec<u32>,
    },
    /// No negotiation: this is already Noise message 1.
    Message1,
}

/// Tells the three first-message forms apart. `-> e` is exactly 32 bytes; a
/// NegotiationMessage is 5 + 4n bytes, which is never 32, and starts with a known magic.
pub(crate) fn classify_first_message(bytes: &[u8]) -> Result<FirstMessage, NoiseError> {
    if bytes.len() == MESSAGE_1_LEN {
        return Ok(FirstMessage::Message1);
    }
    let offer = decode_negotiation(bytes)?;
    let form = if offer.magic == SRI_2023.magic {
        NegotiationForm::Str3
    } else if offer.magic == BRAIINS_2021.magic {
        NegotiationForm::Str2
    } else {
        return Err(NoiseError::MalformedNegotiation("unknown magic"));
    };
    Ok(FirstMessage::Offer {
        form,
        ids: offer.ids,
    })
}

/// The responder's choice: the first cipher of its own preference list that was offered.
pub(crate) fn choose(preference: &[Cipher], offered: &[u32]) -> Result<Cipher, NoiseError> {
    preference
        .iter()
        .copied()
        .find(|c| offered.contains(&c.id()))
        .ok_or(NoiseError::NoCommonCipher)
}

/// The reply bytes for `chosen` in this dialect.
pub(crate) fn encode_reply(dialect: &NoiseDialect, chosen: Cipher, out: &mut Vec<u8>) {
    match dialect.reply {
        ReplyForm::BareId => out.extend_from_slice(&chosen.id().to_le_bytes()),
        ReplyForm::Message => encode_negotiation(dialect.magic, &[chosen.id()], out),
    }
}

/// Parses a reply in this dialect; returns the chosen id (not yet checked against the offer).
pub(crate) fn decode_reply(dialect: &NoiseDialect, bytes: &[u8]) -> Result<u32, NoiseError> {
    match dialect.reply {
        ReplyForm::BareId => {
            let id: [u8; 4] =
                bytes
                    .try_into()
                    .map_err(|_| NoiseError::UnexpectedHandshakeLength {
                        step: "N2",
                        len: bytes.len(),
                    })?;
            Ok(u32::from_le_bytes(id))
        }
        ReplyForm::Message => {
            if bytes.len() != NEGOTIATION_HEADER + 4 {
                return Err(NoiseError::UnexpectedHandshakeLength {
                    step: "N2",
                    len: bytes.len(),
                });
            }
            let reply = decode_negotiation(bytes)?;
            if reply.magic != dialect.magic {
                return Err(NoiseError::MalformedNegotiation(
                    "reply magic differs from the offer",
                ));
            }
            match reply.ids.as_slice() {
                [id] => Ok(*id),
                _ => Err(NoiseError::MalformedNegotiation(
                    "reply must name exactly one algorithm",
                )),
            }
        }
    }
}

/// The valid lengths of a reply in this dialect (to refuse a bad length prefix early).
pub(crate) fn reply_len(dialect: &NoiseDialect) -> usize {
    match dialect.reply {
        ReplyForm::BareId => 4,
        ReplyForm::Message => NEGOTIATION_HEADER + 4,
    }
}

/// The reply length of the other dialect (to let such a reply through to
/// [`reply_of_other_dialect`]).
pub(crate) fn other_reply_len(dialect: &NoiseDialect) -> usize {
    match dialect.reply {
        ReplyForm::BareId => NEGOTIATION_HEADER + 4,
        ReplyForm::Message => 4,
    }
}

/// Whether `reply` is the other dialect's answer to our offer: an STR2 NegotiationMessage
/// naming one algorithm where STR3 expects a bare id, or a bare id of a known cipher where
/// STR2 expects a NegotiationMessage. Returns the profile the server speaks.
pub(crate) fn reply_of_other_dialect(dialect: &NoiseDialect, reply: &[u8]) -> Option<NoiseProfile> {
    match dialect.reply {
        ReplyForm::BareId if reply.len() == NEGOTIATION_HEADER + 4 => {
            let other = decode_negotiation(reply).ok()?;
            (other.magic == BRAIINS_2021.magic && other.ids.len() == 1)
                .then_some(NoiseProfile::Braiins2021)
        }
        ReplyForm::Message if reply.len() == 4 => {
            let id = u32::from_le_bytes(reply.try_into().ok()?);
            Cipher::from_id(id).map(|_| NoiseProfile::Sri2023)
        }
        _ => None,
    }
}

/// The prologue both sides mix in. `offered` is the raw id list as sent, `reply` the reply
/// bytes as sent.
pub(crate) fn prologue(
    dialect: &NoiseDialect,
    offered: &[u32],
    chosen: Cipher,
    reply: &[u8],
) -> Vec<u8> {
    match dialect.prologue {
        PrologueForm::OfferThenChoice => {
            let mut p = Vec::with_capacity(1 + 4 * offered.len() + 4);
            p.push(offered.len().min(255) as u8);
            for id in offered.iter().take(255) {
                p.extend_from_slice(&id.to_le_bytes());
            }
            p.extend_from_slice(&chosen.id().to_le_bytes());
            p
        }
        PrologueForm::NoneSomeReply => {
            let mut p = Vec::with_capacity(2 + reply.len());
            p.extend_from_slice(&[0x00, 0x01]);
            p.extend_from_slice(reply);
            p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checklist_bytes() {
        // A.3.2 step 2: STR2 offer of [AESGCM, ChaChaPoly]
        let mut out = Vec::new();
        let offer = [Cipher::AesGcm.id(), Cipher::ChaChaPoly.id()];
        encode_negotiation(BRAIINS_2021.magic, &offer, &mut out);
        assert_eq!(hex::encode(&out), "53545232024145534743484348");
        // profile sri-2023: prologue example 02 CHCH AESG CHCH
        let p = prologue(
            &SRI_2023,
            &[Cipher::ChaChaPoly.id(), Cipher::AesGcm.id()],
            Cipher::ChaChaPoly,
            &[],
        );
        assert_eq!(hex::encode(p), "02434843484145534743484348");
        // profile braiins-2021: reply and prologue
        let mut reply = Vec::new();
        encode_reply(&BRAIINS_2021, Cipher::AesGcm, &mut reply);
        assert_eq!(hex::encode(&reply), "535452320141455347");
        let p = prologue(&BRAIINS_2021, &offer, Cipher::AesGcm, &reply);
        assert_eq!(hex::encode(p), "0001535452320141455347");
    }

    #[test]
    fn first_message_forms() {
        // R21: length and magic tell the three forms apart
        assert!(matches!(
            classify_first_message(&[7; 32]),
            Ok(FirstMessage::Message1)
        ));
        let mut str3 = Vec::new();
        encode_negotiation(SRI_2023.magic, &[Cipher::ChaChaPoly.id()], &mut str3);
        assert!(matches!(
            classify_first_message(&str3),
            Ok(FirstMessage::Offer {
                form: NegotiationForm::Str3,
                ..
            })
        ));
        let mut bad = str3.clone();
        bad[0] = b'X';
        assert_eq!(
            classify_first_message(&bad).err(),
            Some(NoiseError::MalformedNegotiation("unknown magic"))
        );
        assert!(classify_first_message(&str3[..8]).is_err());
        assert!(classify_first_message(&[]).is_err());
    }

    #[test]
    fn cipher_names_accept_wire_and_noise_spellings() {
        for name in [
            "CHCH",
            "chch",
            "ChaChaPoly",
            "chacha20-poly1305",
            " CHACHA20_POLY1305 ",
        ] {
            assert_eq!(Cipher::from_name(name), Some(Cipher::ChaChaPoly), "{name}");
        }
        for name in ["AESG", "aesg", "AESGCM", "aes-256-gcm", "AES_GCM"] {
            assert_eq!(Cipher::from_name(name), Some(Cipher::AesGcm), "{name}");
        }
        assert_eq!(Cipher::from_name("des"), None);
        assert_eq!(
            Cipher::parse_list("AESG, chachapoly"),
            Ok(vec![Cipher::AesGcm, Cipher::ChaChaPoly])
        );
        assert!(Cipher::parse_list("").is_err());
        assert!(Cipher::parse_list("CHCH,ChaChaPoly")
            .unwrap_err()
            .contains("CHCH named twice"));
        assert!(Cipher::parse_list("CHCH,x").unwrap_err().contains("\"x\""));
        assert_eq!(Cipher::AesGcm.to_string(), "AESG");
        assert_eq!(
            NoiseProfile::from_name("BRAIINS-2021"),
            Some(NoiseProfile::Braiins2021)
        );
        assert_eq!(
            NoiseProfile::of_dialect(crate::messages::Dialect::by_name("braiins-2021").unwrap()),
            NoiseProfile::Braiins2021
        );
        assert_eq!(
            NoiseProfile::of_dialect(crate::messages::Dialect::default()),
            NoiseProfile::Sri2023
        );
    }

    #[test]
    fn choice_follows_preference() {
        let offer = [Cipher::ChaChaPoly.id(), Cipher::AesGcm.id()];
        assert_eq!(
            choose(SRI_2023.default_preference, &offer),
            Ok(Cipher::ChaChaPoly)
        );
        assert_eq!(
            choose(BRAIINS_2021.default_preference, &offer),
            Ok(Cipher::AesGcm)
        );
        assert_eq!(
            choose(&[Cipher::AesGcm], &[0x1234]),
            Err(NoiseError::NoCommonCipher)
        );
    }
}
