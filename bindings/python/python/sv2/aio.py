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

The native layer never sees the socket or the event loop: each connection runs one pump task
that reads the stream, feeds the session, fires its timers and writes what it produced.
`Connection.close()`, leaving the `async with` block, `Server.close()` and cancelling the
surrounding task all shut connections down cleanly (pending bytes are flushed first).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from types import TracebackType
from typing import Any, Optional, Union

from sv2._codes import ResultCode
from sv2._sv2 import (
    ClientConfig,
    Closed,
    CodecError,
    HandshakeComplete,
    Message,
    NoiseError,
    PoolUrl,
    ProtocolError,
    RawFrame,
    ServerConfig,
    Session,
    SetupComplete,
    Sv2Error,
    UsageError,
    monotonic_ms,
)

__all__ = ["Connection", "ConnectionClosed", "Server", "connect", "serve", "error_for"]

Event = Union[Message, RawFrame, HandshakeComplete, SetupComplete, Closed]

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

    async def send_all(self, messages: list[Union[Message, RawFrame]]) -> None:
        """Several messages in one write."""
        with self._sending():
            self.session.send_all(messages)
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
            await conn.wait_ready()
            await self._handler(conn)
        except (Sv2Error, ConnectionError, OSError):
            pass  # the connection failed; nothing to report beyond its Closed event
        except asyncio.CancelledError:
            pass
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
