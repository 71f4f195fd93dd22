"""A small but real Stratum V2 pool: `sv2.aio.serve_pool` (the libsv2 `PoolServer` behind
asyncio) fed by the synthetic template source (made-up chain), with per-user share
accounting printed periodically and a clean shutdown on Ctrl-C.

    python examples/python/pool.py --port 3336            # Noise; prints the pool URL
    python examples/python/pool.py --port 3336 --plaintext

Point a Stratum V2 miner at the printed URL (for example examples/python/miner.py). Every
user_identity gets a line: accepted, stale and other rejected shares, credited difficulty,
estimated hash rate and blocks. The made-up network is `--block-difficulty-factor` (default
1000) times harder than the share target, so about one share in 1000 is a block, as on a
real pool; when one is, the chain moves on and every miner gets the next job.

How it works: `serve_pool` owns the sockets, the sessions (Noise, SetupConnection), the
engine's timers and the template source; this file only accounts the events it reports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import sv2
import sv2.aio


@dataclass
class UserStats:
    """Share accounting of one user_identity."""

    accepted: int = 0
    stale: int = 0
    rejected: int = 0
    difficulty: float = 0.0
    blocks: int = 0
    reject_reasons: dict[str, int] = field(default_factory=dict)


class Pool:
    """The pool: a `serve_pool` listener and the accounting of its events. Keyword options
    are `sv2.PoolServer`'s (e.g. `block_difficulty_factor`, `ack_batch_size`)."""

    def __init__(
        self,
        config: sv2.ServerConfig,
        *,
        templates: Optional[sv2.SyntheticTemplateSource] = None,
        report_every: float = 10.0,
        out: Callable[[str], None] = print,
        **pool_options: Any,
    ) -> None:
        self.config = config
        self.templates = templates or sv2.SyntheticTemplateSource(seed=int(time.time()), height=1)
        self.pool_options = {"ack_batch_size": 32, "ack_flush_ms": 200, **pool_options}
        self.report_every = report_every
        self.out = out
        self.users: dict[str, UserStats] = {}
        self.listener: Optional[sv2.aio.PoolListener] = None
        self._channel_user: dict[tuple[int, int], str] = {}
        self._reporter_task: Optional[asyncio.Task[None]] = None
        self.blocks_found = 0

    # Lifecycle ----------------------------------------------------------------------------

    async def start(self, host: Optional[str], port: int) -> int:
        """Starts the first job and listens; returns the bound port."""
        self.listener = await sv2.aio.serve_pool(
            host, port, config=self.config, templates=self.templates, on_event=self._account, **self.pool_options
        )
        if self.report_every > 0:
            self._reporter_task = asyncio.create_task(self._reporter())
        return self.listener.port

    async def close(self) -> None:
        """Stops listening, closes every connection and the reporter."""
        if self.listener is not None:
            self.listener.close()
            await self.listener.wait_closed()
        if self._reporter_task is not None:
            self._reporter_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reporter_task
            self._reporter_task = None

    @property
    def connection_count(self) -> int:
        return 0 if self.listener is None else self.listener.pool.connection_count

    # Accounting ---------------------------------------------------------------------------

    def _user(self, name: str) -> UserStats:
        return self.users.setdefault(name, UserStats())

    def _account(self, event: sv2.PoolServerEvent) -> None:
        if isinstance(event, sv2.PoolChannelOpened):
            self._channel_user[(event.conn, event.channel_id)] = event.user_identity
            self._user(event.user_identity)
        elif isinstance(event, sv2.PoolShareAccepted):
            stats = self._user(event.user_identity)
            stats.accepted += 1
            stats.difficulty += event.credited_difficulty
        elif isinstance(event, sv2.PoolShareRejected):
            stats = self._user(self._channel_user.get((event.conn, event.channel_id), "?"))
            if event.reason == "stale-share":
                stats.stale += 1
            else:
                stats.rejected += 1
            stats.reject_reasons[event.reason] = stats.reject_reasons.get(event.reason, 0) + 1
        elif isinstance(event, sv2.BlockFound):
            self._user(event.user_identity).blocks += 1
            self.blocks_found += 1
            self.out(f"block {self.templates.height} found by {event.user_identity}: {event.block_hash[::-1].hex()}")
        elif isinstance(event, sv2.PoolChannelClosed):
            self._channel_user.pop((event.conn, event.channel_id), None)
        elif isinstance(event, sv2.PoolEngineError):
            self.out(f"connection {event.conn}: {event.detail}")

    def report(self) -> str:
        """The accounting table."""
        assert self.listener is not None
        snapshot = self.listener.pool.snapshot()
        rates: dict[str, float] = {}
        for ch in snapshot.channels:
            rates[ch.user_identity] = rates.get(ch.user_identity, 0.0) + ch.hashrate
        accepted = sum(s.accepted for s in self.users.values())
        stale = sum(s.stale for s in self.users.values())
        stale_rate = 100.0 * stale / (accepted + stale) if accepted + stale else 0.0
        lines = [
            f"-- {time.strftime('%H:%M:%S')}  connections {snapshot.connections}  channels {len(snapshot.channels)}"
            f"  hashrate {snapshot.total_hashrate:.3g} H/s  blocks {snapshot.blocks_found}  stale {stale_rate:.1f} %",
            f"   {'user':24s} {'accepted':>9s} {'stale':>6s} {'rejected':>9s} {'difficulty':>12s} {'H/s':>10s} {'blocks':>6s}",
        ]
        for user, s in sorted(self.users.items()):
            lines.append(
                f"   {user:24s} {s.accepted:9d} {s.stale:6d} {s.rejected:9d} {s.difficulty:12.4g}"
                f" {rates.get(user, 0.0):10.3g} {s.blocks:6d}"
            )
        return "\n".join(lines)

    async def _reporter(self) -> None:
        while True:
            await asyncio.sleep(self.report_every)
            self.out(self.report())


def server_config(plaintext: bool) -> tuple[sv2.ServerConfig, Optional[sv2.AuthorityPublicKey]]:
    """A Noise config with a fresh authority and certificate (or plaintext)."""
    if plaintext:
        return sv2.ServerConfig(plaintext=True), None
    authority = sv2.AuthoritySecretKey.generate()
    static = sv2.StaticSecretKey.generate()
    now = int(time.time())
    cert = sv2.Certificate.sign(authority, static.public_key(), now - 3600, now + 30 * 86400)
    return sv2.ServerConfig(static_key=static, certificate=cert), authority.public_key()


async def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3336)
    parser.add_argument("--plaintext", action="store_true", help="no encryption (local networks only)")
    parser.add_argument("--report-every", type=float, default=10.0, help="seconds between accounting tables")
    parser.add_argument(
        "--block-difficulty-factor",
        type=float,
        default=sv2.DEFAULT_BLOCK_DIFFICULTY_FACTOR,
        help="the made-up network is this many times harder than the share target (1: every share is a block)",
    )
    args = parser.parse_args(argv)

    config, authority = server_config(args.plaintext)
    pool = Pool(config, report_every=args.report_every, block_difficulty_factor=args.block_difficulty_factor)
    # The handlers go in before the URL is printed: whoever reads it may signal at once.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    port = await pool.start(args.host, args.port)
    if authority is None:
        print(f"pool listening: stratum2+tcp+plain://{args.host}:{port}", flush=True)
    else:
        print(f"pool listening: stratum2+tcp://{args.host}:{port}/{authority}", flush=True)
    await stop.wait()
    print("\nshutting down", flush=True)
    await pool.close()
    print(pool.report(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
