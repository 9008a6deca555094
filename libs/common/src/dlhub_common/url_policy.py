"""Which references a DLHub server may fetch (``staging.*`` settings; docs/staging.md).

A server must not fetch internal addresses for whoever asks: a reference's
scheme must be allowed, its host must be on the allow-list (when there is
one), and every address its name resolves to must be public, unless the host
(or a CIDR holding the address) is in ``staging.private_hosts``. The names
are resolved here, so a public-looking name that points at 127.0.0.1 is
refused as 127.0.0.1 itself is. Every refusal is INVALID_ARGUMENT, before
anything is fetched.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_common.references import Reference, host_matches, parse
from dlhub_common.staging_settings import StagingSettings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(entries: list[str]) -> tuple[list[Network], list[str]]:
    """CIDRs (``10.0.0.0/8``: match resolved addresses) apart from host entries (names,
    ``*.suffix``, and bare IP literals, which match only a URL naming that literal)."""
    nets: list[Network] = []
    names: list[str] = []
    for entry in entries:
        if "/" in entry:
            try:
                nets.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
        names.append(entry.strip("[]"))
    return nets, names


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _public(address: Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return bool((mapped or address).is_global) and not address.is_multicast


class UrlPolicy:
    """Checks references against ``staging.*``.

    Args:
        settings: the staging section.
    """

    def __init__(self, settings: StagingSettings) -> None:
        self.settings = settings
        self._allowed_nets, self._allowed_names = _networks(settings.allowed_hosts)
        self._private_nets, self._private_names = _networks(settings.private_hosts)

    def check_static(self, ref: Reference) -> None:
        """Scheme, bucket and host-name checks (no DNS).

        Raises:
            InvalidArgument: the reference is not allowed, naming why.
        """
        shown = ref.shown
        if not self.settings.enabled:
            raise InvalidArgument(
                f"reference {shown}: inputs by reference are off on this DLHub (staging.enabled)"
            )
        if ref.scheme not in self.settings.schemes:
            raise InvalidArgument(
                f"reference {shown}: scheme {ref.scheme}:// is not allowed here; allowed:"
                f" {', '.join(s + '://' for s in self.settings.schemes) or 'none'}",
                details={"url": shown, "allowed_schemes": self.settings.schemes},
            )
        if ref.scheme == "s3":
            if self.settings.s3_buckets and ref.host not in self.settings.s3_buckets:
                raise InvalidArgument(
                    f"reference {shown}: bucket {ref.host!r} is not allowed (staging.s3_buckets)",
                    details={"url": shown},
                )
            return
        if ref.scheme == "globus":
            return
        literal = _literal(ref.host)
        if (self._allowed_nets or self._allowed_names) and not (
            host_matches(ref.host.strip("[]"), self._allowed_names)
            or (literal is not None and any(literal in n for n in self._allowed_nets))
        ):
            raise InvalidArgument(
                f"reference {shown}: host is not on the allow-list (staging.allowed_hosts)",
                details={"url": shown},
            )
        if literal is not None:
            self._check_address(ref, literal)

    def _check_address(self, ref: Reference, address: Address) -> None:
        if _public(address):
            return
        if host_matches(ref.host.strip("[]"), self._private_names) or any(
            address in n for n in self._private_nets
        ):
            return
        plain = getattr(address, "ipv4_mapped", None) or address
        what = (
            "a link-local (cloud metadata) address"
            if plain.is_link_local
            else "a loopback address"
            if plain.is_loopback
            else "a private or reserved address"
        )
        raise InvalidArgument(
            f"reference {ref.shown}: the host resolves to {what}, which this DLHub does"
            " not fetch from (staging.private_hosts)",
            details={"url": ref.shown},
        )

    async def check(self, ref: Reference | str) -> Reference:
        """Every check, resolving the host name; returns the parsed reference.

        Raises:
            InvalidArgument: not allowed, or the host name does not resolve.
        """
        if isinstance(ref, str):
            ref = parse(ref)
        self.check_static(ref)
        if ref.scheme in ("s3", "globus") or _literal(ref.host) is not None:
            return ref
        for address in await self.resolve(ref):
            self._check_address(ref, address)
        return ref

    async def resolve(self, ref: Reference) -> list[Address]:
        loop = asyncio.get_running_loop()
        try:
            infos: list[Any] = await loop.getaddrinfo(
                ref.host, ref.port or 443, type=socket.SOCK_STREAM
            )
        except OSError:
            raise InvalidArgument(
                f"reference {ref.shown}: the host name does not resolve",
                details={"url": ref.shown},
            ) from None
        return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
