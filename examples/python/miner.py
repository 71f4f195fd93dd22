"""A Stratum V2 CPU miner for tests and demos: the mining client over `sv2.aio`, hashing with
`Work.scan` (native, without the GIL).

    python examples/python/miner.py stratum2+tcp://127.0.0.1:3336/<key> --user alice.rig1
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Optional

import sv2
import sv2.aio


async def mine(
    conn: sv2.aio.Connection,
    user: str,
    *,
    shares: Optional[int] = None,
    batch: int = 1 << 14,
    hashrate: float = 1e6,
    verbose: bool = False,
) -> int:
    """Opens a standard channel and submits shares until `shares` are acknowledged (or the
    connection ends); returns the number accepted."""
    client = sv2.MiningClient()
    setup = conn.setup_complete
    assert setup is not None
    client.set_connection_flags(setup.requested_flags, setup.success_flags)
    client.open_standard_channel(user, hashrate)
    await conn.send_all(list(client.drain_outgoing()))
    work: Optional[sv2.Work] = None
    nonce = 0
    accepted = 0
    recv: Optional[asyncio.Task[sv2.Message | sv2.RawFrame]] = None
    try:
        while shares is None or accepted < shares:
            if recv is None:
                recv = asyncio.ensure_future(conn.recv())
            if work is None:
                await asyncio.wait([recv])
            if recv.done():
                try:
                    message = recv.result()
                except sv2.aio.ConnectionClosed:
                    break
                recv = None
                if isinstance(message, sv2.Message):
                    client.handle_message(message)
                for event in client.events():
                    if isinstance(event, sv2.NewWork) and (event.work.clean or work is None):
                        work, nonce = event.work, 0
                    elif isinstance(event, sv2.ShareAccepted):
                        accepted += 1
                    elif isinstance(event, sv2.ShareRejected) and verbose:
                        print(f"rejected: {event.error_code}", file=sys.stderr)
                await conn.send_all(list(client.drain_outgoing()))
                continue
            # Hash a batch off the event loop's thread, then look at the network again.
            assert work is not None
            current = work
            found = await asyncio.get_running_loop().run_in_executor(None, current.scan, nonce, batch)
            nonce = (nonce + batch) & 0xFFFFFFFF
            if found is not None:
                nonce = (found[0] + 1) & 0xFFFFFFFF
                try:
                    client.submit_standard(current.channel_id, current.job_id, found[0], current.min_ntime, current.version)
                except sv2.UsageError as e:
                    if verbose:
                        print(f"share refused locally: {e}", file=sys.stderr)
                await conn.send_all(list(client.drain_outgoing()))
    except sv2.aio.ConnectionClosed:
        pass  # the pool went away: report what was accepted
    finally:
        if recv is not None and not recv.done():
            recv.cancel()
            await asyncio.gather(recv, return_exceptions=True)
    return accepted


async def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Stratum V2 CPU miner")
    parser.add_argument("url", help="stratum2+tcp://host:port/<authority key> or stratum2+tcp+plain://host:port")
    parser.add_argument("--user", default="libsv2.cpu")
    parser.add_argument("--shares", type=int, default=None, help="stop after this many accepted shares")
    parser.add_argument("--hashrate", type=float, default=1e5, help="nominal hash rate announced to the pool (H/s)")
    args = parser.parse_args(argv)
    async with sv2.aio.connect(args.url, vendor="libsv2-python-miner") as conn:
        accepted = await mine(conn, args.user, shares=args.shares, hashrate=args.hashrate, verbose=True)
    print(f"{accepted} shares accepted")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        sys.exit(130)
