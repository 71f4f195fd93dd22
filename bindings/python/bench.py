"""Benchmarks of the Python bindings (build with `make bench-python`, a release build).

1. Decoding one SubmitSharesStandard frame (`sv2.decode`) against a Python function call that
   does nothing, and against `len()` (a native call that does nothing useful). Target: decode
   within 3x of the no-op Python call.
2. Shares per second through the pool engine driven from Python with batching (when the pool
   engine is available in this build). Target: >= 200 000 shares/s per core.
"""

from __future__ import annotations

import sys
import timeit
from typing import Any, Callable

import sv2


def per_call_ns(fn: Callable[[], Any], number: int = 1_000_000, repeat: int = 7) -> float:
    """Best of `repeat` runs, nanoseconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e9


def _iterate(data: bytes) -> int:
    decoder = sv2.StreamDecoder()
    decoder.push(data)
    n = 0
    for _ in decoder:
        n += 1
    return n


def bench_decode() -> dict[str, float]:
    share = sv2.SubmitSharesStandard(
        channel_id=1, sequence_number=2, job_id=3, nonce=0x11223344, ntime=0x5F5E1000, version=0x20000000
    )
    frame = share.encode()
    assert sv2.decode(frame) == share

    def noop(data: bytes) -> None:
        return None

    decode = sv2.decode
    result_str = sv2.result_str
    results = {
        "python no-op call": per_call_ns(lambda: noop(frame)),
        "len(frame) (builtin)": per_call_ns(lambda: len(frame)),
        "sv2.result_str(0) (binding no-op)": per_call_ns(lambda: result_str(0)),
        "sv2.decode(frame)": per_call_ns(lambda: decode(frame)),
        "decode + read .nonce": per_call_ns(lambda: decode(frame).nonce),  # type: ignore[union-attr]
        "share.encode()": per_call_ns(share.encode),
    }
    batch = frame * 1000
    decode_all = sv2.decode_all
    results["decode_all(1000 frames) per frame"] = per_call_ns(lambda: decode_all(batch), number=2000) / 1000
    results["StreamDecoder iteration per frame"] = per_call_ns(lambda: _iterate(batch), number=2000) / 1000
    # The lambda wrapper is common to every line; subtract it for the "call alone" figure.
    empty = per_call_ns(lambda: None)
    print("== decode one SubmitSharesStandard frame (ns per call, lambda overhead %.1f ns included)" % empty)
    for name, ns in results.items():
        print(f"  {name:38s} {ns:8.1f} ns")
    noop_ns = results["python no-op call"]
    ratio = results["sv2.decode(frame)"] / noop_ns
    net = (results["sv2.decode(frame)"] - empty) / max(noop_ns - empty, 1e-9)
    native = results["sv2.decode(frame)"] / results["sv2.result_str(0) (binding no-op)"]
    batched = results["decode_all(1000 frames) per frame"] / noop_ns
    print(f"  decode / python no-op call       {ratio:8.2f} x   (target <= 3x)")
    print(f"  same, lambda overhead removed    {net:8.2f} x")
    print(f"  decode / binding no-op call      {native:8.2f} x")
    print(f"  batched decode / no-op call      {batched:8.2f} x")
    return {"ratio": ratio, **results}


def _pool_setup(n: int, share_events: bool) -> tuple[sv2.PoolEngine, list[sv2.Message]]:
    """An engine with one standard channel (easiest target, no vardiff) and `n` valid shares."""
    engine = sv2.PoolEngine(vardiff=False, share_events=share_events, duplicate_window=1 << 16, ack_batch_size=32)
    source = sv2.SyntheticTemplateSource(seed=1, height=100, nbits=0x1D00FFFF)  # no share is a block
    template, prev = source.next_block(1_700_000_000)
    engine.new_template(template, now_ms=0)
    engine.set_prev_hash(prev, now_ms=0)
    engine.connection_opened(1, 0)
    client = sv2.MiningClient()
    client.set_connection_flags(0, 0)
    client.open_standard_channel("bench", 0.0)
    engine.handle_messages(1, client.drain_outgoing(), now_ms=0)
    for _, m in engine.drain_outgoing():
        client.handle_message(m, now_ms=0)
    work = next(e.work for e in client.events() if isinstance(e, sv2.NewWork))
    shares: list[sv2.Message] = [
        sv2.SubmitSharesStandard(
            channel_id=work.channel_id, sequence_number=i, job_id=work.job_id, nonce=i, ntime=work.min_ntime, version=work.version
        )
        for i in range(n)
    ]
    return engine, shares


def bench_pool(n: int = 200_000, batch: int = 1024) -> float | None:
    if not hasattr(sv2, "PoolEngine"):
        print("== pool engine: not in this build")
        return None
    import time

    print(f"== shares through the pool engine ({n} valid shares, one core, acks batched by 32)")
    best = 0.0
    # 1. Message objects in batches: engine.handle_messages + drain_outgoing.
    for share_events in (False, True):
        engine, shares = _pool_setup(n, share_events)
        t0 = time.perf_counter()
        acks = 0
        for i in range(0, n, batch):
            engine.handle_messages(1, shares[i : i + batch], now_ms=1)
            acks += len(engine.drain_outgoing())
            if share_events:
                engine.events()
        dt = time.perf_counter() - t0
        stats = engine.snapshot(now_ms=2).channels[0]
        assert stats.shares_accepted == n, stats
        rate = n / dt
        best = max(best, rate)
        label = "handle_messages(batch of %d)%s" % (batch, " + share events" if share_events else "")
        print(f"  {label:52s} {rate:12,.0f} shares/s  ({acks} acks)")
    # 2. The wire path: frames -> server Session -> engine.receive -> send_outgoing -> bytes.
    engine, shares = _pool_setup(n, False)
    server = sv2.Session.server(sv2.ServerConfig(plaintext=True), now_ms=0)
    client = sv2.Session.client(sv2.ClientConfig(plaintext=True), now_ms=0)
    server.receive_data(client.data_to_send(), 0)
    client.receive_data(server.data_to_send(), 0)
    server.events(), client.events()
    engine.connection_closed(1)
    engine.connection_opened(1, 0)
    # A channel opened through the sessions, so that the shares arrive as frames.
    client.send(sv2.OpenStandardMiningChannel(request_id=1, user_identity="bench", nominal_hash_rate=0.0, max_target=b"\xff" * 32))
    server.receive_data(client.data_to_send(), 0)
    sessions = {1: server}
    engine.receive(1, server, now_ms=0)
    engine.send_outgoing(sessions)
    client.receive_data(server.data_to_send(), 0)
    channel_id = job_id = ntime = version = 0
    for ev in client.events():
        if isinstance(ev, sv2.OpenStandardMiningChannelSuccess):
            channel_id = ev.channel_id
        elif isinstance(ev, sv2.NewMiningJob):
            job_id, version = ev.job_id, ev.version
        elif isinstance(ev, sv2.MiningSetNewPrevHash):
            ntime = ev.min_ntime
    stream = b"".join(
        sv2.SubmitSharesStandard(channel_id=channel_id, sequence_number=i, job_id=job_id, nonce=i, ntime=ntime, version=version).encode()
        for i in range(n)
    )
    chunk = 32 * 1024
    t0 = time.perf_counter()
    out = 0
    for i in range(0, len(stream), chunk):
        server.receive_data(stream[i : i + chunk], 1)
        engine.receive(1, server, now_ms=1)
        engine.send_outgoing(sessions)
        out += len(server.data_to_send())
    dt = time.perf_counter() - t0
    wire_stats = engine.channel_stats(1, channel_id, now_ms=2)
    assert wire_stats is not None and wire_stats.shares_accepted == n, wire_stats
    rate = n / dt
    best = max(best, rate)
    label = "bytes -> Session -> engine.receive -> send_outgoing"
    print(f"  {label:52s} {rate:12,.0f} shares/s  ({out} bytes of acks)")
    print("  target: >= 200,000 shares/s per core")
    return best


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="", help="how the module was built (printed with the figures)")
    parser.add_argument("--decode-only", action="store_true", help="skip the pool engine figures")
    args = parser.parse_args()
    build = f", build: {args.build}" if args.build else ""
    print(f"sv2 {sv2.__version__}, Python {sys.version.split()[0]}{build}")
    bench_decode()
    if not args.decode_only:
        bench_pool()
    return 0


if __name__ == "__main__":
    sys.exit(main())
