"""A loopback TCP proxy that a test can cut and restore: the database going away, for real.

While cut, open connections are reset and new ones refused, as when PostgreSQL stops. Armed
with `lose_answer_to`, it lets one request through and breaks that connection as its answer
comes back: the server did the work, the client never hears so.
"""

import asyncio
import contextlib
from collections.abc import Callable


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` and `restore()` it at will."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._marker: bytes | None = None  # the request whose answer is to be lost
        self.lost = asyncio.Event()  # set once an answer was lost

    async def start(self) -> None:
        """Listen (on a free port the first time, on the same port after a cut)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port,
                                                  reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Reset every open connection and stop listening."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()
        await self._server.wait_closed()
        self._server = None

    async def restore(self) -> None:
        """Listen again."""
        await self.start()

    def lose_answer_to(self, marker: bytes) -> None:
        """Break the next connection that sends `marker`, once the server has answered it."""
        self._marker = marker
        self.lost.clear()

    async def close(self) -> None:
        if self._server is not None:
            await self.cut()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open.update((writer, up_writer))
        doomed = asyncio.Event()  # this connection sent the marker: its next answer is lost

        def upstream(data: bytes) -> bool:
            if self._marker is not None and self._marker in data:
                self._marker = None
                doomed.set()
            return True

        def downstream(_data: bytes) -> bool:
            if not doomed.is_set():
                return True
            writer.transport.abort()
            up_writer.transport.abort()
            self.lost.set()
            return False

        await asyncio.gather(self._pipe(reader, up_writer, upstream),
                             self._pipe(up_reader, writer, downstream))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    passes: Callable[[bytes], bool]) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while (data := await reader.read(65536)) and passes(data):
                writer.write(data)
                await writer.drain()
        self._open.discard(writer)
        writer.transport.abort()
