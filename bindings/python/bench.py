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
    # The lambda wrapper is common to every line; subtract it for the "call alone" figure.
    empty = per_call_ns(lambda: None)
    print("== decode one SubmitSharesStandard frame (ns per call, lambda overhead %.1f ns included)" % empty)
    for name, ns in results.items():
        print(f"  {name:34s} {ns:8.1f} ns")
    noop_ns = results["python no-op call"]
    ratio = results["sv2.decode(frame)"] / noop_ns
    net = (results["sv2.decode(frame)"] - empty) / max(noop_ns - empty, 1e-9)
    native = results["sv2.decode(frame)"] / results["sv2.result_str(0) (binding no-op)"]
    print(f"  decode / python no-op call       {ratio:8.2f} x   (target <= 3x)")
    print(f"  same, lambda overhead removed    {net:8.2f} x")
    print(f"  decode / binding no-op call      {native:8.2f} x")
    return {"ratio": ratio, **results}


def bench_pool() -> float | None:
    if not hasattr(sv2, "PoolEngine"):
        print("== pool engine: not in this build (merge pending)")
        return None
    from bench_pool import run  # type: ignore[import-not-found]

    result = run()
    assert isinstance(result, float)
    return result


def main() -> int:
    print(f"sv2 {sv2.__version__}, Python {sys.version.split()[0]}")
    bench_decode()
    bench_pool()
    return 0


if __name__ == "__main__":
    sys.exit(main())
