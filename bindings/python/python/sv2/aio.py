"""asyncio streams for Stratum V2, in pure Python over the sans-I/O `sv2.Session`.

Client::

    async with sv2.aio.connect("stratum2+tcp://pool.example.com:3336/<authority key>") as conn:
        await conn.send(sv2.OpenStandardMiningChannel(request_id=1, user_identity="alice"))
        async for message in conn:
            ...

Server::

    async def handle(conn: sv2.aio.Connection) -> None:
        async for message in conn:
            ...

    server = await sv2.aio.serve(handle, "0.0.0.0", 3336, config=sv2.ServerConfig(...))
    async with server:
        await server.serve_forever()

Pool::

    async with await sv2.aio.serve_pool("0.0.0.0", 3336, config=sv2.ServerConfig(...)) as pool:
        async for event in pool:  # PoolConnected, PoolShareAccepted, BlockFound, ...
            ...

The native layer never sees the socket or the event loop: each connection runs one pump task
that reads the stream, feeds the session, fires its timers and writes what it produced.
`Connection.close()`, leaving the `async with` block, `Server.close()` and cancelling the
surrounding task all shut connections down cleanly (pending bytes are flushed first).

Exceptions raised by a `serve` handler or a `serve_pool` event callback are logged with
their traceback on the ``sv2.aio`` logger; the handler's connection is then closed and its
`Connection.closed` says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterable
from types import TracebackType
from typing import Any, Optional, Union

from sv2._codes import ResultCode
from sv2._sv2 import (
    BlockFound,
    ClientConfig,
    Closed,
    CodecError,
    HandshakeComplete,
    Message,
    NoiseError,
    PoolChannelClosed,
    PoolChannelOpened,
    PoolConnected,
    PoolConnectionClosed,
    PoolEngineError,
    PoolServer,
    PoolShareAccepted,
    PoolShareRejected,
    PoolTargetChanged,
    PoolUrl,
    ProtocolError,
    RawFrame,
    ServerConfig,
    Session,
    SetupComplete,
    Sv2Error,
    SyntheticTemplateSource,
    UrlError,
    UsageError,
    monotonic_ms,
)

__all__ = [
    "Connection",
    "ConnectionClosed",
    "Server",
    "connect",
    "serve",
    "error_for",
    "PoolListener",
    "serve_pool",
    "logger",
]

Event = Union[Message, RawFrame, HandshakeComplete, SetupComplete, Closed]

#: What `serve_pool` reports (as `sv2.PoolServerEvent`).
PoolServerEvent = Union[
    PoolConnected,
    PoolChannelOpened,
    PoolChannelClosed,
    PoolShareAccepted,
    PoolShareRejected,
    BlockFound,
    PoolTargetChanged,
    PoolEngineError,
    PoolConnectionClosed,
]

#: Handler and callback exceptions are logged here, with their traceback.
logger = logging.getLogger("sv2.aio")

_READ_SIZE = 1 << 16
_END = object()


class ConnectionClosed(Sv2Error):
    """The connection ended normally (the peer or this side closed it)."""


def _consume_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def error_for(closed: Closed) -> Sv2Error:
    """The exception a `Closed` event stands for: `ConnectionClosed` for a normal close, else
    the class the native calls raise for its code (by the hundreds digit; 450-499, the mining
    roles' codes, are `UsageError`s)."""
    classes: dict[int, type[Sv2Error]] = {1: UsageError, 2: CodecError, 3: NoiseError, 4: ProtocolError}
    if closed.code == 0:
        err: Sv2Error = ConnectionClosed(closed.detail)
    elif 450 <= closed.code <= 499:
        err = UsageError(closed.detail)
    elif 340 <= closed.code <= 343:
        err = UrlError(closed.detail)
    else:
        err = classes.get(closed.code // 100, Sv2Error)(closed.detail)
    err.code = closed.code
    return err


class Connection:
    """A Stratum V2 connection: a `Session` over an asyncio stream pair.

    Iterate (``async for``) to receive the peer's messages (and `RawFrame` for unknown
    extension frames); iteration ends when the connection closes normally and raises the
    matching `Sv2Error` when it ends with an error. `next_event()` gives every session event
    instead (`HandshakeComplete`, `SetupComplete`, `Closed` too).
    """

    def __init__(
        self,
        session: Session,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        queue_size: int = 1024,
    ) -> None:
        self.session = session
        self._reader = reader
        self._writer = writer
        self._events: asyncio.Queue[object] = asyncio.Queue(maxsize=queue_size)
        self._ready: asyncio.Future[SetupComplete] = asyncio.get_running_loop().create_future()
        # Nobody may be waiting when the connection ends before setup (a connect() that timed
        # out or was cancelled): mark the exception as seen so asyncio logs nothing at exit.
        self._ready.add_done_callback(_consume_exception)
        self.setup_complete: Optional[SetupComplete] = None
        self.handshake: Optional[HandshakeComplete] = None
        self.closed: Optional[Closed] = None
        self._input_handler: Optional[Callable[[Connection], list[Event]]] = None
        self._pump_task = asyncio.ensure_future(self._pump())

    # Properties ---------------------------------------------------------------------------

    @property
    def peername(self) -> Any:
        """The peer's address, as the transport reports it."""
        return self._writer.get_extra_info("peername")

    @property
    def is_closed(self) -> bool:
        return self.closed is not None or self.session.is_closed

    # Sending ------------------------------------------------------------------------------

    async def send(self, message: Union[Message, RawFrame]) -> None:
        """Queues a message and writes it (waits while the transport's buffer is full).
        Raises `ConnectionClosed` (or the error that ended the connection) once it is over."""
        with self._sending():
            self.session.send(message)
            await self._flush()

    async def send_all(self, messages: Iterable[Union[Message, RawFrame]]) -> None:
        """Several messages (any iterable) in one write."""
        with self._sending():
            self.session.send_all(list(messages))
            await self._flush()

    def send_nowait(self, message: Union[Message, RawFrame]) -> None:
        """Queues and writes a message without waiting for the transport to drain."""
        with self._sending():
            self.session.send(message)
            self._write()

    @contextlib.contextmanager
    def _sending(self) -> Generator[None, None, None]:
        """Turns the ways a send meets an ended connection (the session already closed, the
        socket reset under the write) into the exception `recv()` raises for it."""
        try:
            yield
        except UsageError as e:
            if e.code != ResultCode.CLOSED:
                raise
            raise self._ended_error() from e
        except (ConnectionError, OSError) as e:
            raise ConnectionClosed(f"connection lost: {e}") from e

    def _ended_error(self) -> Sv2Error:
        if self.closed is not None:
            return error_for(self.closed)
        return ConnectionClosed("connection closed")

    # Receiving ----------------------------------------------------------------------------

    async def wait_ready(self) -> SetupComplete:
        """Waits for SetupConnection to complete; raises if the connection ends first."""
        return await asyncio.shield(self._ready)

    async def next_event(self) -> Optional[Event]:
        """The next session event, or None once the connection is over."""
        item = await self._events.get()
        if item is _END:
            self._events.put_nowait(_END)  # later calls see the end too
            return None
        assert isinstance(item, (Message, RawFrame, HandshakeComplete, SetupComplete, Closed))
        return item

    async def recv(self) -> Union[Message, RawFrame]:
        """The next message from the peer; raises `ConnectionClosed` (or the error that
        ended the connection) when there are no more."""
        while True:
            event = await self.next_event()
            if event is None:
                raise self._ended_error()
            if isinstance(event, (Message, RawFrame)):
                return event
            if isinstance(event, Closed):
                raise error_for(event)

    def __aiter__(self) -> AsyncIterator[Union[Message, RawFrame]]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[Union[Message, RawFrame]]:
        while True:
            try:
                yield await self.recv()
            except ConnectionClosed:
                return

    # Driving the session directly (pools, proxies) ---------------------------------------

    def set_input_handler(self, handler: Optional[Callable[[Connection], list[Event]]]) -> None:
        """From now on, after received bytes (or a timer) the pump calls `handler(conn)`
        instead of queuing the session's events: the handler drains `conn.session` itself
        (e.g. `PoolEngine.receive(conn_id, conn.session)`) and returns the events it did not
        consume, which the connection records (`setup_complete`, `closed`) and drops. Use
        `take_pending()` first for events queued before the switch."""
        self._input_handler = handler

    def take_pending(self) -> list[Event]:
        """The events queued and not yet read (without waiting)."""
        out: list[Event] = []
        while True:
            try:
                item = self._events.get_nowait()
            except asyncio.QueueEmpty:
                return out
            if item is _END:
                self._events.put_nowait(_END)
                return out
            assert isinstance(item, (Message, RawFrame, HandshakeComplete, SetupComplete, Closed))
            out.append(item)

    def write_pending(self) -> None:
        """Writes what the session has queued (without waiting for the transport)."""
        self._write()

    async def wait_closed(self) -> None:
        """Waits until the connection has ended."""
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(self._pump_task)

    # Closing ------------------------------------------------------------------------------

    async def close(self) -> None:
        """Closes the session, flushes pending bytes and closes the stream."""
        if not self.session.is_closed:
            self.session.close()
        with contextlib.suppress(OSError, ConnectionError):
            self._write()
            await self._writer.drain()
        if not self._pump_task.done():
            self._pump_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pump_task
        self._writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await self._writer.wait_closed()

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    # The pump -----------------------------------------------------------------------------

    def _write(self) -> None:
        data = self.session.data_to_send()
        if data and not self._writer.is_closing():
            self._writer.write(data)

    async def _flush(self) -> None:
        self._write()
        await self._writer.drain()

    def _note(self, event: Event) -> None:
        if isinstance(event, HandshakeComplete):
            self.handshake = event
        elif isinstance(event, SetupComplete):
            self.setup_complete = event
            if not self._ready.done():
                self._ready.set_result(event)
        elif isinstance(event, Closed):
            self.closed = event
            if not self._ready.done():
                self._ready.set_exception(error_for(event))

    async def _dispatch(self) -> None:
        # Events may produce bytes (e.g. the server's SetupConnection.Success): write first.
        self._write()
        if self._input_handler is not None:
            for event in self._input_handler(self):
                self._note(event)
            self._write()
            return
        for event in self.session.events():
            self._note(event)
            await self._events.put(event)
        self._write()

    async def _pump(self) -> None:
        session = self.session
        try:
            while not session.is_closed:
                await self._flush()
                deadline = session.poll_timeout()
                timeout = None if deadline is None else max(0, deadline - monotonic_ms()) / 1000
                try:
                    data = await asyncio.wait_for(self._reader.read(_READ_SIZE), timeout)
                except asyncio.TimeoutError:
                    session.handle_timeout()
                    await self._dispatch()
                    continue
                except (ConnectionError, OSError):
                    data = b""
                if not data:
                    session.peer_closed()
                else:
                    try:
                        session.receive_data(data)
                    except Sv2Error:
                        pass  # the session closed itself; its Closed event says why
                await self._dispatch()
            with contextlib.suppress(OSError, ConnectionError):
                await self._flush()
        finally:
            if self.closed is None:
                # Closed locally or cancelled: report it like the session would.
                self.closed = Closed(reason="local-close", code=0, detail="closed locally", error_code=None, flags=0)
                if not self._ready.done():
                    self._ready.set_exception(ConnectionClosed("connection closed before setup completed"))
            # Mark the end without blocking (the queue may be full if nobody reads).
            while True:
                try:
                    self._events.put_nowait(_END)
                    break
                except asyncio.QueueFull:
                    self._events.get_nowait()
            if not self._writer.is_closing():
                self._writer.close()


class _Connect:
    """`await connect(...)` or `async with connect(...) as conn`."""

    def __init__(self, coro_factory: Callable[[], Awaitable[Connection]]) -> None:
        self._factory = coro_factory
        self._conn: Optional[Connection] = None

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._factory().__await__()

    async def __aenter__(self) -> Connection:
        self._conn = await self._factory()
        return self._conn

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if self._conn is not None:
            await self._conn.close()


def connect(
    url: Union[str, PoolUrl, None] = None,
    *,
    host: Optional[str] = None,
    port: Optional[int] = None,
    config: Optional[ClientConfig] = None,
    wait_ready: bool = True,
    timeout: Optional[float] = 30.0,
    **config_kwargs: Any,
) -> _Connect:
    """Opens a client connection and waits until SetupConnection succeeded.

    Give a pool URL (`stratum2+tcp://host:port/<authority key>`, or
    `stratum2+tcp+plain://host:port` on a local network), or `host`/`port` with a `config`
    (or the `ClientConfig` keyword arguments, e.g. `authority_key=...`). Raises the `Sv2Error`
    that ended the connection if the handshake or setup fails, `asyncio.TimeoutError` after
    `timeout` seconds.
    """

    async def run() -> Connection:
        cfg = config
        h, p = host, port
        if url is not None:
            parsed = url if isinstance(url, PoolUrl) else PoolUrl(url)
            h = h or parsed.host
            p = p or parsed.port
            if cfg is None:
                cfg = ClientConfig(url=parsed, **config_kwargs)
        elif cfg is None:
            cfg = ClientConfig(**config_kwargs)
        if h is None or p is None:
            raise UsageError("connect() needs a URL or host and port")

        async def establish() -> Connection:
            assert cfg is not None
            reader, writer = await asyncio.open_connection(h, p)
            conn = Connection(Session.client(cfg), reader, writer)
            if wait_ready:
                try:
                    await conn.wait_ready()
                except BaseException:
                    await conn.close()
                    raise
            return conn

        return await asyncio.wait_for(establish(), timeout)

    return _Connect(run)


Handler = Callable[[Connection], Awaitable[None]]


class Server:
    """A listening Stratum V2 server (see `serve`). Closing it closes every connection."""

    def __init__(self, config: ServerConfig, handler: Handler) -> None:
        self.config = config
        self._handler = handler
        self._server: Optional[asyncio.Server] = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections: set[Connection] = set()

    @property
    def sockets(self) -> Any:
        assert self._server is not None
        return self._server.sockets

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        port = self.sockets[0].getsockname()[1]
        assert isinstance(port, int)
        return port

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = Connection(Session.server(self.config), reader, writer)
        self.connections.add(conn)
        try:
            try:
                await conn.wait_ready()
            except (Sv2Error, ConnectionError, OSError) as e:
                # The handshake or setup failed: the peer already got its answer.
                logger.debug("connection from %s failed before setup: %s", conn.peername, e)
                return
            await self._handler(conn)
        except asyncio.CancelledError:
            pass
        except (ConnectionClosed, ConnectionError, OSError) as e:
            # The connection ended under the handler (the peer left, the socket reset).
            logger.debug("connection from %s ended: %s", conn.peername, e)
        except Exception as e:
            if isinstance(e, Sv2Error) and conn.is_closed and conn.closed is not None and conn.closed.code != 0:
                # The session failed on its own (a protocol error); its Closed says why.
                logger.debug("connection from %s failed: %s", conn.peername, e)
            else:
                # A bug in the handler: say so loudly, and close the connection with the
                # error as its recorded reason instead of dropping it silently.
                logger.exception("handler for connection from %s raised", conn.peername)
                if conn.closed is None:
                    conn.closed = Closed(
                        reason="handler-error",
                        code=0,
                        detail=f"handler raised {type(e).__name__}: {e}",
                        error_code=None,
                        flags=0,
                    )
        finally:
            self.connections.discard(conn)
            try:
                with contextlib.suppress(Exception):
                    await conn.close()
            finally:
                # Only now, so that wait_closed() also waits for the close to finish.
                self._tasks.discard(task)

    async def start(self, host: Optional[str], port: int, **kwargs: Any) -> None:
        self._server = await asyncio.start_server(self._on_client, host, port, **kwargs)

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    def close(self) -> None:
        """Stops listening and cancels every connection's handler."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()

    async def wait_closed(self) -> None:
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()
        await self.wait_closed()


async def serve(
    handler: Handler,
    host: Optional[str],
    port: int,
    *,
    config: ServerConfig,
    **start_server_kwargs: Any,
) -> Server:
    """Listens on `host:port`; each connection runs `handler(conn)` once its setup
    completed (`conn.setup_complete` says which protocol and flags). The connection is
    closed when the handler returns."""
    server = Server(config, handler)
    await server.start(host, port, **start_server_kwargs)
    return server


# ---------------------------------------------------------------------------------------------
# Pool server over TCP.

PoolEventCallback = Callable[[PoolServerEvent], None]


class PoolListener:
    """A `sv2.PoolServer` on an asyncio server (see `serve_pool`).

    Every event goes to the `on_event` callback (if any) and to every ``async for event in
    listener`` loop running at that moment; a loop that is not running keeps nothing. With a
    synthetic template source, a found block moves the made-up chain on at once (unless
    `advance_on_block` is false).
    """

    def __init__(
        self,
        pool: PoolServer,
        *,
        templates: Optional[SyntheticTemplateSource],
        advance_on_block: bool = True,
        on_event: Optional[PoolEventCallback] = None,
        queue_size: int = 65536,
    ) -> None:
        self.pool = pool
        self.templates = templates
        self.advance_on_block = advance_on_block
        self._on_event = on_event
        self._queue_size = queue_size
        self._feeds: set[asyncio.Queue[object]] = set()
        self._writers: dict[int, asyncio.StreamWriter] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: Optional[asyncio.Server] = None
        self._wake = asyncio.Event()
        self._timer: Optional[asyncio.Task[None]] = None
        self._closed = False

    # Lifecycle ----------------------------------------------------------------------------

    async def start(self, host: Optional[str], port: int, **kwargs: Any) -> None:
        if self.templates is not None:
            self.next_block()
        self._server = await asyncio.start_server(self._on_client, host, port, **kwargs)
        self._timer = asyncio.ensure_future(self._timers())

    @property
    def sockets(self) -> Any:
        assert self._server is not None
        return self._server.sockets

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        port = self.sockets[0].getsockname()[1]
        assert isinstance(port, int)
        return port

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    def close(self) -> None:
        """Stops listening and closes every connection (their bytes are flushed first)."""
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            self._server.close()
        for conn in list(self._writers):
            self.pool.close(conn)
        self._pump()
        for task in list(self._tasks):
            task.cancel()
        if self._timer is not None:
            self._timer.cancel()
        for feed in self._feeds:
            self._put(feed, _END)

    async def wait_closed(self) -> None:
        tasks: list[asyncio.Task[None]] = list(self._tasks)
        if self._timer is not None:
            tasks.append(self._timer)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> PoolListener:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()
        await self.wait_closed()

    # Events -------------------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[PoolServerEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[PoolServerEvent]:
        feed: asyncio.Queue[object] = asyncio.Queue()
        if self._closed:
            return
        self._feeds.add(feed)
        try:
            while True:
                item = await feed.get()
                if item is _END:
                    return
                yield item  # type: ignore[misc]
        finally:
            self._feeds.discard(feed)

    def _put(self, feed: asyncio.Queue[object], item: object) -> None:
        if feed.qsize() >= self._queue_size and item is not _END:
            feed.get_nowait()  # a loop that stopped reading loses the oldest events
        feed.put_nowait(item)

    def _deliver(self, event: PoolServerEvent) -> None:
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                logger.exception("serve_pool on_event callback raised for %r", event)
        for feed in self._feeds:
            self._put(feed, event)

    # The chain ----------------------------------------------------------------------------

    def next_block(self, block_hash: Optional[bytes] = None) -> None:
        """Gives the pool the synthetic source's next block (after `block_hash`, if given)."""
        if self.templates is None:
            raise UsageError("this pool has no template source")
        if block_hash is not None:
            self.templates.advance(block_hash)
        self.pool.next_synthetic_block(self.templates, int(time.time()))
        self._pump()

    # The pump -----------------------------------------------------------------------------

    def _pump(self) -> None:
        """Routes events, writes what every connection has to send, ends closed ones."""
        closed: list[int] = []
        blocks: list[bytes] = []
        for event in self.pool.events():
            if isinstance(event, PoolConnectionClosed):
                closed.append(event.conn)
            elif isinstance(event, BlockFound) and self.templates is not None and self.advance_on_block:
                blocks.append(event.block_hash)
            self._deliver(event)
        for conn in self.pool.writable_connections():
            writer = self._writers.get(conn)
            data = self.pool.data_to_send(conn)
            if writer is not None and data and not writer.is_closing():
                writer.write(data)
        for conn in closed:
            rest = self.pool.data_to_send(conn)
            self.pool.remove(conn)
            writer = self._writers.pop(conn, None)
            if writer is not None and not writer.is_closing():
                if rest:
                    writer.write(rest)
                writer.close()
        if blocks and not self._closed:
            # Only the newest block matters: every block moves the chain by one.
            self.next_block(blocks[-1])
        self._wake.set()

    async def _timers(self) -> None:
        """Fires the pool's deadlines (session timeouts, acknowledgement batches, vardiff)."""
        # Checks `_closed` too: Python 3.11's wait_for can swallow a cancel that races with
        # the wake-up `close()` itself causes.
        while not self._closed:
            deadline = self.pool.poll_timeout()
            delay = 1.0 if deadline is None else max(0, deadline - monotonic_ms()) / 1000
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(delay, 1.0))
            if self._closed:
                return
            self.pool.handle_timeout()
            self._pump()

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if self._closed:
            writer.close()
            return
        try:
            conn = self.pool.accept()
        except Sv2Error:
            logger.exception("serve_pool could not accept a connection")
            writer.close()
            return
        self._tasks.add(task)
        self._writers[conn] = writer
        try:
            self._pump()
            while conn in self._writers:
                try:
                    data = await reader.read(_READ_SIZE)
                except (ConnectionError, OSError):
                    data = b""
                if not data:
                    self.pool.peer_closed(conn)
                    self._pump()
                    break
                try:
                    self.pool.receive_data(conn, data)
                except Sv2Error as e:
                    # The session closed itself; its PoolConnectionClosed event says why.
                    logger.debug("connection %d: %s", conn, e)
                self._pump()
                with contextlib.suppress(ConnectionError, OSError):
                    await writer.drain()
        except asyncio.CancelledError:
            pass
        finally:
            if conn in self._writers:
                self.pool.close(conn)
                self._pump()
            if conn in self._writers:  # no Closed event came: forget it anyway
                self._writers.pop(conn, None)
                self.pool.remove(conn)
            if not writer.is_closing():
                writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._tasks.discard(task)


async def serve_pool(
    host: Optional[str],
    port: int,
    *,
    config: ServerConfig,
    pool: Optional[PoolServer] = None,
    templates: Union[SyntheticTemplateSource, None, bool] = True,
    advance_on_block: bool = True,
    on_event: Optional[PoolEventCallback] = None,
    **pool_options: Any,
) -> PoolListener:
    """Serves a Stratum V2 pool on `host:port`: a `sv2.PoolServer` (given, or made from
    `config` and the `PoolEngine` keyword options in `pool_options`, e.g.
    `block_difficulty_factor=...`) with asyncio sockets and timers.

    `templates`: True (default) feeds the pool from a fresh `SyntheticTemplateSource`, or pass
    your own; False/None to feed `listener.pool` yourself (`new_template`, `set_prev_hash`).
    Events reach `on_event(event)` and ``async for event in listener`` loops.
    """
    server = pool if pool is not None else PoolServer(config, **pool_options)
    if pool is not None and pool_options:
        raise UsageError("pass either pool or PoolServer options, not both")
    if templates is True:
        source: Optional[SyntheticTemplateSource] = SyntheticTemplateSource(seed=int(time.time()), height=1)
    elif isinstance(templates, SyntheticTemplateSource):
        source = templates
    else:
        source = None
    listener = PoolListener(server, templates=source, advance_on_block=advance_on_block, on_event=on_event)
    await listener.start(host, port)
    return listener
