//! Key text format (spec 03 §3.3.6, CHECKLIST A.3.5, R29, E12).
//!
//! A key is written as Base58Check of its raw 32 bytes: the Bitcoin base58 alphabet over
//! `key ‖ first 4 bytes of SHA256(SHA256(key))`, **with no version byte**, so 36 bytes before
//! encoding. This is what the 2022 spec's URL example uses and what both the Braiins and the
//! SRI-2022 implementations read and write (`key_text_format` in the profiles). The same format
//! is used for all four key types; the text alone does not say which kind of key it is, which
//! is why key *files* carry a header line (see [`super::file`]).
//!
//! The current spec (after 157b9c2) writes secp256k1 authority keys as
//! `Base58Check([0x01, 0x00] ‖ 32-byte x-only key)`, which decodes to 38 bytes. Such a key gets
//! its own error, [`KeyTextError::Secp256k1Format`], so that an operator who copied a key from a
//! newer pool learns why it does not work here instead of seeing a generic length error.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{AuthorityPublicKey, AuthoritySecretKey, StaticPublicKey, StaticSecretKey};

/// Number of checksum bytes appended before encoding.
pub const CHECKSUM_LEN: usize = 4;
/// Decoded length of a key text in this (2022) format: 32 key bytes and 4 checksum bytes.
pub const DECODED_LEN: usize = 32 + CHECKSUM_LEN;
/// Decoded length of a current-spec secp256k1 key text: 2 version bytes, 32 key bytes, 4
/// checksum bytes.
pub const SECP256K1_DECODED_LEN: usize = 2 + 32 + CHECKSUM_LEN;

/// Decode buffer size. Anything that decodes to more is certainly not a key; the bound keeps
/// the decoded bytes (possibly a secret) in one stack buffer that is zeroized afterwards.
const DECODE_BUFFER_LEN: usize = 64;
/// Base58 of 36 bytes is at most 50 characters (`36 * log(256) / log(58)` rounded up = 50).
const ENCODE_BUFFER_LEN: usize = 64;

/// Why a key text was refused (R29). Each case is distinct so that the message can tell a typo
/// (bad character, bad checksum) from a key in another format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyTextError {
    /// The text is empty.
    #[error("the key text is empty")]
    Empty,
    /// A character outside the Bitcoin base58 alphabet (which excludes `0`, `O`, `I` and `l`).
    #[error("invalid base58 character {character:?} at position {index}")]
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// Its byte offset in the text.
        index: usize,
    },
    /// The checksum does not match: the key was mistyped or truncated.
    #[error("key checksum mismatch (expected {}, found {}): the key is mistyped, truncated or corrupted", super::cert_file::to_hex(.expected), super::cert_file::to_hex(.found))]
    BadChecksum {
        /// Checksum computed from the decoded key bytes.
        expected: [u8; CHECKSUM_LEN],
        /// Checksum carried by the text.
        found: [u8; CHECKSUM_LEN],
    },
    /// The text decodes to 38 bytes starting with version `01 00`: a secp256k1 key in the
    /// format of the current Stratum V2 spec, which this 2022 implementation does not speak.
    #[error("this is a secp256k1 key in the newer Stratum V2 format (38 bytes with version 1, the spec-2025 dialect); this API takes a 2022 Ed25519/X25519 key (36 bytes decoded)")]
    Secp256k1Format,
    /// The text decodes to something other than 36 bytes.
    #[error("the key text decodes to {decoded_len} bytes; a key must decode to {DECODED_LEN} bytes (32-byte key and 4-byte checksum, no version byte)")]
    WrongLength {
        /// The decoded length; [`usize::MAX`] means "longer than any plausible key".
        decoded_len: usize,
    },
    /// The bytes are not a valid Ed25519 public key (not a point on the curve).
    #[error("the key is not a valid Ed25519 public key")]
    InvalidEd25519Key,
    /// The bytes are not a valid secp256k1 key (an x coordinate off the curve, or a secret key
    /// of zero or at least the group order). Spec-2025 keys only.
    #[error("the key is not a valid secp256k1 key")]
    InvalidSecp256k1Key,
}

/// First four bytes of SHA256(SHA256(payload)), as in Bitcoin's Base58Check.
fn checksum(payload: &[u8]) -> [u8; CHECKSUM_LEN] {
    let digest = Sha256::digest(Sha256::digest(payload));
    let mut out = [0u8; CHECKSUM_LEN];
    out.copy_from_slice(&digest[..CHECKSUM_LEN]);
    out
}

/// Encodes 32 key bytes as key text. The intermediate buffers are zeroized because the same
/// function encodes secret keys.
pub fn encode_key(key: &[u8; 32]) -> Zeroizing<String> {
    let mut payload = Zeroizing::new([0u8; DECODED_LEN]);
    payload[..32].copy_from_slice(key);
    payload[32..].copy_from_slice(&checksum(key));
    let mut buffer = Zeroizing::new([0u8; ENCODE_BUFFER_LEN]);
    // 36 bytes always fit in 64 characters, so the error branch cannot be taken; an empty
    // string would still be caught by the decoder rather than panic here.
    let len = bs58::encode(&payload[..])
        .onto(&mut buffer[..])
        .unwrap_or(0);
    let mut text = Zeroizing::new(String::with_capacity(len));
    // The base58 alphabet is ASCII, so each byte is one char.
    text.extend(buffer[..len].iter().map(|&b| char::from(b)));
    text
}

/// Decodes key text into 32 key bytes, checking the alphabet, the checksum and the length
/// (R29). Leading and trailing whitespace is not accepted: callers that read files or command
/// lines trim first, so that a stray character inside the text is still reported.
pub fn decode_key(text: &str) -> Result<Zeroizing<[u8; 32]>, KeyTextError> {
    let (buffer, len) = decode_checked(text)?;
    let payload = &buffer[..len - CHECKSUM_LEN];
    if len == SECP256K1_DECODED_LEN && payload[..2] == [0x01, 0x00] {
        return Err(KeyTextError::Secp256k1Format);
    }
    if len != DECODED_LEN {
        return Err(KeyTextError::WrongLength { decoded_len: len });
    }
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(payload);
    Ok(key)
}

/// Decodes spec-2025 key text, `Base58Check(01 00 ‖ 32-byte x-only key)` (sv2-spec 0f38d51
/// §4.7), into the 32 key bytes. Public keys only: the versioned format has no secret-key form.
pub fn decode_secp256k1_key(text: &str) -> Result<[u8; 32], KeyTextError> {
    let (buffer, len) = decode_checked(text)?;
    if len != SECP256K1_DECODED_LEN || buffer[..2] != [0x01, 0x00] {
        return Err(KeyTextError::WrongLength { decoded_len: len });
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(&buffer[2..34]);
    Ok(key)
}

/// Base58 decoding and checksum check, shared by both key generations. Returns the decoded
/// bytes (checksum included) and their length, which is at least [`CHECKSUM_LEN`].
fn decode_checked(text: &str) -> Result<(Zeroizing<[u8; DECODE_BUFFER_LEN]>, usize), KeyTextError> {
    if text.is_empty() {
        return Err(KeyTextError::Empty);
    }
    let mut buffer = Zeroizing::new([0u8; DECODE_BUFFER_LEN]);
    let len = match bs58::decode(text).onto(&mut buffer[..]) {
        Ok(len) => len,
        Err(bs58::decode::Error::InvalidCharacter { character, index }) => {
            return Err(KeyTextError::InvalidCharacter { character, index })
        }
        Err(bs58::decode::Error::NonAsciiCharacter { index }) => {
            let character = text
                .get(index..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or('\u{fffd}');
            return Err(KeyTextError::InvalidCharacter { character, index });
        }
        Err(bs58::decode::Error::BufferTooSmall) => {
            return Err(KeyTextError::WrongLength {
                decoded_len: usize::MAX,
            })
        }
        // bs58's error enum is non-exhaustive; a future variant can only mean malformed text.
        Err(_) => {
            return Err(KeyTextError::WrongLength {
                decoded_len: usize::MAX,
            })
        }
    };
    if len < CHECKSUM_LEN {
        return Err(KeyTextError::WrongLength { decoded_len: len });
    }
    // Checksum first: a mistyped character should be reported as such even when it happens to
    // change the decoded length.
    let (payload, found) = buffer[..len].split_at(len - CHECKSUM_LEN);
    let expected = checksum(payload);
    if expected != found {
        let mut found_arr = [0u8; CHECKSUM_LEN];
        found_arr.copy_from_slice(found);
        return Err(KeyTextError::BadChecksum {
            expected,
            found: found_arr,
        });
    }
    Ok((buffer, len))
}

/// Decodes Base58Check text of any length up to 128 bytes (the Braiins key tool writes
/// signatures this way): the payload without its checksum. Errors as [`decode_key`]'s.
pub fn decode_check(text: &str) -> Result<Zeroizing<Vec<u8>>, KeyTextError> {
    if text.is_empty() {
        return Err(KeyTextError::Empty);
    }
    let mut buffer = Zeroizing::new([0u8; 2 * DECODE_BUFFER_LEN + CHECKSUM_LEN]);
    let len = match bs58::decode(text).onto(&mut buffer[..]) {
        Ok(len) => len,
        Err(bs58::decode::Error::InvalidCharacter { character, index }) => {
            return Err(KeyTextError::InvalidCharacter { character, index })
        }
        Err(_) => {
            return Err(KeyTextError::WrongLength {
                decoded_len: usize::MAX,
            })
        }
    };
    if len < CHECKSUM_LEN {
        return Err(KeyTextError::WrongLength { decoded_len: len });
    }
    let (payload, found) = buffer[..len].split_at(len - CHECKSUM_LEN);
    let expected = checksum(payload);
    if expected != found {
        let mut found_arr = [0u8; CHECKSUM_LEN];
        found_arr.copy_from_slice(found);
        return Err(KeyTextError::BadChecksum {
            expected,
            found: found_arr,
        });
    }
    Ok(Zeroizing::new(payload.to_vec()))
}

/// Encodes bytes as Base58Check without version byte (the inverse of [`decode_check`]).
pub fn encode_check(bytes: &[u8]) -> String {
    let mut payload = Vec::with_capacity(bytes.len() + CHECKSUM_LEN);
    payload.extend_from_slice(bytes);
    payload.extend_from_slice(&checksum(bytes));
    bs58::encode(payload).into_string()
}

impl AuthorityPublicKey {
    /// Parses key text and checks that it is a valid Ed25519 point, so that a wrong key in a
    /// configuration is reported when it is read, not at the first handshake.
    pub fn from_text(text: &str) -> Result<Self, KeyTextError> {
        Self::from_bytes_checked(*decode_key(text)?)
    }
    /// Raw key bytes, checked like key text (a valid Ed25519 point), for bindings and
    /// configuration readers that take bytes.
    pub fn from_bytes_checked(bytes: [u8; 32]) -> Result<Self, KeyTextError> {
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map_err(|_| KeyTextError::InvalidEd25519Key)?;
        Ok(Self(bytes))
    }
    /// The key as text (Base58Check, no version byte).
    pub fn to_text(&self) -> String {
        encode_key(&self.0).to_string()
    }
}

impl StaticPublicKey {
    /// Parses key text. Every 32-byte string is a usable X25519 public key, so only the text
    /// format is checked.
    pub fn from_text(text: &str) -> Result<Self, KeyTextError> {
        Ok(Self(*decode_key(text)?))
    }
    /// Raw key bytes; every 32-byte string is a usable X25519 key, so this cannot fail (it
    /// exists so that code generic over both public key types checks what needs checking).
    pub fn from_bytes_checked(bytes: [u8; 32]) -> Result<Self, KeyTextError> {
        Ok(Self(bytes))
    }
    /// The key as text (Base58Check, no version byte).
    pub fn to_text(&self) -> String {
        encode_key(&self.0).to_string()
    }
}

impl AuthoritySecretKey {
    /// Parses the text of a secret key (the 32-byte Ed25519 seed).
    pub fn from_text(text: &str) -> Result<Self, KeyTextError> {
        Ok(Self(decode_key(text)?))
    }
    /// The secret key as text. Deliberately not `Display`, so that a secret cannot end up in a
    /// log through `{}`; the returned string is zeroized on drop.
    pub fn to_text_secret(&self) -> Zeroizing<String> {
        encode_key(&self.0)
    }
}

impl StaticSecretKey {
    /// Parses the text of a server static secret key.
    pub fn from_text(text: &str) -> Result<Self, KeyTextError> {
        Ok(Self(decode_key(text)?))
    }
    /// The secret key as text. Deliberately not `Display` (see
    /// [`AuthoritySecretKey::to_text_secret`]); the returned string is zeroized on drop.
    pub fn to_text_secret(&self) -> Zeroizing<String> {
        encode_key(&self.0)
    }
}

macro_rules! text_traits {
    ($ty:ty) => {
        impl std::str::FromStr for $ty {
            type Err = KeyTextError;
            fn from_str(text: &str) -> Result<Self, KeyTextError> {
                Self::from_text(text)
            }
        }
    };
    ($ty:ty, display) => {
        text_traits!($ty);
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&encode_key(&self.0))
            }
        }
    };
}
text_traits!(AuthorityPublicKey, display);
text_traits!(StaticPublicKey, display);
text_traits!(AuthoritySecretKey);
text_traits!(StaticSecretKey);

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_KEY_TEXT: &str = "u95GEReVMjK6k5YqiSFNqqTnKU4ypU2Wm8awa6tmbmDmk1bWt";
    const SPEC_KEY_HEX: &str = "76637000979c1c11af0c300bcd8c7fe48610fce9b9c11e3daee35ae0b08a7455";

    /// Base58Check with a version prefix, for building current-spec style keys in tests.
    fn encode_payload(payload: &[u8]) -> String {
        let mut all = payload.to_vec();
        all.extend_from_slice(&checksum(payload));
        bs58::encode(all).into_string()
    }

    #[test]
    fn spec_example_decodes() {
        // R29: the spec's own URL example, 32-byte key + checksum d77985bd
        let raw = bs58::decode(SPEC_KEY_TEXT).into_vec().unwrap();
        assert_eq!(raw.len(), 36);
        assert_eq!(hex::encode(&raw[32..]), "d77985bd");
        let key = decode_key(SPEC_KEY_TEXT).unwrap();
        assert_eq!(hex::encode(*key), SPEC_KEY_HEX);
        let public: AuthorityPublicKey = SPEC_KEY_TEXT.parse().unwrap();
        assert_eq!(hex::encode(public.as_bytes()), SPEC_KEY_HEX);
        assert_eq!(public.to_string(), SPEC_KEY_TEXT);
        assert_eq!(public.to_text(), SPEC_KEY_TEXT);
        assert_eq!(*encode_key(public.as_bytes()), SPEC_KEY_TEXT);
    }

    #[test]
    fn bad_checksum_rejected() {
        // R29: change one character → checksum mismatch
        let mut text = SPEC_KEY_TEXT.to_string();
        text.replace_range(10..11, "X");
        assert!(matches!(
            decode_key(&text),
            Err(KeyTextError::BadChecksum { .. })
        ));
        // last character changed: only the checksum bytes differ
        let mut text = SPEC_KEY_TEXT.to_string();
        text.pop();
        text.push('u');
        let err = text.parse::<AuthorityPublicKey>().unwrap_err();
        assert!(matches!(err, KeyTextError::BadChecksum { .. }));
        // The checksums read as hex in the message (not as a Rust byte list).
        let message = err.to_string();
        assert!(
            message.starts_with("key checksum mismatch (expected ") && !message.contains('['),
            "{message}"
        );
    }

    #[test]
    fn invalid_characters_rejected() {
        // R29: base58 excludes 0 O I l; non-ASCII is reported with its position
        let mut text = SPEC_KEY_TEXT.to_string();
        text.replace_range(3..4, "0");
        assert_eq!(
            decode_key(&text),
            Err(KeyTextError::InvalidCharacter {
                character: '0',
                index: 3
            })
        );
        assert_eq!(
            decode_key("abcé"),
            Err(KeyTextError::InvalidCharacter {
                character: 'é',
                index: 3
            })
        );
        assert_eq!(
            decode_key(" u95"),
            Err(KeyTextError::InvalidCharacter {
                character: ' ',
                index: 0
            })
        );
        assert_eq!(decode_key(""), Err(KeyTextError::Empty));
    }

    #[test]
    fn wrong_lengths_rejected() {
        // R29: decoded length ≠ 36, with valid checksums so that only the length is wrong
        assert_eq!(
            decode_key(&encode_payload(&[7u8; 31])),
            Err(KeyTextError::WrongLength { decoded_len: 35 })
        );
        assert_eq!(
            decode_key(&encode_payload(&[7u8; 33])),
            Err(KeyTextError::WrongLength { decoded_len: 37 })
        );
        assert_eq!(
            decode_key(&encode_payload(&[])),
            Err(KeyTextError::WrongLength { decoded_len: 4 })
        );
        assert_eq!(
            decode_key("111"),
            Err(KeyTextError::WrongLength { decoded_len: 3 })
        );
        assert_eq!(
            decode_key(&"z".repeat(120)),
            Err(KeyTextError::WrongLength {
                decoded_len: usize::MAX
            })
        );
    }

    #[test]
    fn secp256k1_current_spec_key_gets_its_own_error() {
        // R29 / A.3.5 dialect hint: [01 00] ‖ 32-byte x-only key decodes to 38 bytes
        let mut payload = vec![0x01, 0x00];
        payload.extend_from_slice(&[0x42; 32]);
        let text = encode_payload(&payload);
        assert_eq!(decode_key(&text), Err(KeyTextError::Secp256k1Format));
        let err = text.parse::<AuthorityPublicKey>().unwrap_err();
        assert!(err.to_string().contains("newer Stratum V2 format"), "{err}");
        // 38 bytes without the version prefix is just a wrong length
        let mut payload = vec![0x02, 0x00];
        payload.extend_from_slice(&[0x42; 32]);
        assert_eq!(
            decode_key(&encode_payload(&payload)),
            Err(KeyTextError::WrongLength { decoded_len: 38 })
        );
    }

    #[test]
    fn authority_key_must_be_a_curve_point() {
        // Find a 32-byte string that is not a valid compressed Edwards point.
        let bad = (0u8..=255)
            .map(|i| [i; 32])
            .find(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_err())
            .expect("some constant byte string is off the curve");
        let text = encode_key(&bad);
        assert_eq!(
            AuthorityPublicKey::from_text(&text),
            Err(KeyTextError::InvalidEd25519Key)
        );
        // The same bytes are fine as an X25519 key.
        assert!(StaticPublicKey::from_text(&text).is_ok());
    }

    #[test]
    fn all_key_types_round_trip() {
        let secret = AuthoritySecretKey::from_bytes([3u8; 32]);
        let text = secret.to_text_secret();
        let back: AuthoritySecretKey = text.parse().unwrap();
        assert_eq!(back.as_bytes(), secret.as_bytes());

        let secret = StaticSecretKey::from_bytes([4u8; 32]);
        let back: StaticSecretKey = secret.to_text_secret().parse().unwrap();
        assert_eq!(back.as_bytes(), secret.as_bytes());

        let public = StaticPublicKey::from_bytes([5u8; 32]);
        assert_eq!(public.to_string().parse::<StaticPublicKey>(), Ok(public));
    }

    #[test]
    fn leading_zero_bytes_round_trip() {
        // base58 encodes leading zero bytes as '1'; make sure they survive both ways
        let mut bytes = [0u8; 32];
        bytes[5] = 1;
        let public = StaticPublicKey::from_bytes(bytes);
        let text = public.to_text();
        assert!(text.starts_with("11111"));
        assert_eq!(StaticPublicKey::from_text(&text), Ok(public));
        let zero = StaticPublicKey::from_bytes([0u8; 32]);
        assert_eq!(StaticPublicKey::from_text(&zero.to_text()), Ok(zero));
    }
}
