"""Messages and codec: the shared vectors, construction, equality, match, dicts, errors."""

import json
import pathlib
import pickle
import re
from typing import Any

import pytest

import sv2

ROOT = pathlib.Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors"


def _vector_files() -> list[tuple[str, pathlib.Path]]:
    out = []
    for dialect, base in [
        ("spec", VECTORS / "messages"),
        ("sri-2023", VECTORS / "profiles" / "sri-2023"),
        ("braiins-2021", VECTORS / "profiles" / "braiins-2021"),
    ]:
        for path in sorted(base.rglob("*.hex")):
            out.append((dialect, path))
    return out


VECTOR_FILES = _vector_files()


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _from_json(like: Any, value: Any) -> Any:
    """A JSON sidecar value in the Python type of `like` (the decoded attribute)."""
    if isinstance(like, bytes):
        return bytes.fromhex(value)
    if isinstance(like, tuple):
        return tuple(_from_json(like[0], v) for v in value) if like else tuple(value)
    return value


def test_vectors_found() -> None:
    assert len(VECTOR_FILES) >= 100


@pytest.mark.parametrize(
    "dialect,path", VECTOR_FILES, ids=[f"{d}:{p.parent.name}/{p.stem}" for d, p in VECTOR_FILES]
)
def test_vector_decodes_and_reencodes(dialect: str, path: pathlib.Path) -> None:
    frame = bytes.fromhex(path.read_text().strip())
    sidecar = json.loads(path.with_suffix(".json").read_text())
    message = sv2.decode(frame, dialect)
    cls = sv2.message_class(sidecar["message"], sidecar["protocol"])
    assert type(message) is cls
    assert isinstance(message, sv2.Message)
    assert getattr(cls, "SPEC_NAME") == sidecar["message"]
    for name, expected in sidecar["fields"].items():
        assert _jsonable(getattr(message, name)) == expected, name
    # Byte-exact re-encoding, through the method and the function.
    assert message.encode(dialect) == frame
    assert sv2.encode(message, dialect) == frame
    # The sidecar's values rebuild an equal message.
    fields = {k: _from_json(getattr(message, k), v) for k, v in sidecar["fields"].items()}
    rebuilt = cls.from_dict(fields)
    assert rebuilt.encode(dialect) == frame
    # to_dict/from_dict, pickling and the header.
    assert cls.from_dict(message.to_dict()) == message
    assert pickle.loads(pickle.dumps(message)) == message
    msg2, used = sv2.decode_frame(frame + b"\x00\x01", dialect)
    assert used == len(frame) and msg2 == message
    header = sv2.FrameHeader.parse(frame)
    assert header.msg_type == sidecar["msg_type"]
    assert header.channel_msg == sidecar["channel_msg"]
    assert header.msg_length == len(frame) - 6
    assert sv2.decode_payload(header, frame[6:], dialect) == message


def test_construction_equality_repr_match() -> None:
    share = sv2.SubmitSharesStandard(
        channel_id=1, sequence_number=2, job_id=3, nonce=0x11223344, ntime=0x5F5E1000, version=0x20000000
    )
    frame = share.encode()
    assert frame[:6] == bytes([0x00, 0x80, 0x1A, 0x18, 0x00, 0x00])
    assert sv2.decode(frame) == share
    assert share != sv2.SubmitSharesStandard(channel_id=1)
    assert share != "not a message"
    assert repr(share).startswith("SubmitSharesStandard(channel_id=1, sequence_number=2,")
    assert sv2.SubmitSharesStandard.__match_args__[:3] == ("channel_id", "sequence_number", "job_id")
    match sv2.decode(frame):
        case sv2.SubmitSharesStandard(channel_id=c, nonce=n):
            assert (c, n) == (1, 0x11223344)
        case _:
            pytest.fail("no match")
    match share:
        case sv2.SubmitSharesStandard(c, s, j):
            assert (c, s, j) == (1, 2, 3)
        case _:
            pytest.fail("no positional match")
    with pytest.raises(TypeError):
        hash(share)


def test_messages_are_immutable() -> None:
    share = sv2.SubmitSharesStandard(channel_id=1)
    with pytest.raises(AttributeError):
        share.channel_id = 2  # type: ignore[misc]


def test_defaults_and_types() -> None:
    job = sv2.NewExtendedMiningJob()
    assert job.merkle_path == () and job.coinbase_tx_prefix == b"" and job.min_ntime is None
    prev = sv2.MiningSetNewPrevHash()
    assert prev.prev_hash == bytes(32)
    setup = sv2.SetupConnection(vendor="acme", endpoint_host=b"pool.example")
    assert setup.vendor == "acme" and setup.endpoint_host == "pool.example"
    assert setup.vendor_bytes == b"acme"


def test_non_utf8_strings_round_trip() -> None:
    setup = sv2.SetupConnection(vendor=b"\xff\xfeabc")
    assert setup.vendor_bytes == b"\xff\xfeabc"
    again = sv2.decode(setup.encode())
    assert isinstance(again, sv2.SetupConnection)
    assert again.vendor_bytes == b"\xff\xfeabc"
    assert sv2.SetupConnection(vendor=again.vendor) == setup


def test_construction_errors() -> None:
    with pytest.raises(TypeError):
        sv2.SubmitSharesStandard(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        sv2.SubmitSharesStandard(bogus=1)  # type: ignore[call-arg]
    with pytest.raises(OverflowError):
        sv2.SubmitSharesStandard(channel_id=2**32)
    with pytest.raises(OverflowError):
        sv2.SubmitSharesStandard(channel_id=-1)
    with pytest.raises(ValueError):
        sv2.SetTarget(maximum_target=b"short")
    with pytest.raises(TypeError):
        sv2.SetTarget(maximum_target="00" * 32)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sv2.OpenExtendedMiningChannelSuccess(extranonce_prefix=bytes(33))
    with pytest.raises(TypeError):
        sv2.NewExtendedMiningJob(merkle_path=b"\x00" * 32)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sv2.SetupConnection(vendor=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sv2.Message()


def test_encode_errors_carry_codes() -> None:
    too_long = sv2.SetupConnection(vendor="x" * 256)
    with pytest.raises(sv2.CodecError) as info:
        too_long.encode()
    assert info.value.code == sv2.ResultCode.ENCODE_TOO_LONG and isinstance(info.value, sv2.Sv2Error)
    # Telemetry exists only in braiins-2021.
    with pytest.raises(sv2.CodecError) as info:
        sv2.OpenTelemetryChannel().encode("spec")
    assert info.value.code == sv2.ResultCode.NOT_IN_DIALECT
    with pytest.raises(sv2.UsageError) as uinfo:
        sv2.SetTarget().encode("no-such-dialect")
    assert uinfo.value.code == sv2.ResultCode.INVALID_ARG
    with pytest.raises(TypeError):
        sv2.encode(b"bytes")  # type: ignore[arg-type]


def test_decode_errors_carry_codes() -> None:
    frame = sv2.SubmitSharesStandard(channel_id=1).encode()
    cases = [
        (frame[:-1], sv2.ResultCode.TRUNCATED),  # truncated payload
        (frame[:3], sv2.ResultCode.TRUNCATED),  # truncated header
        (frame + b"\x00", sv2.ResultCode.TRAILING_BYTES),  # trailing bytes after the frame
        (bytes([0x00, 0x80, 0x1A, 0x19, 0x00, 0x00]) + frame[6:] + b"\x00", 202),  # payload too long
    ]
    for data, code in cases:
        with pytest.raises(sv2.CodecError) as info:
            sv2.decode(data)
        assert info.value.code == code, data.hex()
    # A BOOL byte of 2 in NewMiningJob.future_job: braiins-2021 decodes BOOL strictly, the
    # spec reads bit 0 only (R2); braiins-2021 also requires UTF-8 strings.
    job = bytearray(sv2.NewMiningJob(channel_id=1).encode("braiins-2021"))
    job[6 + 8] = 2
    assert isinstance(sv2.decode(bytes(job)), sv2.NewMiningJob)
    with pytest.raises(sv2.CodecError) as info:
        sv2.decode(bytes(job), "braiins-2021")
    assert info.value.code == sv2.ResultCode.INVALID_BOOL
    with pytest.raises(sv2.CodecError) as info:
        sv2.SetupConnection(vendor=b"\xff").encode("braiins-2021")
    assert info.value.code == sv2.ResultCode.INVALID_VALUE
    bad_utf8 = sv2.SetupConnection(vendor=b"\xff").encode("spec")
    with pytest.raises(sv2.CodecError) as info:
        sv2.decode(bad_utf8, "braiins-2021")
    assert info.value.code == sv2.ResultCode.INVALID_UTF8
    # A SEQ0_255 count larger than the payload.
    ext = bytearray(sv2.NewExtendedMiningJob().encode())
    ext[6 + 14] = 5
    with pytest.raises(sv2.CodecError) as info:
        sv2.decode(bytes(ext))
    assert info.value.code == sv2.ResultCode.TRUNCATED
    with pytest.raises(sv2.CodecError):
        sv2.FrameHeader.parse(b"\x00")


def test_unknown_frames_are_raw() -> None:
    header = sv2.FrameHeader(extension_id=0x4242, channel_msg=True, msg_type=7)
    raw = sv2.RawFrame(header, b"\x05\x00\x00\x00hello")
    assert raw.header.msg_length == 9
    data = raw.to_bytes()
    decoded = sv2.decode(data)
    assert decoded == raw and isinstance(decoded, sv2.RawFrame)
    assert decoded.channel_id == 5
    moved = decoded.with_channel_id(9)
    assert moved is not None and moved.channel_id == 9
    assert sv2.encode(raw) == data
    assert hash(raw) == hash(decoded)


def test_stream_decoder() -> None:
    messages = [
        sv2.SetTarget(channel_id=i, maximum_target=bytes([i]) * 32) for i in range(5)
    ]
    stream = b"".join(m.encode() for m in messages)
    dec = sv2.StreamDecoder()
    got: list[sv2.Message | sv2.RawFrame] = []
    for i in range(0, len(stream), 7):
        dec.push(stream[i : i + 7])
        got.extend(dec)
    assert got == messages and dec.buffered == 0
    dec.push(stream[:10])
    assert dec.next_message() is None and dec.buffered == 10
    assert sv2.decode_all(stream) == messages
    with pytest.raises(sv2.CodecError) as dinfo:
        sv2.decode_all(stream[:-1])
    assert dinfo.value.code == sv2.ResultCode.TRUNCATED
    small = sv2.StreamDecoder(max_payload=16)
    small.push(messages[0].encode())
    with pytest.raises(sv2.CodecError) as info:
        small.next_frame()
    assert info.value.code == sv2.ResultCode.FRAME_TOO_LARGE
    with pytest.raises(sv2.UsageError):
        sv2.StreamDecoder(dialect="nope")


def test_result_codes_table() -> None:
    codes = sv2.result_codes()
    numbers = [c for c, _, _ in codes]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    names = {name: code for code, name, _ in codes}
    assert names["OK"] == 0 and names["TRUNCATED"] == 200
    assert sv2.result_str(200) == "A frame or field ended early."
    assert sv2.result_str(12345) == "unknown result code"
    assert {int(c) for c in sv2.ResultCode} == set(numbers)
    for code, name, _ in codes:
        assert sv2.ResultCode(code).name == name
    assert sv2.CodecError.code == 200 and sv2.Sv2Error("x").code == 0
    assert issubclass(sv2.ProtocolError, sv2.Sv2Error)


def test_result_codes_match_the_c_api() -> None:
    """Every `SV2_ERR_*` constant of the C API has the same number and name here."""
    source = (ROOT / "src" / "ffi" / "result.rs").read_text()
    c_codes = {
        name: int(number)
        for name, number in re.findall(r"pub const SV2_(?:ERR_)?([A-Z0-9_]+): sv2_result = (\d+);", source)
    }
    assert len(c_codes) > 40
    ours = {name: code for code, name, _ in sv2.result_codes()}
    for name, number in c_codes.items():
        assert ours.get(name) == number, name
    # Codes only the bindings use must not collide with C numbers.
    assert set(ours.values()) >= set(c_codes.values())
    assert len(set(ours.values())) == len(ours)


def test_every_message_class_is_exported() -> None:
    classes = [c for c in vars(sv2).values() if isinstance(c, type) and issubclass(c, sv2.Message)]
    assert len(classes) == 51  # 50 messages and the base
    for cls in classes:
        if cls is not sv2.Message:
            assert cls.__name__ in sv2.__all__
            msg = cls()
            assert cls.from_dict(msg.to_dict()) == msg


def test_message_class_takes_both_protocol_spellings() -> None:
    assert sv2.message_class("SetNewPrevHash", "Mining") is sv2.MiningSetNewPrevHash
    assert sv2.message_class("SetNewPrevHash", "mining") is sv2.MiningSetNewPrevHash
    assert sv2.message_class("SetNewPrevHash", "template-distribution") is sv2.TdpSetNewPrevHash
    assert sv2.message_class("SetNewPrevHash", sv2.TdpSetNewPrevHash.PROTOCOL) is sv2.TdpSetNewPrevHash
    with pytest.raises(sv2.UsageError):
        sv2.message_class("NoSuchMessage", "mining")


@pytest.mark.parametrize(
    "cls, field, value, maximum",
    [
        (sv2.SubmitSharesStandard, "channel_id", -1, 4294967295),
        (sv2.SubmitSharesStandard, "nonce", 1 << 32, 4294967295),
        (sv2.SetupConnection, "min_version", 70000, 65535),
        (sv2.SetupConnection, "protocol", 256, 255),
        (sv2.SubmitSharesSuccess, "new_shares_sum", -5, 18446744073709551615),
    ],
)
def test_out_of_range_int_names_message_and_field(cls: type[sv2.Message], field: str, value: int, maximum: int) -> None:
    """Issue 14: `SubmitSharesStandard(channel_id=-1)` raised an OverflowError naming neither
    the message nor the field."""
    with pytest.raises(OverflowError) as info:
        cls(**{field: value})
    assert str(info.value) == f"{cls.__name__}.{field}: {value} is out of range 0..{maximum}"


def test_in_range_ints_and_wrong_types_unchanged() -> None:
    share = sv2.SubmitSharesStandard(channel_id=4294967295, nonce=0)
    assert share.channel_id == 4294967295
    with pytest.raises(TypeError):
        sv2.SubmitSharesStandard(channel_id="1")  # type: ignore[arg-type]
