"""The pool engine from Python: jobs, shares, accounting, policy hooks; and the example
pool (examples/python/pool.py) with Python miners over loopback TCP with Noise."""

from __future__ import annotations

import asyncio
import importlib.util
import pathlib
import sys
import time
from types import ModuleType
from typing import Any

import pytest

import sv2
import sv2.aio

ROOT = pathlib.Path(__file__).resolve().parents[3]


def load_example(name: str) -> ModuleType:
    path = ROOT / "examples" / "python" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def engine_with_block(**kwargs: Any) -> tuple[sv2.PoolEngine, sv2.SyntheticTemplateSource]:
    engine = sv2.PoolEngine(**kwargs)
    source = sv2.SyntheticTemplateSource(seed=7, height=100, nbits=0x1D00FFFF)
    template, prev = source.next_block(1_700_000_000)
    assert isinstance(template, sv2.NewTemplate) and isinstance(prev, sv2.TdpSetNewPrevHash)
    assert engine.new_template(template, now_ms=0) >= 1
    engine.set_prev_hash(prev, now_ms=0)
    return engine, source


def open_channel(engine: sv2.PoolEngine, conn: int, user: str) -> tuple[sv2.MiningClient, sv2.Work]:
    """A MiningClient on `conn` with one standard channel and its work, by direct calls."""
    assert engine.connection_opened(conn, 0) == 0
    client = sv2.MiningClient()
    client.set_connection_flags(0, 0)
    client.open_standard_channel(user, 10.0)  # an easy target: most hashes are shares
    engine.handle_messages(conn, client.drain_outgoing(), now_ms=1)
    for c, message in engine.drain_outgoing():
        assert c == conn
        client.handle_message(message, now_ms=1)
    work = [e.work for e in client.events() if isinstance(e, sv2.NewWork)]
    assert work
    return client, work[-1]


def test_engine_shares_acks_and_accounting() -> None:
    engine, _ = engine_with_block(ack_batch_size=4, vardiff=False)
    client, work = open_channel(engine, 1, "alice.rig1")
    events = engine.events()
    opened = [e for e in events if isinstance(e, sv2.PoolChannelOpened)]
    assert len(opened) == 1 and opened[0].user_identity == "alice.rig1" and opened[0].kind == "standard"
    nonce = 0
    for _ in range(8):
        found = work.scan(nonce, 1 << 20)
        assert found is not None
        nonce = found[0] + 1
        client.submit_standard(work.channel_id, work.job_id, found[0], work.min_ntime, work.version, now_ms=2)
    engine.handle_messages(1, client.drain_outgoing(), now_ms=2)
    acks = engine.drain_outgoing()
    assert [type(m) for _, m in acks] == [sv2.SubmitSharesSuccess, sv2.SubmitSharesSuccess]
    for _, m in acks:
        client.handle_message(m, now_ms=3)
    assert sum(isinstance(e, sv2.ShareAccepted) for e in client.events()) == 8
    accepted = [e for e in engine.events() if isinstance(e, sv2.PoolShareAccepted)]
    assert len(accepted) == 8 and all(e.user_identity == "alice.rig1" for e in accepted)
    stats = engine.channel_stats(1, work.channel_id, now_ms=3)
    assert stats is not None and stats.shares_accepted == 8 and stats.shares_rejected["duplicate-share"] == 0
    # A duplicate is rejected with SubmitShares.Error and counted.
    engine.handle_message(
        1,
        sv2.SubmitSharesStandard(channel_id=work.channel_id, sequence_number=99, job_id=work.job_id, nonce=nonce - 1, ntime=work.min_ntime, version=work.version),
        now_ms=4,
    )
    engine.handle_timeout(now_ms=10_000)
    out = [m for _, m in engine.drain_outgoing()]
    assert any(isinstance(m, sv2.SubmitSharesError) and m.error_code == "duplicate-share" for m in out)
    rejected = [e for e in engine.events() if isinstance(e, sv2.PoolShareRejected)]
    assert rejected[0].reason == "duplicate-share"
    snap = engine.snapshot(now_ms=5)
    assert snap.connections == 1 and len(snap.channels) == 1 and snap.active_job_id is not None
    assert snap.channels[0].shares_rejected["duplicate-share"] == 1
    assert engine.channel_count == 1 and engine.channels_of(1) == [work.channel_id]
    engine.connection_closed(1, now_ms=6)
    closed = [e for e in engine.events() if isinstance(e, sv2.PoolChannelClosed)]
    assert closed[0].cause == "connection-closed" and closed[0].stats.shares_accepted == 8


def test_engine_errors() -> None:
    engine, _ = engine_with_block()
    with pytest.raises(sv2.UsageError) as info:
        engine.handle_message(5, sv2.OpenStandardMiningChannel(request_id=1, user_identity="x"))
    assert info.value.code == sv2.ResultCode.UNKNOWN_CONNECTION
    engine.connection_opened(5, 0)
    with pytest.raises(sv2.UsageError) as info:
        engine.connection_opened(5, 0)
    assert info.value.code == sv2.ResultCode.WRONG_STATE
    with pytest.raises(sv2.UsageError) as info:
        engine.handle_message(5, sv2.SetTarget(channel_id=1))
    assert info.value.code == sv2.ResultCode.UNEXPECTED_MESSAGE
    with pytest.raises(sv2.ProtocolError) as pinfo:
        engine.connection_opened(6, 0b10)  # work selection not allowed
    assert pinfo.value.code == sv2.ResultCode.SETUP_REJECTED and getattr(pinfo.value, "flags") == 0b10
    with pytest.raises(sv2.UsageError) as info:
        sv2.PoolEngine(extranonce_total_len=99)
    assert info.value.code == sv2.ResultCode.INVALID_CONFIG
    with pytest.raises(TypeError):
        engine.new_template(sv2.SetTarget())


class Policy(sv2.PoolPolicy):
    def __init__(self) -> None:
        self.asked: list[tuple[int, str, str]] = []

    def authorize(self, conn: int, user_identity: str, kind: str) -> bool:
        self.asked.append((conn, user_identity, kind))
        return not user_identity.startswith("mallory")

    def initial_target(self, conn: int, user_identity: str, nominal_hash_rate: float) -> bytes | None:
        return sv2.difficulty_to_target(2.0)


def test_policy_hooks() -> None:
    policy = Policy()
    engine, _ = engine_with_block(policy=policy)
    engine.connection_opened(1, 0)
    engine.handle_messages(
        1,
        [
            sv2.OpenStandardMiningChannel(request_id=1, user_identity="alice", nominal_hash_rate=1e6, max_target=b"\xff" * 32),
            sv2.OpenStandardMiningChannel(request_id=2, user_identity="mallory", nominal_hash_rate=1e6, max_target=b"\xff" * 32),
        ],
    )
    out = [m for _, m in engine.drain_outgoing()]
    ok = [m for m in out if isinstance(m, sv2.OpenStandardMiningChannelSuccess)]
    err = [m for m in out if isinstance(m, sv2.OpenStandardMiningChannelError)]
    assert len(ok) == 1 and ok[0].target == sv2.difficulty_to_target(2.0)
    assert len(err) == 1 and err[0].error_code == "unknown-user"
    assert policy.asked == [(1, "alice", "standard"), (1, "mallory", "standard")]


def test_policy_exceptions_refuse_and_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(sv2.PoolPolicy):
        def authorize(self, conn: int, user_identity: str, kind: str) -> bool:
            raise RuntimeError("database down")

    seen: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))
    engine, _ = engine_with_block(policy=Broken())
    engine.connection_opened(1, 0)
    engine.handle_message(1, sv2.OpenStandardMiningChannel(request_id=1, user_identity="bob", max_target=b"\xff" * 32))
    (_, reply), = engine.drain_outgoing()
    assert isinstance(reply, sv2.OpenStandardMiningChannelError) and reply.error_code == "unknown-user"
    assert len(seen) == 1 and isinstance(seen[0], RuntimeError)


def test_synthetic_template_source() -> None:
    source = sv2.SyntheticTemplateSource(seed=1, height=10, transactions=3)
    template, prev = source.next_block(1_700_000_000)
    assert isinstance(template, sv2.NewTemplate) and template.future_template
    assert isinstance(prev, sv2.TdpSetNewPrevHash) and prev.template_id == template.template_id
    assert prev.nBits == sv2.REGTEST_NBITS and len(template.merkle_path) == 2
    assert source.height == 10 and prev.prev_hash == source.prev_hash
    update = source.update()
    assert isinstance(update, sv2.NewTemplate) and not update.future_template
    source.advance(b"\x01" * 32)
    assert source.height == 11 and source.prev_hash == b"\x01" * 32


def test_example_pool_with_python_miners_over_tcp_with_noise() -> None:
    pool_mod = load_example("pool")
    miner_mod = load_example("miner")

    async def main() -> None:
        config, authority = pool_mod.server_config(plaintext=False)
        lines: list[str] = []
        # Every share a block (factor 1), so that these few shares surely find some.
        pool = pool_mod.Pool(config, report_every=0.2, out=lines.append, block_difficulty_factor=1.0)
        port = await pool.start("127.0.0.1", 0)
        url = f"stratum2+tcp://127.0.0.1:{port}/{authority}"

        async def one(user: str, shares: int) -> int:
            async with sv2.aio.connect(url, vendor="pytest-miner") as conn:
                n: int = await miner_mod.mine(conn, user, shares=shares, batch=1 << 12, hashrate=10.0)
                return n

        results = await asyncio.wait_for(asyncio.gather(one("alice.rig1", 20), one("bob.rig1", 10)), 30)
        assert results == [20, 10]
        await asyncio.sleep(0.3)  # one report
        assert pool.users["alice.rig1"].accepted >= 20 and pool.users["bob.rig1"].accepted >= 10
        assert pool.blocks_found >= 1
        report = pool.report()
        assert "alice.rig1" in report and "bob.rig1" in report
        assert any("alice.rig1" in line for line in lines)
        await pool.close()
        assert pool.connection_count == 0
        leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert leftover == []

    asyncio.run(main())


def test_example_pool_main_shuts_down_on_sigint() -> None:
    """`python examples/python/pool.py` prints its URL and exits cleanly on Ctrl-C."""
    import signal
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "python" / "pool.py"), "--port", "0", "--report-every", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("pool listening: stratum2+tcp://127.0.0.1:")
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0
        assert "shutting down" in out and "connections 0" in out
    finally:
        if proc.poll() is None:
            proc.kill()


def test_duck_typed_policy_with_instance_callables() -> None:
    from types import SimpleNamespace

    policy = SimpleNamespace(authorize=lambda conn, user, kind: user == "alice")
    engine, _ = engine_with_block(policy=policy)
    engine.connection_opened(1, 0)
    engine.handle_messages(
        1,
        [
            sv2.OpenStandardMiningChannel(request_id=1, user_identity="alice", max_target=b"\xff" * 32),
            sv2.OpenStandardMiningChannel(request_id=2, user_identity="eve", max_target=b"\xff" * 32),
        ],
    )
    kinds = [type(m).__name__ for _, m in engine.drain_outgoing()]
    assert "OpenStandardMiningChannelSuccess" in kinds and "OpenStandardMiningChannelError" in kinds


def test_miner_against_pool_engine_in_memory() -> None:
    """The composed Miner (session + client) against a server Session and the engine, with
    Noise, all in memory; the batch calls move shares without Python objects."""
    authority = sv2.AuthoritySecretKey.generate(bytes(32))
    static = sv2.StaticSecretKey.generate(bytes(range(32)))
    now = int(time.time())
    cert = sv2.Certificate.sign(authority, static.public_key(), now - 60, now + 3600)
    engine, source = engine_with_block(vardiff=False, ack_batch_size=1)
    server = sv2.Session.server(sv2.ServerConfig(static_key=static, certificate=cert), now_ms=0)
    miner = sv2.Miner(
        sv2.ClientConfig(authority_key=authority.public_key()),
        [sv2.ChannelRequest("alice.asic", 10.0)],
        now_ms=0,
    )
    sessions = {1: server}
    events: list[object] = []

    def pump(now: int) -> None:
        for _ in range(10):
            up = miner.data_to_send()
            if up:
                server.receive_data(up, now)
            engine.receive(1, server, now_ms=now)
            engine.send_outgoing(sessions)
            down = server.data_to_send()
            if down:
                miner.receive_data(down, now)
            events.extend(miner.events())
            if not up and not down:
                return

    pump(1)
    assert any(isinstance(e, sv2.HandshakeComplete) for e in events)
    assert any(isinstance(e, sv2.MinerSetupComplete) for e in events)
    work = [e.work for e in events if isinstance(e, sv2.NewWork)][-1]
    assert miner.is_ready and miner.current_work(work.channel_id) is not None
    nonce = 0
    for _ in range(3):
        found = work.scan(nonce, 1 << 20)
        assert found is not None
        nonce = found[0] + 1
        miner.submit_standard(work.channel_id, work.job_id, found[0], work.min_ntime, work.version, now_ms=2)
    pump(3)
    assert sum(isinstance(e, sv2.ShareAccepted) for e in events) == 3
    with pytest.raises(sv2.UsageError) as info:
        miner.submit_standard(work.channel_id, work.job_id, nonce - 1, work.min_ntime, work.version, now_ms=4)
    assert info.value.code == sv2.ResultCode.DUPLICATE_SHARE
    stats = engine.channel_stats(1, work.channel_id, now_ms=5)
    assert stats is not None and stats.shares_accepted == 3 and stats.user_identity == "alice.asic"
    # The pool goes away: the miner reports Closed and can reconnect on a new "socket".
    miner.peer_closed()
    closed = [e for e in miner.events() if isinstance(e, sv2.Closed)]
    assert closed and closed[0].reason == "peer-closed"
    miner.reconnect(now_ms=6)
    assert miner.data_to_send()  # a new handshake starts


def test_client_max_target_policy_and_work_selection() -> None:
    """Issue 13 items 5, 6 (R58): SRI 2023's mining device asks max_target = 0x0237 << 192
    (difficulty 7.6 M) for a CPU miner; honoured by default, ignored or capped on request.
    SRI's mining proxy sets REQUIRES_WORK_SELECTION (flags 6): refused unless allowed."""
    sri_max = (0x0237 << 192).to_bytes(32, "little")
    cap = ((1 << 240) - 1).to_bytes(32, "little")

    def first_target(**kwargs: Any) -> bytes:
        engine = sv2.PoolEngine(vardiff=False, **kwargs)
        engine.connection_opened(1, 0)
        engine.handle_message(
            1,
            sv2.OpenStandardMiningChannel(request_id=1, user_identity="cpu", nominal_hash_rate=0.0, max_target=sri_max),
        )
        (_, success), *_ = engine.drain_outgoing()
        assert isinstance(success, sv2.OpenStandardMiningChannelSuccess)
        return bytes(success.target)

    assert first_target() == sri_max
    assert first_target(client_max_target="ignore") == b"\xff" * 32
    assert first_target(client_max_target="cap", client_max_target_cap=cap) == cap
    for bad in [{"client_max_target": "cap"}, {"client_max_target": "sometimes"},
                {"client_max_target": "ignore", "client_max_target_cap": cap}]:
        with pytest.raises(sv2.Sv2Error):
            sv2.PoolEngine(**bad)  # type: ignore[arg-type]

    with pytest.raises(sv2.Sv2Error):
        sv2.PoolEngine().connection_opened(1, 6)
    assert sv2.PoolEngine(allow_work_selection=True).connection_opened(1, 6) == 0
def _first_work_ratio(**options: Any) -> float:
    """Network difficulty / share difficulty of the first job a client gets from a
    `PoolServer` fed by `next_synthetic_block` before any channel was open."""
    pool = sv2.PoolServer(sv2.ServerConfig(plaintext=True), **options)
    source = sv2.SyntheticTemplateSource(seed=3, height=100)
    pool.next_synthetic_block(source, 1_700_000_000, now_ms=0)
    conn = pool.accept(now_ms=0)
    client = sv2.Session.client(sv2.ClientConfig(plaintext=True), now_ms=0)
    messages: list[sv2.Message] = []
    for _ in range(50):
        up = client.data_to_send()
        if up:
            pool.receive_data(conn, up, now_ms=0)
        events = pool.events()
        assert not [e for e in events if isinstance(e, sv2.PoolEngineError)], events
        down = pool.data_to_send(conn)
        if down:
            client.receive_data(down, now_ms=0)
        for event in client.events():
            if isinstance(event, sv2.SetupComplete):
                client.send(sv2.OpenStandardMiningChannel(request_id=1, user_identity="u", nominal_hash_rate=1e6, max_target=b"\xff" * 32))
            elif isinstance(event, sv2.Message):
                messages.append(event)
        if not up and not down and any(isinstance(m, sv2.MiningSetNewPrevHash) for m in messages):
            break
    opened = next(m for m in messages if isinstance(m, sv2.OpenStandardMiningChannelSuccess))
    prev = next(m for m in messages if isinstance(m, sv2.MiningSetNewPrevHash))
    return sv2.target_to_difficulty(sv2.nbits_to_target(prev.nbits)) / sv2.target_to_difficulty(opened.target)


def test_pool_server_synthetic_blocks_follow_block_difficulty_factor() -> None:
    """Issue 14: blocks about 1000 times rarer than shares by default (was regtest, where
    nearly every share was a block); the factor is a PoolServer option."""
    assert sv2.DEFAULT_BLOCK_DIFFICULTY_FACTOR == 1000.0
    assert 990 < _first_work_ratio() < 1010
    assert 9.9 < _first_work_ratio(block_difficulty_factor=10.0) < 10.1
    with pytest.raises(sv2.UsageError) as info:
        sv2.PoolServer(sv2.ServerConfig(plaintext=True), block_difficulty_factor=0.5)
    assert info.value.code == sv2.ResultCode.INVALID_CONFIG
