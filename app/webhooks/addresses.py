"""Which webhook URLs may be called: public https addresses, unless private ones are allowed.

Checked when an endpoint is registered and again before every attempt against the address the
name resolves to then, and the request goes to that very address (a name that resolved to a
public address at registration may point at 127.0.0.1 later: DNS rebinding).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

MAX_URL = 2000
PRIVATE_HINT = (" Webhooks go to public addresses only (WEBHOOK_ALLOW_PRIVATE_URLS allows a "
                "receiver on this machine or network, for development).")


class UnsafeUrl(ValueError):
    """The URL may not be called; the message says why, for the admin."""


@dataclass(frozen=True)
class Target:
    """Where one attempt goes: the checked address, and the names TLS and Host must carry."""

    scheme: str
    host: str  # the name in the URL (TLS server name and certificate check)
    address: str  # the resolved, checked IP the connection is made to
    port: int
    path: str  # path and query
    host_header: str


def _kind_of(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why this address is not public, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for word, flag in (("a loopback", ip.is_loopback), ("a link-local", ip.is_link_local),
                       ("a private", ip.is_private), ("a multicast", ip.is_multicast),
                       ("an unspecified", ip.is_unspecified), ("a reserved", ip.is_reserved)):
        if flag:
            return word
    return None if ip.is_global else "a non-public"


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"])


def check_url(url: object) -> str:
    """The URL as it will be stored, or UnsafeUrl saying what is wrong with it."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeUrl("Give the endpoint's URL, e.g. https://ats.example.com/hooks/switchboard.")
    url = url.strip()
    if len(url) > MAX_URL:
        raise UnsafeUrl(f"Keep the URL under {MAX_URL} characters (you sent {len(url)}).")
    target_of(url)
    return url


def target_of(url: str) -> Target:
    """Resolve the URL's host now and check every address it gives; UnsafeUrl if any is refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl("That is not a valid URL.") from None
    allowed = ("https", "http") if _allow_private() else ("https",)
    if parts.scheme.lower() not in allowed:
        raise UnsafeUrl("The URL must start with https:// (payloads carry personal data)."
                        if parts.scheme.lower() == "http" else "The URL must start with https://.")
    if not parts.hostname:
        raise UnsafeUrl("The URL has no host name.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("Leave credentials out of the URL: requests are signed instead.")
    scheme = parts.scheme.lower()
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(parts.hostname, port)
    if not _allow_private():
        for address in addresses:
            kind = _kind_of(ipaddress.ip_address(address))
            if kind:
                named = "" if address == parts.hostname.strip("[]") else f" ({address})"
                raise UnsafeUrl(f"{parts.hostname} is {kind} address{named}." + PRIVATE_HINT)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, parts.hostname, addresses[0], port, path, parts.netloc)


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeUrl(f"{host} could not be resolved to an address.") from None
    # Scope ids (fe80::1%eth0) are dropped: such addresses are link-local and refused anyway.
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise UnsafeUrl(f"{host} could not be resolved to an address.")
    return addresses
