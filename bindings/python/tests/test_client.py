"""The mining client driven by hand-written server messages, Work helpers, target helpers."""

from __future__ import annotations

import hashlib

import pytest

import sv2

MAX = b"\xff" * 32
NBITS = 0x207FFFFF  # regtest: about every other hash is a block


def double_sha(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def opened_client() -> tuple[sv2.MiningClient, sv2.Work]:
    client = sv2.MiningClient()
    client.set_connection_flags(0, 0)
    rid = client.open_standard_channel("alice.worker", 1e12)
    out = client.drain_outgoing()
    assert len(out) == 1 and isinstance(out[0], sv2.OpenStandardMiningChannel)
    assert out[0].user_identity == "alice.worker" and out[0].request_id == rid
    client.handle_message(
        sv2.OpenStandardMiningChannelSuccess(request_id=rid, channel_id=7, target=MAX, group_channel_id=1), 0
    )
    client.handle_message(
        sv2.NewMiningJob(channel_id=7, job_id=1, future_job=True, version=0x20000000, merkle_root=bytes(range(32))), 0
    )
    client.handle_message(
        sv2.MiningSetNewPrevHash(channel_id=7, job_id=1, prev_hash=b"\x11" * 32, min_ntime=1_700_000_000, nbits=NBITS),
        10,
    )
    events = client.events()
    assert isinstance(events[0], sv2.ChannelOpened) and events[0].channel_id == 7
    assert events[0].group_channel_id == 1
    work_events = [e for e in events if isinstance(e, sv2.NewWork)]
    assert len(work_events) == 1
    return client, work_events[0].work


def test_work_helpers_match_hashlib() -> None:
    _, work = opened_client()
    assert work.channel_id == 7 and work.job_id == 1 and work.clean
    assert work.version == 0x20000000 and work.nbits == NBITS and work.min_ntime == 1_700_000_000
    assert work.prev_hash == b"\x11" * 32 and not work.is_extended
    header = work.header_for(5)
    assert len(header) == 80 and header[76:80] == (5).to_bytes(4, "little")
    assert header[:4] == (0x20000000).to_bytes(4, "little") and header[36:68] == bytes(range(32))
    assert work.hash_for(5) == double_sha(header) == sv2.double_sha256(header)
    assert work.header_for(5, 1_700_000_001, 0x20000004)[68:72] == (1_700_000_001).to_bytes(4, "little")
    assert len(work.midstate()) == 32
    pairs = work.rolled_midstates(4)
    assert pairs[0] == (0x20000000, work.midstate()) and len(pairs) == 4
    assert work.version_ok(0x20000000 | (1 << 13)) and not work.version_ok(0x60000000)
    assert work.max_ntime(10) == 1_700_000_000 and work.max_ntime(5010) == 1_700_000_005
    with pytest.raises(sv2.UsageError) as info:
        work.coinbase(b"")
    assert info.value.code == sv2.ResultCode.WRONG_STATE
    assert "Work(channel_id=7" in repr(work)


def test_mine_submit_and_ack() -> None:
    client, work = opened_client()
    found = work.scan(0, 1000)
    assert found is not None
    nonce, hash_ = found
    assert work.meets_target(hash_) and hash_ == work.hash_for(nonce)
    receipt = client.submit_standard(7, work.job_id, nonce, work.min_ntime, work.version, now_ms=20)
    assert receipt.sequence_number == 0 and receipt.hash == hash_ and isinstance(receipt.is_block, bool)
    (share,) = client.drain_outgoing()
    assert share == sv2.SubmitSharesStandard(
        channel_id=7, sequence_number=0, job_id=1, nonce=nonce, ntime=work.min_ntime, version=work.version
    )
    assert client.pending_shares(7) == 1
    # The same share again is refused locally, and nothing is queued.
    with pytest.raises(sv2.UsageError) as info:
        client.submit_standard(7, work.job_id, nonce, work.min_ntime, work.version, now_ms=21)
    assert info.value.code == sv2.ResultCode.DUPLICATE_SHARE
    with pytest.raises(sv2.UsageError) as info:
        client.submit_standard(8, work.job_id, nonce, work.min_ntime, work.version, now_ms=21)
    assert info.value.code == sv2.ResultCode.UNKNOWN_CHANNEL
    with pytest.raises(sv2.UsageError) as info:  # nTime beyond min_ntime + elapsed seconds
        client.submit_standard(7, work.job_id, nonce, work.min_ntime + 100, work.version, now_ms=21)
    assert info.value.code == sv2.ResultCode.NTIME_OUT_OF_RANGE
    assert client.next_outgoing() is None
    client.handle_message(
        sv2.SubmitSharesSuccess(channel_id=7, last_sequence_number=0, new_submits_accepted_count=1, new_shares_sum=1),
        50,
    )
    accepted, acked = client.events()
    assert accepted == sv2.ShareAccepted(channel_id=7, sequence_number=0, job_id=1, latency_ms=30)
    assert isinstance(acked, sv2.SharesAcknowledged) and acked.resolved == 1
    info_ = client.channel(7)
    assert info_ is not None and info_.next_sequence_number == 1 and info_.pending_shares == 0
    assert [c.channel_id for c in client.channels()] == [7]
    current = client.current_work(7)
    assert current is not None and current.header == work.header and not current.clean


def test_rejections_and_protocol_errors() -> None:
    client, work = opened_client()
    nonce, _ = work.scan(0, 1000) or (0, b"")
    client.submit_standard(7, 1, nonce, work.min_ntime, work.version, now_ms=20)
    client.drain_outgoing()
    client.handle_message(
        sv2.SubmitSharesError(channel_id=7, sequence_number=0, error_code="stale-share"), 30
    )
    (rejected,) = client.events()
    assert isinstance(rejected, sv2.ShareRejected) and rejected.error_code == "stale-share"
    client.handle_message(sv2.SetTarget(channel_id=99, maximum_target=MAX), 40)
    (err,) = client.events()
    assert isinstance(err, sv2.ClientProtocolError) and err.channel_id == 99
    with pytest.raises(sv2.UsageError) as info:
        client.handle_message(sv2.SetupConnectionSuccess(), 0)
    assert info.value.code == sv2.ResultCode.UNEXPECTED_MESSAGE
    with pytest.raises(TypeError):
        client.handle_message(b"not a message")  # type: ignore[arg-type]
    client.close_channel(7, "bye")
    assert isinstance(client.next_outgoing(), sv2.CloseChannel)
    closed = client.events()[-1]
    assert isinstance(closed, sv2.ChannelClosed) and closed.reason == "local"
    with pytest.raises(sv2.UsageError) as info:
        client.close_channel(7)
    assert info.value.code == sv2.ResultCode.UNKNOWN_CHANNEL
    with pytest.raises(sv2.UsageError) as info:
        client.open_standard_channel("x", float("nan"))
    assert info.value.code == sv2.ResultCode.INVALID_ARG


def test_extended_channel_work() -> None:
    client = sv2.MiningClient()
    client.set_connection_flags(0, 0)
    rid = client.open_extended_channel("bob", 1e12, min_extranonce_size=4)
    client.drain_outgoing()
    client.handle_message(
        sv2.OpenExtendedMiningChannelSuccess(
            request_id=rid, channel_id=3, target=MAX, extranonce_size=4, extranonce_prefix=b"\x01\x02"
        ),
        0,
    )
    prefix = bytes.fromhex("01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff")
    client.handle_message(
        sv2.NewExtendedMiningJob(
            channel_id=3, job_id=9, future_job=True, version=0x20000000, version_rolling_allowed=True,
            coinbase_tx_prefix=prefix + b"\x08", coinbase_tx_suffix=b"\xff\xff\xff\xff\x00\x00\x00\x00\x00",
        ),
        0,
    )
    client.handle_message(sv2.MiningSetNewPrevHash(channel_id=3, job_id=9, min_ntime=5, nbits=NBITS), 0)
    work = next(e.work for e in client.events() if isinstance(e, sv2.NewWork))
    assert work.is_extended and work.extranonce_size == 4 and work.extranonce_prefix == b"\x01\x02"
    coinbase = work.coinbase(b"\xaa" * 4)
    assert b"\x01\x02\xaa\xaa\xaa\xaa" in coinbase
    assert work.merkle_root_for(b"\xaa" * 4) == double_sha(coinbase)  # empty merkle path
    rolled = work.with_extranonce(b"\xaa" * 4)
    assert rolled.header[36:68] == double_sha(coinbase)
    with pytest.raises(sv2.UsageError):
        work.coinbase(b"\xaa")
    nonce, _ = rolled.scan(0, 1000) or (0, b"")
    r = client.submit_extended(3, 9, b"\xaa" * 4, nonce, 5, work.version, now_ms=1)
    (share,) = client.drain_outgoing()
    assert isinstance(share, sv2.SubmitSharesExtended) and share.extranonce == b"\xaa" * 4
    assert r.sequence_number == 0


def test_target_helpers() -> None:
    diff1 = sv2.difficulty_to_target(1.0)
    assert sv2.target_to_difficulty(diff1) == pytest.approx(1.0)
    assert int.from_bytes(diff1, "little") == 0xFFFF << 208
    assert sv2.target_to_nbits(sv2.nbits_to_target(0x1D00FFFF)) == 0x1D00FFFF
    assert sv2.nbits_to_target(0x1D00FFFF) == diff1
    t = sv2.target_for_share_rate(1e12, 1.0)
    assert sv2.expected_share_rate(1e12, t) == pytest.approx(1.0, rel=1e-6)
    assert sv2.hashrate_from_share_rate(1.0, t) == pytest.approx(1e12, rel=1e-6)
    assert sv2.hash_meets_target(bytes(32), diff1) and not sv2.hash_meets_target(MAX, diff1)
    assert sv2.difficulty_of_hash(diff1) == pytest.approx(1.0)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(sv2.UsageError) as info:
            sv2.difficulty_to_target(bad)
        assert info.value.code == sv2.ResultCode.INVALID_ARG
    with pytest.raises(sv2.UsageError):
        sv2.nbits_to_target(0x1D800001)  # negative
    with pytest.raises(ValueError):
        sv2.target_to_difficulty(b"\x00")
    assert sv2.BIP320_VERSION_MASK == 0x1FFFE000


def test_channel_request_repr_is_python() -> None:
    plain = sv2.ChannelRequest("alice.rig1", 1e6)
    assert repr(plain) == 'ChannelRequest("alice.rig1", 1000000.0)'
    ext = sv2.ChannelRequest("bob", 2.5, bytes(31) + b"\x01", extended=True, min_extranonce_size=4)
    assert eval(repr(ext), {"ChannelRequest": sv2.ChannelRequest}) == ext


def test_sri_2023_first_job_to_channel_zero() -> None:
    """Issue 13 item 4 (dialects.json job_to_channel_zero_means_newest_channel): SRI 2023
    sends the first NewExtendedMiningJob of a new extended channel to channel 0."""
    for dialect, expect_work in [("sri-2023", True), ("spec", False)]:
        client = sv2.MiningClient(dialect=dialect)
        client.set_connection_flags(0, 0)
        request_id = client.open_extended_channel("proxy", 1e12, None, 4)
        client.drain_outgoing()
        client.handle_message(
            sv2.OpenExtendedMiningChannelSuccess(
                request_id=request_id, channel_id=1, target=b"\xff" * 32, extranonce_size=8, extranonce_prefix=b"\xaa" * 4
            ),
            now_ms=0,
        )
        captured = bytes.fromhex("00801f6c0000" + "00000000" + "01000000" + "00")  # header, channel 0, job 1, future
        job = sv2.NewExtendedMiningJob(
            channel_id=0, job_id=1, future_job=True, version=0x20000000, version_rolling_allowed=True,
            merkle_path=[], coinbase_tx_prefix=b"\x02" * 45, coinbase_tx_suffix=b"\x03" * 44,
        )
        assert job.encode("sri-2023")[:15] == captured
        client.handle_message(sv2.decode_frame(job.encode("sri-2023"), "sri-2023")[0], now_ms=1)  # type: ignore[arg-type]
        client.handle_message(
            sv2.MiningSetNewPrevHash(channel_id=1, job_id=1, prev_hash=b"\x11" * 32, min_ntime=1_700_000_000, nbits=0x207FFFFF),
            now_ms=2,
        )
        events = client.events()
        assert any(isinstance(e, sv2.NewWork) for e in events) == expect_work, dialect


def test_open_channel_timeout_names_the_unanswered_request() -> None:
    """Issue 13 item 8: braiins' 2021 proxy never answers OpenExtendedMiningChannel."""
    client = sv2.MiningClient(open_channel_timeout_ms=2000)
    client.set_connection_flags(0, 0)
    request_id = client.open_extended_channel("bob.proxy", 1e12, None, 4)
    client.drain_outgoing()
    assert client.poll_timeout() == 0
    client.handle_timeout(now_ms=100)
    assert client.poll_timeout() == 2100
    client.handle_timeout(now_ms=2099)
    assert client.events() == []
    client.handle_timeout(now_ms=2100)
    (failed,) = client.events()
    assert isinstance(failed, sv2.ChannelOpenFailed)
    assert (failed.request_id, failed.reason) == (request_id, "timed-out")
    assert failed.detail == f"no answer to OpenExtendedMiningChannel request {request_id} (user 'bob.proxy') within 2000 ms"
    assert client.poll_timeout() is None
    # 0 waits forever.
    quiet = sv2.MiningClient(open_channel_timeout_ms=0)
    quiet.open_standard_channel("alice", 1.0)
    quiet.handle_timeout(now_ms=10**12)
    assert quiet.events() == [] and quiet.pending_opens == 1
def test_mining_client_ignores_raw_frames_r50() -> None:
    """R50: a message of an unknown extension is ignored, so `async for message in conn:
    client.handle_message(message)` needs no isinstance check (the README's miner)."""
    client = sv2.MiningClient()
    header = sv2.FrameHeader(extension_id=0x4242, channel_msg=True, msg_type=7)
    client.handle_message(sv2.RawFrame(header, b"\x05\x00\x00\x00hello"))
    assert client.events() == [] and client.drain_outgoing() == []


def test_work_scan_releases_the_gil() -> None:
    """`Work.scan` hashes without the GIL, so `asyncio.to_thread(work.scan, ...)` keeps the
    event loop running: ticks happen while a long scan runs in a thread."""
    import asyncio

    client = sv2.MiningClient()
    client.set_connection_flags(0, 0)
    client.open_standard_channel("alice", 1.0)
    (open_msg,) = client.drain_outgoing()
    assert isinstance(open_msg, sv2.OpenStandardMiningChannel)
    client.handle_message(
        sv2.OpenStandardMiningChannelSuccess(
            request_id=open_msg.request_id, channel_id=1, target=bytes(32), group_channel_id=9
        )
    )
    client.handle_message(sv2.NewMiningJob(channel_id=1, job_id=1, future_job=True, version=0x20000000, merkle_root=b"\x42" * 32))
    client.handle_message(sv2.MiningSetNewPrevHash(channel_id=1, job_id=1, prev_hash=b"\x07" * 32, min_ntime=1, nbits=0x1D00FFFF))
    work = next(e.work for e in client.events() if isinstance(e, sv2.NewWork))

    async def main() -> tuple[int, object]:
        ticks = 0
        scan = asyncio.ensure_future(asyncio.to_thread(work.scan, 0, 300_000))  # target 0: never found
        while not scan.done():
            ticks += 1
            await asyncio.sleep(0.001)
        return ticks, scan.result()

    ticks, found = asyncio.run(main())
    assert found is None
    assert ticks >= 5, ticks
