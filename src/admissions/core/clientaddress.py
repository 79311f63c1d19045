"""The address of the person at the other end, as the trusted reverse proxies report it.

Behind a reverse proxy every request comes from the proxy's address; the proxy writes the
address it saw into `X-Forwarded-For`, appending to whatever the client sent there. So the
header is read from the right, and only while each hop is one of our proxies
(`TRUSTED_PROXIES`): the first address that is not one of them is the client. A request that
does not come from a trusted proxy is its own client, whatever its header claims.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR") or ""
    address = _parse(peer)
    if address is None:
        return peer
    proxies = tuple(getattr(settings, "TRUSTED_PROXIES", ()))
    if not _trusted(address, proxies):
        return str(address)
    # Django joins repeated headers with commas, so several headers read as one list.
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        found = _parse(hop)
        if found is None:  # garbage: the last trusted hop is all that is known
            break
        address = found
        if not _trusted(address, proxies):
            break
    return str(address)


def _parse(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: tuple[object, ...]) -> bool:
    return any(
        address in network
        for network in proxies
        if isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network)
        and network.version == address.version
    )
