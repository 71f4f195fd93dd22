"""A small but real Stratum V2 pool: the libsv2 pool engine behind asyncio, fed by the
synthetic template source (regtest difficulty, made-up chain), with per-user share
accounting printed periodically and a clean shutdown on Ctrl-C.

    python examples/python/pool.py --port 3336            # Noise; prints the pool URL
    python examples/python/pool.py --port 3336 --plaintext

Point a Stratum V2 miner at the printed URL (for example examples/python/miner.py). Every
user_identity gets a line: accepted and rejected shares, credited difficulty, estimated hash
rate and blocks. When a share is a block (about every other share at regtest difficulty),
the pool moves the made-up chain forward and sends the next job.

How it works: `sv2.aio.serve` owns the sockets and runs each connection's Noise session; once
a client is set up, the connection is switched to `PoolEngine.receive` (Mining messages go
from the session straight into the engine, no Python object per share) and
`PoolEngine.send_outgoing` queues the engine's replies on the sessions. A timer task fires the
engine's deadlines (acknowledgement batches, vardiff).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import sv2
import sv2.aio


@dataclass
class UserStats:
    """Share accounting of one user_identity."""

    accepted: int = 0
    rejected: int = 0
    difficulty: float = 0.0
    blocks: int = 0
    reject_reasons: dict[str, int] = field(default_factory=dict)


class Pool:
    """The pool: an engine, a template source and the connections."""

    def __init__(
        self,
        config: sv2.ServerConfig,
        *,
        engine: Optional[sv2.PoolEngine] = None,
        templates: Optional[sv2.SyntheticTemplateSource] = None,
        report_every: float = 10.0,
        out: Callable[[str], None] = print,
    ) -> None:
        self.config = config
        self.engine = engine or sv2.PoolEngine(ack_batch_size=32, ack_flush_ms=200)
        self.templates = templates or sv2.SyntheticTemplateSource(seed=int(time.time()), height=1)
        self.report_every = report_every
        self.out = out
        self.users: dict[str, UserStats] = {}
        self.sessions: dict[int, sv2.Session] = {}
        self.connections: dict[int, sv2.aio.Connection] = {}
        self._channel_user: dict[tuple[int, int], str] = {}
        self._ids = itertools.count(1)
        self._server: Optional[sv2.aio.Server] = None
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self.blocks_found = 0

    # Lifecycle ----------------------------------------------------------------------------

    async def start(self, host: Optional[str], port: int) -> int:
        """Starts the first job and listens; returns the bound port."""
        self._new_block()
        self._server = await sv2.aio.serve(self._handle, host, port, config=self.config)
        self._tasks.append(asyncio.create_task(self._timers()))
        if self.report_every > 0:
            self._tasks.append(asyncio.create_task(self._reporter()))
        return self._server.port

    async def close(self) -> None:
        """Stops listening, closes every connection and the background tasks."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    # Connections --------------------------------------------------------------------------

    async def _handle(self, conn: sv2.aio.Connection) -> None:
        cid = next(self._ids)
        setup = conn.setup_complete
        assert setup is not None
        try:
            self.engine.connection_opened(cid, setup.requested_flags)
        except sv2.Sv2Error as e:
            self.out(f"refusing connection {conn.peername}: {e}")
            return
        self.sessions[cid] = conn.session
        self.connections[cid] = conn
        try:
            # Messages that arrived with the setup, then the fast path.
            for event in conn.take_pending():
                if isinstance(event, sv2.Message):
                    self.engine.handle_message(cid, event)
            conn.set_input_handler(lambda c: self._on_input(cid, c))
            self._flush()
            await conn.wait_closed()
        finally:
            self.engine.connection_closed(cid)
            del self.sessions[cid]
            del self.connections[cid]
            self._flush()

    def _on_input(self, cid: int, conn: sv2.aio.Connection) -> list[sv2.aio.Event]:
        try:
            others = self.engine.receive(cid, conn.session)
        except sv2.UsageError as e:  # a message a client may not send: close (R35)
            self.out(f"connection {cid}: {e}; closing")
            conn.session.close()
            return []
        self._flush()
        return others

    def _flush(self) -> None:
        """Routes the engine's outgoing messages and events."""
        for cid in self.engine.send_outgoing(self.sessions):
            conn = self.connections.get(cid)
            if conn is not None:
                conn.write_pending()
        for event in self.engine.events():
            self._account(event)
        self._wake.set()

    # Accounting and the chain -------------------------------------------------------------

    def _user(self, name: str) -> UserStats:
        return self.users.setdefault(name, UserStats())

    def _account(self, event: object) -> None:
        if isinstance(event, sv2.PoolChannelOpened):
            self._channel_user[(event.conn, event.channel_id)] = event.user_identity
            self._user(event.user_identity)
        elif isinstance(event, sv2.PoolShareAccepted):
            stats = self._user(event.user_identity)
            stats.accepted += 1
            stats.difficulty += event.credited_difficulty
        elif isinstance(event, sv2.PoolShareRejected):
            user = self._channel_user.get((event.conn, event.channel_id), "?")
            stats = self._user(user)
            stats.rejected += 1
            stats.reject_reasons[event.reason] = stats.reject_reasons.get(event.reason, 0) + 1
        elif isinstance(event, sv2.BlockFound):
            self._user(event.user_identity).blocks += 1
            self.blocks_found += 1
            self.out(f"block {self.templates.height} found by {event.user_identity}: {event.block_hash[::-1].hex()}")
            self.templates.advance(event.block_hash)
            self._new_block()
        elif isinstance(event, sv2.PoolChannelClosed):
            self._channel_user.pop((event.conn, event.channel_id), None)

    def _new_block(self) -> None:
        template, prev_hash = self.templates.next_block(int(time.time()))
        self.engine.new_template(template)
        self.engine.set_prev_hash(prev_hash)
        if self.sessions:
            self._flush()

    async def _timers(self) -> None:
        """Fires the engine's deadlines (acknowledgement batches, vardiff)."""
        while True:
            deadline = self.engine.poll_timeout()
            delay = 1.0 if deadline is None else max(0, deadline - sv2.monotonic_ms()) / 1000
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(delay, 1.0))
            self.engine.handle_timeout()
            self._flush()

    def report(self) -> str:
        """The accounting table."""
        snapshot = self.engine.snapshot()
        rates: dict[str, float] = {}
        for ch in snapshot.channels:
            rates[ch.user_identity] = rates.get(ch.user_identity, 0.0) + ch.hashrate
        lines = [
            f"-- {time.strftime('%H:%M:%S')}  connections {snapshot.connections}  channels {len(snapshot.channels)}"
            f"  hashrate {snapshot.total_hashrate:.3g} H/s  blocks {snapshot.blocks_found}",
            f"   {'user':24s} {'accepted':>9s} {'rejected':>9s} {'difficulty':>12s} {'H/s':>10s} {'blocks':>6s}",
        ]
        for user, s in sorted(self.users.items()):
            lines.append(
                f"   {user:24s} {s.accepted:9d} {s.rejected:9d} {s.difficulty:12.4g} {rates.get(user, 0.0):10.3g} {s.blocks:6d}"
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
    args = parser.parse_args(argv)

    config, authority = server_config(args.plaintext)
    pool = Pool(config, report_every=args.report_every)
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
