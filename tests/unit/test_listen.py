"""The sockets DLHub binds itself: clear errors for ports in use, and no Nagle delay."""

from __future__ import annotations

import asyncio
import socket

import pytest

from dlhub_common.errors import FailedPrecondition
from dlhub_common.listen import ensure_free, listening_socket


def test_accepted_connections_have_tcp_nodelay() -> None:
    """asyncio turns Nagle off only for sockets whose proto is IPPROTO_TCP; a
    listener made with proto 0 gave every small HTTP response a ~40 ms wait."""

    async def main() -> int:
        seen: list[int] = []

        async def on_client(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            sock = w.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            w.close()

        sock = listening_socket("test", "127.0.0.1", 0, "test.port")
        server = await asyncio.start_server(on_client, sock=sock)
        port = sock.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()
        return seen[0]

    assert asyncio.run(main()) != 0


def test_port_in_use_names_the_setting() -> None:
    sock = listening_socket("test", "127.0.0.1", 0, "gateway.http_port")
    try:
        port = sock.getsockname()[1]
        with pytest.raises(FailedPrecondition, match="DLHUB_GATEWAY__HTTP_PORT"):
            ensure_free("gateway HTTP", "127.0.0.1", port, "gateway.http_port")
        with pytest.raises(FailedPrecondition, match=f"127.0.0.1:{port}"):
            listening_socket("gateway HTTP", "127.0.0.1", port, "gateway.http_port")
    finally:
        sock.close()
