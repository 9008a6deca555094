"""Binding a service's ports, and a clear error when one is taken.

gRPC sets ``SO_REUSEPORT`` unless told not to, which lets a second server
bind a port that is in use and share its connections: two meshes on one port
would each get half of the calls. DLHub servers bind without it, except the
replicas of one gateway, and a port that is taken is one line that names it
and the setting that moves it.
"""

from __future__ import annotations

import errno
import socket

from dlhub_common.errors import FailedPrecondition


def env_name(setting: str) -> str:
    """The variable of a dotted setting: gateway.http_port is DLHUB_GATEWAY__HTTP_PORT."""
    return "DLHUB_" + setting.upper().replace(".", "__")


def port_in_use(what: str, host: str, port: int, setting: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"{what} port {host}:{port} is already in use (by another program or another DLHub"
        f" mesh); stop that one, or set {setting} ({env_name(setting)}) to a free port",
        details={"host": host, "port": port, "setting": setting},
    )


def _socket(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto named, not 0: asyncio sets TCP_NODELAY on accepted connections only
    # when their proto is IPPROTO_TCP; without it every small HTTP response
    # waits ~40 ms on Nagle and the client's delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    # a port left in TIME_WAIT by a server that just stopped is free
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def ensure_free(what: str, host: str, port: int, setting: str) -> None:
    """Raise :func:`port_in_use` when anything listens on ``host:port``.

    A plain bind (without ``SO_REUSEPORT``) fails while any socket holds the
    port, including one that would share it.
    """
    if port == 0:
        return
    sock = _socket(host)
    try:
        sock.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise port_in_use(what, host, port, setting) from None
        raise
    finally:
        sock.close()


def listening_socket(
    what: str, host: str, port: int, setting: str, *, reuse_port: bool = False
) -> socket.socket:
    """A non-blocking socket listening on ``host:port``.

    Args:
        reuse_port: share the port with this service's own replicas
            (``SO_REUSEPORT``); the first of them checks it is free first.

    Raises:
        FailedPrecondition: the port is in use.
    """
    sock = _socket(host)
    try:
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise port_in_use(what, host, port, setting) from None
        raise
    sock.setblocking(False)
    return sock
