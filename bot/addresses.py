"""Who is asking: a client's address behind trusted proxies, and the network it belongs to."""

from collections.abc import Iterable, Sequence
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Networks written "127.0.0.1, 10.0.0.0/8, ::1" (a bare address is its own network)."""
    return tuple(ip_network(part.strip(), strict=False) for part in text.split(",")
                 if part.strip())


def client_address(peer: str | None, forwarded_for: Iterable[str],
                   trusted: Sequence[Network]) -> str:
    """The address of whoever sent a request.

    That is the TCP peer, unless the peer is a trusted proxy: then the X-Forwarded-For list is
    read from its right end (the entry the nearest proxy added), past every trusted proxy. An
    address a client wrote there itself sits further left and is never reached, so it cannot
    pass for someone else. Without a peer (a Unix socket) the answer is "".
    """
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    current = peer or ""
    while hops and _is_trusted(current, trusted):
        hop = hops.pop()
        try:
            current = str(ip_address(hop))
        except ValueError:  # garbage in the header: the last proxy's word is all we have
            break
    return current


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


@lru_cache(maxsize=4096)  # every web request asks; parsing the address was 2 % of its CPU
def network_of(address: str) -> str:
    """The network an address belongs to as one household or provider holds it: the /24 of
    an IPv4 address, the /64 of an IPv6 one (what a single home or phone is given)."""
    try:
        parsed = ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return str(ip_network(f"{parsed}/{24 if parsed.version == 4 else 64}", strict=False))
