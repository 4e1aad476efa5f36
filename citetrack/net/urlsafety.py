"""The SSRF guard: which URLs citetrack may fetch, and a transport that enforces it.

The URLs of a .bib may come from an untrusted pull request checked in CI, where the runner
can reach cloud metadata services (169.254.169.254, fd00:ec2::254), the loopback interface
and the private network.  A link checker that fetched whatever a citation says would hand
an attacker those services' answers (or at least their timing).  So, before every request
and for every redirect hop:

* only ``http`` and ``https`` URLs, with a host and without userinfo (``user:pw@``), are
  fetched;
* the host must not be a ``localhost`` name, and every address it resolves to (all of them,
  so a name resolving to one public and one private address is refused) must be globally
  routable: no loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10),
  shared CGNAT (100.64/10), unspecified, multicast, reserved, documentation ranges, nor an
  IPv6 form embedding such an IPv4 address (IPv4-mapped, SIIT, NAT64, 6to4);
* numeric hosts are read the way resolvers read them (``2130706433``, ``0x7f.1`` and
  ``017700000001`` are all 127.0.0.1, as in the WHATWG URL standard and ``inet_aton``) and a
  host that *ends in a number* but is not a valid IPv4 address is refused outright.

Every address falls in one :class:`Zone`: ``public``, ``loopback``, ``private`` (RFC 1918,
unique-local, CGNAT and the other non-global unicast ranges) or ``forbidden`` (link-local,
which holds the cloud metadata services, plus unspecified, multicast and reserved
addresses).  ``allow_private=True`` (``--allow-private-urls``: tests against the emulator on
127.0.0.1, intranet wikis) admits the loopback and private zones, never the forbidden one;
the scheme, userinfo and host-syntax rules always apply.

Redirects are held to the zone of the cited URL (:func:`chain_zones`): a page may redirect
to public addresses and to the kind of non-public address the citation itself points at,
nothing else.  So even with ``allow_private`` a public page, or the emulator on loopback,
cannot send citetrack to ``10.0.0.1``, and an intranet page cannot send it to loopback.  The
link checker passes the chain's zones to the transport with :func:`connection_zones`.

DNS rebinding: checking a name and then letting the HTTP library resolve it again leaves a
window in which the name can start pointing at 10.0.0.1.  :class:`GuardedTransport` closes
it: its connections go through :class:`GuardedNetworkBackend`, which resolves the name
itself, refuses the connection unless every address is allowed, and connects to a vetted
IP *address*.  TLS still verifies the certificate against the host name (httpcore passes the
URL's host as ``server_hostname``), and the ``Host`` header is unchanged.  The remaining
gaps: proxies (the transport never uses one, so an HTTP(S)_PROXY in the environment is
ignored by design) and redirects followed by a client other than
:class:`~citetrack.links.checker.LinkChecker` (which re-checks each hop).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ipaddress
import re
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Resolves ``(host, port)`` to IP address strings; raises :class:`socket.gaierror` on failure.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
_LOCALHOST_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6"}
)
_LOCALHOST_ADDRESSES = ("127.0.0.1", "::1")
# After IDNA encoding, a DNS name is letters, digits, hyphens, dots (and underscores, seen
# in the wild).  Anything else (%, \, spaces, brackets) is a parsing trick or an error.
_HOST_NAME_RE = re.compile(r"^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?$")
_NUMERIC_LABEL_RE = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network


class Zone(StrEnum):
    """Which kind of network an address belongs to; the unit of the address policy."""

    PUBLIC = "public"
    LOOPBACK = "loopback"
    PRIVATE = "private"  # RFC 1918, unique-local, CGNAT, documentation, other non-global
    FORBIDDEN = "forbidden"  # link-local (cloud metadata), unspecified, multicast, reserved


PUBLIC_ONLY: frozenset[Zone] = frozenset({Zone.PUBLIC})
#: What ``allow_private`` admits: everything but the forbidden zone.
WITH_PRIVATE: frozenset[Zone] = frozenset({Zone.PUBLIC, Zone.LOOPBACK, Zone.PRIVATE})

_F, _L, _P = Zone.FORBIDDEN, Zone.LOOPBACK, Zone.PRIVATE
# (network, zone, why it is not public), checked in order; the first match decides.
_BLOCKED_V4: tuple[tuple[ipaddress.IPv4Network, Zone, str], ...] = (
    (_V4("169.254.169.254/32"), _F, "the cloud metadata address"),
    (_V4("100.100.100.200/32"), _F, "a cloud metadata address (Alibaba Cloud)"),
    (_V4("0.0.0.0/8"), _F, "an unspecified ('this network') address"),
    (_V4("10.0.0.0/8"), _P, "a private address (RFC 1918)"),
    (_V4("100.64.0.0/10"), _P, "a carrier-grade NAT address (RFC 6598)"),
    (_V4("127.0.0.0/8"), _L, "a loopback address"),
    (_V4("169.254.0.0/16"), _F, "a link-local address"),
    (_V4("172.16.0.0/12"), _P, "a private address (RFC 1918)"),
    (_V4("192.0.0.0/24"), _P, "an IETF protocol address"),
    (_V4("192.0.2.0/24"), _P, "a documentation address"),
    (_V4("192.88.99.0/24"), _P, "a 6to4 relay address"),
    (_V4("192.168.0.0/16"), _P, "a private address (RFC 1918)"),
    (_V4("198.18.0.0/15"), _P, "a benchmarking address"),
    (_V4("198.51.100.0/24"), _P, "a documentation address"),
    (_V4("203.0.113.0/24"), _P, "a documentation address"),
    (_V4("224.0.0.0/4"), _F, "a multicast address"),
    (_V4("240.0.0.0/4"), _F, "a reserved address"),
)
_BLOCKED_V6: tuple[tuple[ipaddress.IPv6Network, Zone, str], ...] = (
    (_V6("fd00:ec2::254/128"), _F, "the cloud metadata address"),
    (_V6("::/128"), _F, "the unspecified address"),
    (_V6("::1/128"), _L, "a loopback address"),
    (_V6("::/96"), _F, "a deprecated IPv4-compatible address"),
    (_V6("64:ff9b:1::/48"), _P, "a local-use NAT64 address"),
    (_V6("100::/64"), _F, "a discard-only address"),
    (_V6("2001::/32"), _F, "a Teredo tunnelling address"),
    (_V6("2001:db8::/32"), _P, "a documentation address"),
    (_V6("fc00::/7"), _P, "a unique local (private) address"),
    (_V6("fe80::/10"), _F, "a link-local address"),
    (_V6("fec0::/10"), _P, "a site-local address"),
    (_V6("ff00::/8"), _F, "a multicast address"),
)
_NAT64 = _V6("64:ff9b::/96")
#: SIIT "IPv4-translated" addresses (RFC 2765): ``::ffff:0:a.b.c.d`` stands for a.b.c.d.
_IPV4_TRANSLATED = _V6("::ffff:0:0:0/96")
# getaddrinfo errors meaning "DNS answered: no such name / no address for it".
_NAME_NOT_FOUND = frozenset(
    code for code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)) if code is not None
)


class HostNotResolved(Exception):
    """The host name could not be resolved.

    ``permanent`` is true when DNS answered that the name does not exist (or has no
    address); false for temporary failures (no DNS server reachable, timeouts).  Note that
    a machine without network may also report "name not found" for every name.
    """

    def __init__(self, host: str, reason: str, *, permanent: bool) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason
        self.permanent = permanent


class AddressRefused(httpx.ConnectError):
    """Raised by the guarded transport instead of connecting to a refused address.

    A subclass of :class:`httpx.ConnectError`, so generic code sees a failed connection;
    the link checker recognises it and reports the URL as refused.
    """


@dataclass(frozen=True)
class Vetting:
    """The result of checking one URL: ``refusal`` is ``None`` when it may be fetched.

    ``host`` is the ASCII (IDNA) host name and ``addresses`` the addresses it resolved to
    (one for an IP literal; empty when refused before resolving).
    """

    url: str
    host: str = ""
    port: int = 0
    addresses: tuple[str, ...] = ()
    refusal: str | None = None


async def default_resolver(host: str, port: int) -> list[str]:
    """Every address of ``host`` via the event loop's ``getaddrinfo``, in resolver order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_ipv4_number(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a numeric host means, read like WHATWG / ``inet_aton`` do.

    ``"2130706433"``, ``"0x7f.1"``, ``"0177.0.0.1"`` and ``"127.1"`` are all 127.0.0.1.
    Returns ``None`` when ``host`` does not end in a number (it is a name); raises
    ``ValueError`` when it does but is not a valid address (``"1.2.3.999"``, ``"08.1"``).
    """
    labels = host.split(".")
    if labels and labels[-1] == "" and len(labels) > 1:
        labels = labels[:-1]
    if not labels or not _NUMERIC_LABEL_RE.match(labels[-1]):
        return None
    if len(labels) > 4:
        raise ValueError(f"{host!r} ends in a number but has more than four parts")
    numbers: list[int] = []
    for label in labels:
        if not label:
            raise ValueError(f"{host!r} has an empty part")
        if not _NUMERIC_LABEL_RE.match(label):
            raise ValueError(f"{host!r} mixes a name with a numeric address")
        if label.startswith("0x"):
            numbers.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            if not re.fullmatch(r"[0-7]+", label):
                raise ValueError(f"{host!r}: {label!r} is not an octal number")
            numbers.append(int(label, 8))
        else:
            numbers.append(int(label, 10))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise ValueError(f"{host!r} is out of range for an IPv4 address")
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host denotes literally (IPv6 without brackets, any IPv4 notation).

    ``None`` for a host name; ``ValueError`` for a malformed numeric host.
    """
    text = host.strip("[]")
    if ":" in text:
        return ipaddress.IPv6Address(text)
    return parse_ipv4_number(text)


def address_zone(address: IPAddress | str) -> tuple[Zone, str]:
    """The zone of ``address`` and, unless public, what kind of address it is ("a loopback
    address", "the cloud metadata address"…).  IPv6 forms of IPv4 addresses count as those."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            zone, why = address_zone(embedded)
            return zone, (f"{why} (inside the IPv6 address {ip})" if why else "")
        blocked: Iterable[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, Zone, str]]
        blocked = _BLOCKED_V6
    else:
        blocked = _BLOCKED_V4
    for network, zone, why in blocked:
        if ip in network:
            return zone, why
    if not ip.is_global:  # anything else IANA lists as not globally reachable
        return Zone.PRIVATE, "not a globally routable address"
    return Zone.PUBLIC, ""


def address_refusal(
    address: IPAddress | str, allowed: Collection[Zone] = PUBLIC_ONLY
) -> str | None:
    """Why citetrack must not connect to ``address``, or ``None`` if its zone is ``allowed``
    (by default: only public addresses)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    zone, why = address_zone(ip)
    if zone in allowed:
        return None
    return f"{ip} is {why}"


def allowed_zones(allow_private: bool) -> frozenset[Zone]:
    """The zones a cited URL may point at: public only, or (``allow_private``) all but the
    forbidden zone."""
    return WITH_PRIVATE if allow_private else PUBLIC_ONLY


def chain_zones(origin: Iterable[str], allowed: Collection[Zone]) -> frozenset[Zone]:
    """The zones the redirects of a chain may lead to, given the addresses of its first URL.

    Public addresses always, plus the (allowed) non-public zones of the cited URL's own
    addresses: a redirect may stay in the network the citation points at, never move into
    another one.  A public page can therefore never redirect into a private network.
    """
    zones = {address_zone(address)[0] for address in origin}
    return frozenset({Zone.PUBLIC} | {z for z in zones if z in allowed})


_CONNECTION_ZONES: contextvars.ContextVar[frozenset[Zone] | None] = contextvars.ContextVar(
    "citetrack_connection_zones", default=None
)


@contextlib.contextmanager
def connection_zones(zones: Collection[Zone]) -> Iterator[None]:
    """Within this block, :class:`GuardedNetworkBackend` connects only to ``zones``.

    A context variable, because httpcore opens connections in the task that sends the
    request: the link checker narrows the policy to one redirect chain's zones without a
    transport per chain.  It can only narrow: the backend's own policy still applies.
    """
    token = _CONNECTION_ZONES.set(frozenset(zones))
    try:
        yield
    finally:
        _CONNECTION_ZONES.reset(token)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped, IPv4-translated (SIIT),
    NAT64 well-known, 6to4)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or ip in _IPV4_TRANSLATED:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_localhost_name(host: str) -> bool:
    """Whether ``host`` is a name for the local machine (``localhost``, ``x.localhost``…)."""
    return host in _LOCALHOST_NAMES or host.endswith(".localhost")


def vet_syntax(
    url: str, *, allow_private: bool = False, zones: Collection[Zone] | None = None
) -> Vetting:
    """Every check that needs no DNS: scheme, userinfo, host syntax, literal addresses.

    ``zones`` (default: :func:`allowed_zones` of ``allow_private``) are the zones a literal
    address or a ``localhost`` name may be in.  When the host is an IP literal the result is
    final (``addresses`` holds it); for a name, :func:`vet_url` still has to resolve and
    check the addresses.
    """
    allowed = allowed_zones(allow_private) if zones is None else zones
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        return Vetting(url, refusal=f"malformed URL ({exc})")
    scheme = parsed.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        return Vetting(url, refusal=f"only http and https URLs are checked ({shown})")
    if parsed.userinfo:
        return Vetting(url, refusal="URL carries a user name or password (user@host)")
    try:
        host = parsed.raw_host.decode("ascii").lower()
    except UnicodeDecodeError:
        return Vetting(url, refusal="malformed host name")
    port = parsed.port or (443 if scheme == "https" else 80)
    if not host:
        return Vetting(url, refusal="URL has no host")
    try:
        literal = parse_ip_literal(host)
    except ValueError as exc:
        return Vetting(url, host=host, port=port, refusal=f"malformed numeric host ({exc})")
    if literal is not None:
        return Vetting(url, host, port, (str(literal),), address_refusal(literal, allowed))
    name = host[:-1] if host.endswith(".") else host
    if not _HOST_NAME_RE.match(name) or ".." in name:
        return Vetting(url, host=host, port=port, refusal=f"malformed host name {host!r}")
    if is_localhost_name(name):
        if Zone.LOOPBACK not in allowed:
            return Vetting(url, host=host, port=port, refusal=f"{host} is the local machine")
        # RFC 6761 §6.3: localhost names are loopback; they are never asked of DNS.
        return Vetting(url, host, port, _LOCALHOST_ADDRESSES)
    return Vetting(url, host=host, port=port)


async def vet_url(
    url: str,
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    zones: Collection[Zone] | None = None,
) -> Vetting:
    """:func:`vet_syntax`, then resolve a host name and check every address it has.

    Raises :class:`HostNotResolved` when the name cannot be resolved (that is not a policy
    refusal: the caller decides whether the link is dead or merely unverified).
    """
    allowed = allowed_zones(allow_private) if zones is None else zones
    vetting = vet_syntax(url, zones=allowed)
    if vetting.refusal is not None or vetting.addresses:
        return vetting
    addresses = await resolve(vetting.host, vetting.port, resolver or default_resolver)
    for address in addresses:
        why = address_refusal(address, allowed)
        if why is not None:
            return Vetting(
                url,
                vetting.host,
                vetting.port,
                tuple(addresses),
                f"{vetting.host} resolves to {why}",
            )
    return Vetting(url, vetting.host, vetting.port, tuple(addresses))


async def check_url_allowed(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> str | None:
    """``None`` if ``url`` may be fetched, else the reason it is refused.

    Raises :class:`HostNotResolved` when the host name does not resolve.  Names are
    resolved even with ``allow_private``: a name may still point at a forbidden address
    (link-local, cloud metadata).
    """
    return (await vet_url(url, allow_private=allow_private, resolver=resolver)).refusal


async def resolve(host: str, port: int, resolver: Resolver) -> list[str]:
    """The addresses of ``host`` (IP literals parsed, names resolved), never empty.

    Raises :class:`HostNotResolved` on any DNS failure or a malformed answer.
    """
    try:
        literal = parse_ip_literal(host)
    except ValueError as exc:
        raise HostNotResolved(host, str(exc), permanent=True) from None
    if literal is not None:
        return [str(literal)]
    name = host[:-1] if host.endswith(".") else host
    if is_localhost_name(name.lower()):
        return list(_LOCALHOST_ADDRESSES)  # RFC 6761 §6.3: never asked of DNS
    try:
        answers = list(await resolver(name, port))
    except socket.gaierror as exc:
        permanent = exc.errno in _NAME_NOT_FOUND
        raise HostNotResolved(host, exc.strerror or str(exc), permanent=permanent) from None
    except OSError as exc:
        raise HostNotResolved(host, str(exc), permanent=False) from None
    except UnicodeError:  # e.g. a label longer than 63 characters: not a DNS name at all
        raise HostNotResolved(host, "not a valid DNS name", permanent=True) from None
    addresses: list[str] = []
    for answer in answers:
        try:
            addresses.append(str(ipaddress.ip_address(answer.split("%", 1)[0])))
        except ValueError:
            raise HostNotResolved(host, f"resolver returned {answer!r}", permanent=False) from None
    if not addresses:
        raise HostNotResolved(host, "no address", permanent=True)
    return addresses


# --------------------------------------------------------------------- the guarded transport


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to vetted addresses.

    ``connect_tcp`` resolves the host itself, refuses (with :class:`AddressRefused`) unless
    every address is in an allowed zone (those of ``allow_private``, narrowed further inside
    a :func:`connection_zones` block), then connects to the addresses in turn, by IP.  Because the
    address checked is the address connected to, a DNS answer that changes between the
    link checker's own check and the connection cannot smuggle a private address in.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._zones = allowed_zones(allow_private)
        self._resolver = resolver or default_resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve(host, port, self._resolver)
        except HostNotResolved as exc:
            raise httpcore.ConnectError(str(exc)) from None
        narrowed = _CONNECTION_ZONES.get()
        allowed = self._zones if narrowed is None else self._zones & narrowed
        for address in addresses:
            why = address_refusal(address, allowed)
            if why is not None:
                raise AddressRefused(f"{host} resolves to {why}")
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("unix sockets are never used for links")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's standard transport, but every connection goes through
    :class:`GuardedNetworkBackend`.  No proxy (environment proxies are ignored), no unix
    socket.  Relies on httpx 0.28's ``_pool`` attribute (pinned ``<1`` in pyproject).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        verify: ssl.SSLContext | bool = True,
        http2: bool = False,
        limits: httpx.Limits | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=50, max_keepalive_connections=10)
        super().__init__(verify=verify, http2=http2, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=http2,
            network_backend=GuardedNetworkBackend(
                allow_private=allow_private, resolver=resolver, inner=network_backend
            ),
        )
