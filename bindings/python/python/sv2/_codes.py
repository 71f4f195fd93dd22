"""Result codes: the numbering of the C API's `sv2_result`, shared by `.code` of every exception.

Kept equal to the native table (`sv2.result_codes()`) by the test suite.
"""

from enum import IntEnum


class ResultCode(IntEnum):
    """Every failure, grouped by hundreds: 1xx misuse, 2xx codec, 3xx Noise/keys, 4xx protocol."""

    OK = 0
    """Success."""
    NULL_ARG = 100
    """A required pointer argument was NULL (C API only)."""
    BUFFER_TOO_SMALL = 101
    """The caller's output buffer is too small."""
    WRONG_STATE = 102
    """The call is not valid in the object's current state."""
    INVALID_CONFIG = 103
    """The configuration is invalid."""
    INVALID_ARGUMENT = 104
    """An argument is out of range or malformed."""
    CLOSED = 105
    """The session has ended."""
    NOT_SENDABLE = 106
    """The message cannot be sent on this connection (wrong protocol or direction)."""
    INPUT_BUFFER_FULL = 107
    """Too much received input is buffered: drain events first."""
    OUTPUT_BUFFER_FULL = 108
    """Too much output is queued: send pending data first."""
    TOO_MANY_CHANNELS = 109
    """A channel limit was reached."""
    UNKNOWN_CHANNEL = 110
    """No open channel (or connection) has this id."""
    SHARE_REFUSED = 111
    """A share failed the local checks (stale, duplicate, above target, bad nTime...)."""
    INVALID_URL = 112
    """A pool URL is malformed."""
    ENTROPY = 113
    """The operating system's random number generator failed."""
    UNEXPECTED_MESSAGE = 114
    """The message has no place here (e.g. a client-bound message given to a pool)."""
    IO = 115
    """Reading or writing a key or certificate file failed."""
    DECODE_TRUNCATED = 200
    """A payload ended before a field did."""
    DECODE_TOO_LONG = 201
    """A length prefix or count exceeds its type's maximum."""
    DECODE_TRAILING_BYTES = 202
    """Bytes were left after the last field."""
    DECODE_INVALID_BOOL = 203
    """A BOOL byte other than 0 or 1."""
    DECODE_INVALID_UTF8 = 204
    """A string that is not UTF-8 where the dialect requires UTF-8."""
    DECODE_WRONG_LENGTH = 205
    """A fixed-size value with a wrong length prefix."""
    DECODE_INVALID_VALUE = 206
    """Well-formed bytes that describe no valid value."""
    DECODE_UNKNOWN_MESSAGE = 207
    """The frame is of a message type this dialect does not define."""
    ENCODE_TOO_LONG = 210
    """A value is longer than its type allows."""
    ENCODE_OUT_OF_RANGE = 211
    """A value does not fit the dialect's narrower type."""
    ENCODE_NOT_IN_DIALECT = 212
    """The dialect does not define this message."""
    ENCODE_INVALID_VALUE = 213
    """A value cannot be expressed in the dialect's layout."""
    ENCODE_FRAME_TOO_LARGE = 214
    """The payload exceeds the 16 MiB frame limit."""
    FRAME_TOO_LARGE = 220
    """A frame header announced a payload above the configured maximum."""
    NOISE_ZERO_LENGTH = 300
    """A Noise message with length prefix 0."""
    NOISE_MESSAGE_TOO_LONG = 301
    """A Noise message longer than allowed at this point."""
    NOISE_MESSAGE_TOO_SHORT = 302
    """A transport message shorter than the AEAD tag."""
    NOISE_HANDSHAKE_LENGTH = 303
    """A handshake message of the wrong length for its step."""
    NOISE_MALFORMED_NEGOTIATION = 304
    """A malformed cipher negotiation message."""
    NOISE_NEGOTIATION_REQUIRED = 305
    """The initiator skipped negotiation, which this responder refuses."""
    NOISE_NO_COMMON_CIPHER = 306
    """No cipher in common with the peer."""
    NOISE_UNOFFERED_CIPHER = 307
    """The responder chose a cipher that was not offered."""
    NOISE_HANDSHAKE_DECRYPT = 308
    """A handshake message failed authentication."""
    NOISE_TRANSPORT_DECRYPT = 309
    """A transport message failed authentication."""
    NOISE_INVALID_PUBLIC_KEY = 310
    """The peer's ephemeral key is a low-order point."""
    NOISE_NONCE_EXHAUSTED = 311
    """The nonce space is exhausted: reconnect."""
    NOISE_FRAME_TOO_LARGE = 312
    """A frame exceeds what the peer's Noise dialect can carry."""
    NOISE_INVALID_FRAME_BOUNDARIES = 313
    """Frame boundaries do not partition the plaintext."""
    NOISE_INVALID_CONFIG = 314
    """The Noise configuration is invalid."""
    NOISE_RNG = 315
    """The random number generator failed during the handshake."""
    NOISE_HANDSHAKE_INCOMPLETE = 316
    """The handshake is not complete."""
    NOISE_CLOSED = 317
    """An earlier error closed the secure channel."""
    NOISE_INTERNAL = 318
    """Internal Noise backend error."""
    CERT_BAD_SIGNATURE = 320
    """The certificate signature does not verify under the authority key."""
    CERT_INVALID_AUTHORITY_KEY = 321
    """The authority key is not a valid Ed25519 public key."""
    CERT_NOT_YET_VALID = 322
    """The certificate is not valid yet."""
    CERT_EXPIRED = 323
    """The certificate has expired."""
    CERT_MALFORMED = 324
    """The certificate message is malformed."""
    CERT_AUTHORITY_MISMATCH = 325
    """The certificate is signed by another authority than the trusted one."""
    KEY_TEXT = 330
    """A key text is malformed (character, checksum, length, format)."""
    KEY_FILE = 331
    """A key or certificate file is malformed."""
    FIRST_MESSAGE_NOT_SETUP = 400
    """The first message was not SetupConnection."""
    SECOND_SETUP = 401
    """A second SetupConnection on a connection already set up."""
    UNEXPECTED_SETUP_REPLY = 402
    """The server answered SetupConnection with something else."""
    VERSION_NOT_OFFERED = 403
    """The server chose a version that was not offered."""
    WRONG_PROTOCOL = 404
    """A message of another protocol than the negotiated one."""
    WRONG_DIRECTION = 405
    """A message that travels only the other way."""
    MALFORMED_MESSAGE = 406
    """The peer sent a frame that does not decode."""
    TIMEOUT_HANDSHAKE = 410
    """The Noise handshake timed out."""
    TIMEOUT_SETUP = 411
    """SetupConnection timed out."""
    TIMEOUT_IDLE = 412
    """Nothing was received for too long."""
    PEER_CLOSED_MID_FRAME = 413
    """The peer closed the connection in the middle of a frame."""
    PEER_CLOSED_BEFORE_SETUP = 414
    """The peer closed the connection before setup completed."""
    SETUP_REJECTED = 415
    """SetupConnection was refused with SetupConnection.Error."""
    PANIC = 900
    """A Rust panic was caught at the boundary (C API only)."""
    POISONED = 901
    """The handle is unusable after an earlier panic (C API only)."""
