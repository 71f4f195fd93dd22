"""Result codes: the C API's `sv2_result` numbering, the `.code` of every exception.

Kept equal to the native table (`sv2.result_codes()`, itself checked against
`src/ffi/result.rs`) by the test suite.
"""

from enum import IntEnum


class ResultCode(IntEnum):
    """Every failure, grouped by hundreds: 1xx misuse, 2xx codec, 3xx Noise/keys, 4xx protocol."""

    OK = 0
    """Success."""
    NULL_ARG = 100
    """A required pointer argument was NULL (or a buffer pointer was NULL with a non-zero length)."""
    BUFFER_TOO_SMALL = 101
    """The caller's buffer is too small; the required size was written to the size out-parameter."""
    WRONG_STATE = 102
    """The call is not valid in the object's current state (e.g. sending before setup completed)."""
    INVALID_ARG = 103
    """An argument has an invalid value (unknown constant, string too long, bad length, ...)."""
    INVALID_CONFIG = 104
    """The configuration is incomplete or inconsistent (e.g. neither Noise nor plaintext chosen)."""
    CLOSED = 105
    """The session has ended: nothing more can be received or sent."""
    INPUT_BUFFER_FULL = 106
    """`sv2_session_receive_data()` would buffer too much: drain `sv2_session_next_event()` and retry with the same bytes (nothing was consumed)."""
    OUTPUT_BUFFER_FULL = 107
    """A send would queue too much: drain `sv2_session_data_to_send()` and retry (nothing was queued)."""
    NOT_SENDABLE = 108
    """This message cannot be sent on this connection (other protocol or direction)."""
    SHARE_REFUSED = 111
    """A share failed the local checks (stale, duplicate, above target, bad nTime or version); nothing was sent. (Python bindings; proposed for the C table.)"""
    UNEXPECTED_MESSAGE = 112
    """The message has no place here (e.g. a client-bound message given to a pool engine). (Python bindings; proposed for the C table.)"""
    IO = 113
    """Reading or writing a key or certificate file failed. (Python bindings; proposed for the C table.)"""
    TRUNCATED = 200
    """A frame or field ended early."""
    TOO_LONG = 201
    """A length prefix or count exceeds what its type allows."""
    TRAILING_BYTES = 202
    """Bytes were left over after a message's last field."""
    INVALID_BOOL = 203
    """A BOOL byte other than 0 or 1 (strict dialects)."""
    INVALID_UTF8 = 204
    """A string that is not UTF-8 (dialects requiring UTF-8)."""
    WRONG_LENGTH = 205
    """A fixed-size value carried with a length prefix had the wrong length."""
    INVALID_VALUE = 206
    """Well-formed bytes that describe no valid value."""
    FRAME_TOO_LARGE = 207
    """A frame larger than the configured or protocol maximum."""
    UNKNOWN_MESSAGE = 208
    """A frame of a message type the dialect does not know (decoding a standalone frame)."""
    ENCODE_TOO_LONG = 209
    """Encoding: a value is longer than its type allows (never silently truncated)."""
    ENCODE_OUT_OF_RANGE = 210
    """Encoding: a value does not fit the narrower integer of the dialect."""
    NOT_IN_DIALECT = 211
    """Encoding: the dialect does not define this message."""
    NOISE_MALFORMED = 300
    """Noise: a malformed message (bad length, bad negotiation bytes)."""
    NOISE_NEGOTIATION = 301
    """Noise: algorithm negotiation failed (no common cipher, negotiation refused or unexpected)."""
    NOISE_HANDSHAKE_DECRYPT = 302
    """Noise: a handshake message failed authentication (tampering, other dialect)."""
    NOISE_TRANSPORT_DECRYPT = 303
    """Noise: a transport message failed authentication (tampering, loss, reordering)."""
    NOISE_INVALID_PUBLIC_KEY = 304
    """Noise: the peer's key is a low-order point."""
    NOISE_NONCE_EXHAUSTED = 305
    """Noise: the nonce space is exhausted; reconnect."""
    NOISE_INTERNAL = 306
    """Noise: internal or configuration error of the secure channel."""
    RNG = 307
    """The operating system's random number generator failed."""
    CERT_BAD_SIGNATURE = 320
    """Certificate: the signature does not verify under the authority key."""
    CERT_INVALID_AUTHORITY_KEY = 321
    """Certificate: the authority key is not a valid Ed25519 public key."""
    CERT_NOT_YET_VALID = 322
    """Certificate: not valid yet."""
    CERT_EXPIRED = 323
    """Certificate: expired."""
    CERT_MALFORMED = 324
    """Certificate: malformed (message layout, file text, server key not matching)."""
    CERT_AUTHORITY_MISMATCH = 325
    """Certificate: signed by another authority than the trusted one."""
    CERT_EMPTY_VALIDITY = 326
    """Certificate: `valid_from` is after `not_valid_after`."""
    KEY_TEXT = 330
    """Key text: empty, a character outside base58, or the wrong decoded length."""
    KEY_CHECKSUM = 331
    """Key text: the checksum does not match (mistyped or truncated key)."""
    KEY_SECP256K1 = 332
    """Key text: a secp256k1 key of the newer spec, which this 2022 implementation does not speak."""
    KEY_INVALID = 333
    """Key: not a valid Ed25519 public key."""
    URL_SCHEME = 340
    """Pool URL: missing or unsupported scheme, user info, query or fragment."""
    URL_HOST = 341
    """Pool URL: empty or invalid host."""
    URL_PORT = 342
    """Pool URL: missing or invalid port (the spec defines no default port)."""
    URL_KEY = 343
    """Pool URL: missing, invalid or misplaced authority key (or a path on a plaintext URL)."""
    PROTOCOL = 400
    """The peer broke the protocol (first message not SetupConnection, unexpected reply, ...)."""
    WRONG_PROTOCOL = 401
    """The peer sent a message of another protocol than the negotiated one."""
    WRONG_DIRECTION = 402
    """The peer sent a message that only travels the other way."""
    VERSION = 403
    """The server chose a protocol version the client did not offer."""
    TIMEOUT_HANDSHAKE = 404
    """The Noise handshake did not complete in time."""
    TIMEOUT_SETUP = 405
    """SetupConnection did not complete in time."""
    TIMEOUT_IDLE = 406
    """Nothing was received for longer than the idle timeout."""
    PEER_CLOSED_MID_FRAME = 407
    """The peer closed the connection inside a frame."""
    PEER_CLOSED_BEFORE_SETUP = 408
    """The peer closed the connection before the handshake and setup completed."""
    TOO_MANY_CHANNELS = 409
    """Opening one more channel would exceed the configured maximum."""
    SETUP_REJECTED = 410
    """SetupConnection was refused with SetupConnection.Error (the code of a `Closed` event). (Python bindings; proposed for the C table.)"""
    TIMEOUT_OPEN_CHANNEL = 411
    """A Mining Protocol client set up the connection but asked for no channel in time (R55)."""
    UNKNOWN_CHANNEL = 450
    """Mining: no open channel has this id (on this connection)."""
    WRONG_CHANNEL_KIND = 451
    """Mining: a standard submit on an extended channel or the reverse."""
    UNKNOWN_JOB = 452
    """Mining share refused locally: the job is unknown (never received or forgotten)."""
    FUTURE_JOB = 453
    """Mining share refused locally: the job is a future job no SetNewPrevHash activated yet."""
    STALE_JOB = 454
    """Mining share refused locally: a newer prevhash made the job stale."""
    VERSION_NOT_ALLOWED = 455
    """Mining share refused locally: the version changes bits outside the allowed mask."""
    NTIME_OUT_OF_RANGE = 456
    """Mining share refused locally: nTime outside `min_ntime ..= min_ntime + elapsed seconds`."""
    EXTRANONCE_LENGTH = 457
    """Mining: the extranonce is not the channel's `extranonce_size` bytes long."""
    BELOW_TARGET = 458
    """Mining share refused locally: the header hash does not meet the job's target."""
    DUPLICATE_SHARE = 459
    """Mining share refused locally: the same share was submitted before."""
    NOT_EXTENDED = 460
    """Mining: the operation needs extended-channel work or an extended channel."""
    EXTENDED_CHANNELS_REQUIRED = 461
    """Mining: the server accepts only extended channels (REQUIRES_EXTENDED_CHANNELS)."""
    ROLLING_NOT_ALLOWED = 462
    """Mining: the work's version mask allows fewer rolled versions than asked for."""
    UNKNOWN_CONNECTION = 470
    """Pool: no such connection (never accepted, or removed)."""
    NO_PREV_HASH = 471
    """Pool: a non-future template arrived before any prevhash."""
    UNKNOWN_TEMPLATE = 472
    """Pool: SetNewPrevHash names a template that is not a pending future template."""
    INVALID_TEMPLATE = 473
    """Pool: the template's coinbase cannot be built."""
    EXHAUSTED = 474
    """Pool: job ids or extranonce prefixes are exhausted (restart with a new server id)."""
    INVALID_TRANSACTION = 480
    """Template Distribution: transaction bytes that are not exactly one transaction (truncated, trailing bytes, no inputs, a bad segwit marker)."""
    STALE_TIP = 481
    """Template Distribution: the template builds on a tip the provider already left."""
    PANIC = 900
    """A bug inside libsv2 was caught at the API boundary; the handle is now poisoned."""
    POISONED = 901
    """The handle was poisoned by an earlier `SV2_ERR_PANIC`; only `_free` is still valid."""
