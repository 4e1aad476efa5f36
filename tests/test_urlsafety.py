"""The SSRF guard: schemes, userinfo, numeric-host tricks, private addresses, DNS rebinding."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing
from collections.abc import Sequence

import httpcore
import httpx
import pytest

from citetrack.net.urlsafety import (
    PUBLIC_ONLY,
    WITH_PRIVATE,
    AddressRefused,
    GuardedNetworkBackend,
    GuardedTransport,
    HostNotResolved,
    Zone,
    address_refusal,
    address_zone,
    chain_zones,
    check_url_allowed,
    connection_zones,
    parse_ipv4_number,
    vet_syntax,
    vet_url,
)


def fixed_resolver(table: dict[str, list[str]]) -> typing.Callable[[str, int], typing.Any]:
    """A resolver answering from ``table``; unknown names are NXDOMAIN."""

    async def resolver(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolver


PUBLIC = {"example.org": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]}


# ------------------------------------------------------------------ numeric host notation


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),  # one decimal number
        ("0x7f.1", "127.0.0.1"),  # hex, two parts
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),  # octal
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),  # trailing dot
        ("0", "0.0.0.0"),
        ("3232235777", "192.168.1.1"),
        ("134744072", "8.8.8.8"),
    ],
)
def test_numeric_hosts_are_read_like_a_resolver_would(host: str, address: str) -> None:
    assert parse_ipv4_number(host) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("host", ["1.2.3.999", "08.1.1.1", "1.2.3.4.5", "example.123", "1..2"])
def test_malformed_numeric_hosts_raise(host: str) -> None:
    with pytest.raises(ValueError):
        parse_ipv4_number(host)


@pytest.mark.parametrize("host", ["example.org", "123.example.org", "x1"])
def test_names_are_not_numbers(host: str) -> None:
    assert parse_ipv4_number(host) is None


# ------------------------------------------------------------------------ address ranges


@pytest.mark.parametrize(
    ("address", "word"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fc00::1", "unique local"),
        ("fd00:ec2::254", "metadata"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:a9fe:a9fe", "metadata"),  # IPv4-mapped 169.254.169.254
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
        ("2001:db8::1", "documentation"),
    ],
)
def test_non_public_addresses_are_refused(address: str, word: str) -> None:
    reason = address_refusal(address)
    assert reason is not None
    assert word in reason


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(address) is None


# --------------------------------------------------------------------------- URL checks


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://ftp.example.org/pub/paper.pdf",
        "javascript:alert(1)",
        "gopher://example.org:70/1",
        "data:text/html,<h1>hi</h1>",
        "mailto:someone@example.org",
        "//example.org/no-scheme",
    ],
)
async def test_only_http_and_https_even_with_allow_private(url: str) -> None:
    for allow_private in (False, True):
        reason = await check_url_allowed(
            url, allow_private=allow_private, resolver=fixed_resolver(PUBLIC)
        )
        assert reason is not None
        assert "http" in reason or "malformed" in reason


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@example.org/",
        "http://example.org@127.0.0.1/",
        "http://evil.example\\@127.0.0.1/",
        "http://127.0.0.1:80@example.org/",
    ],
)
async def test_userinfo_is_refused(url: str) -> None:
    reason = await check_url_allowed(url, allow_private=True, resolver=fixed_resolver(PUBLIC))
    assert reason is not None
    assert "user name or password" in reason


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f.1/",
        "http://017700000001/",
        "http://127.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://10.0.0.1/",
        "http://localhost:8080/",
        "http://LOCALHOST./",
        "http://admin.localhost/",
    ],
)
async def test_tricky_local_urls_are_refused_without_dns(url: str) -> None:
    async def no_dns(host: str, port: int) -> Sequence[str]:
        raise AssertionError(f"DNS asked about {host}")

    assert await check_url_allowed(url, resolver=no_dns) is not None


@pytest.mark.parametrize(
    "url", ["http://%31%32%37.0.0.1/", "http://1.2.3.999/", "http://exa mple.org/"]
)
def test_malformed_hosts_are_refused(url: str) -> None:
    refusal = vet_syntax(url).refusal
    assert refusal is not None
    assert "malformed" in refusal


async def test_a_name_is_refused_if_any_address_is_private() -> None:
    resolver = fixed_resolver({"mixed.example": ["93.184.216.34", "10.1.2.3"]})
    reason = await check_url_allowed("https://mixed.example/x", resolver=resolver)
    assert reason is not None
    assert "10.1.2.3" in reason


async def test_public_names_pass_and_report_their_addresses() -> None:
    vetting = await vet_url("https://Example.ORG/page?q=1", resolver=fixed_resolver(PUBLIC))
    assert vetting.refusal is None
    assert vetting.host == "example.org"
    assert vetting.port == 443
    assert vetting.addresses == tuple(PUBLIC["example.org"])


async def test_allow_private_admits_loopback_and_private_addresses_only() -> None:
    resolver = fixed_resolver(
        {
            "emulator.test": ["127.0.0.1"],
            "wiki.intranet": ["10.1.2.3"],
            "meta.test": ["169.254.169.254"],
        }
    )
    for url in (
        "http://127.0.0.1:8000/x",
        "http://localhost/",  # RFC 6761: loopback without asking DNS
        "http://emulator.test/",
        "http://wiki.intranet/page",
        "http://192.168.0.10/",
    ):
        assert await check_url_allowed(url, allow_private=True, resolver=resolver) is None
    assert await check_url_allowed("ftp://127.0.0.1/", allow_private=True) is not None
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/latest/meta-data/",
        "http://meta.test/",  # a name for the metadata address
        "http://[fe80::1]/",
        "http://0.0.0.0:8080/",
        "http://224.0.0.1/",
    ):
        reason = await check_url_allowed(url, allow_private=True, resolver=resolver)
        assert reason is not None, url


@pytest.mark.parametrize(
    ("address", "zone"),
    [
        ("8.8.8.8", Zone.PUBLIC),
        ("127.0.0.5", Zone.LOOPBACK),
        ("::ffff:127.0.0.1", Zone.LOOPBACK),
        ("10.0.0.1", Zone.PRIVATE),
        ("fd12::1", Zone.PRIVATE),
        ("100.64.1.1", Zone.PRIVATE),
        ("169.254.169.254", Zone.FORBIDDEN),
        ("169.254.10.1", Zone.FORBIDDEN),
        ("fe80::1", Zone.FORBIDDEN),
        ("::ffff:169.254.169.254", Zone.FORBIDDEN),
        ("0.0.0.0", Zone.FORBIDDEN),
        ("ff02::1", Zone.FORBIDDEN),
    ],
)
def test_address_zones(address: str, zone: Zone) -> None:
    assert address_zone(address)[0] is zone


def test_redirects_stay_in_the_cited_urls_zone() -> None:
    assert chain_zones(["93.184.216.34"], WITH_PRIVATE) == PUBLIC_ONLY
    assert chain_zones(["127.0.0.1"], WITH_PRIVATE) == {Zone.PUBLIC, Zone.LOOPBACK}
    assert chain_zones(["10.0.0.1"], WITH_PRIVATE) == {Zone.PUBLIC, Zone.PRIVATE}
    assert chain_zones(["127.0.0.1"], PUBLIC_ONLY) == PUBLIC_ONLY  # never wider than allowed


async def test_nxdomain_raises_permanent_and_temporary_failure_is_not() -> None:
    with pytest.raises(HostNotResolved) as gone:
        await vet_url("https://no-such-host.example/", resolver=fixed_resolver({}))
    assert gone.value.permanent

    async def flaky(host: str, port: int) -> Sequence[str]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    with pytest.raises(HostNotResolved) as later:
        await vet_url("https://example.org/", resolver=flaky)
    assert not later.value.permanent


# ------------------------------------------------------------------ the guarded transport


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records where connections were attempted; never connects."""

    def __init__(self) -> None:
        self.connected: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        return httpcore.AsyncMockStream([])

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AssertionError("unix socket")

    async def sleep(self, seconds: float) -> None:
        raise AssertionError("no sleeping in tests")


async def test_backend_connects_to_the_vetted_address_not_the_name() -> None:
    inner = RecordingBackend()
    backend = GuardedNetworkBackend(resolver=fixed_resolver(PUBLIC), inner=inner)
    await backend.connect_tcp("example.org", 443)
    assert inner.connected == [("93.184.216.34", 443)]


async def test_backend_refuses_private_answers_before_connecting() -> None:
    inner = RecordingBackend()
    backend = GuardedNetworkBackend(resolver=fixed_resolver({"x.test": ["10.0.0.7"]}), inner=inner)
    with pytest.raises(AddressRefused):
        await backend.connect_tcp("x.test", 80)
    with pytest.raises(AddressRefused):
        await backend.connect_tcp("2130706433", 80)  # numeric trick, no DNS involved
    assert inner.connected == []


async def test_dns_rebinding_between_check_and_connect_is_caught() -> None:
    """The name is public when vetted, private when the connection is made."""
    answers = iter([["93.184.216.34"], ["169.254.169.254"]])

    async def rebinding(host: str, port: int) -> Sequence[str]:
        return next(answers)

    assert await check_url_allowed("http://rebind.test/", resolver=rebinding) is None
    inner = RecordingBackend()
    backend = GuardedNetworkBackend(resolver=rebinding, inner=inner)
    with pytest.raises(AddressRefused, match="metadata"):
        await backend.connect_tcp("rebind.test", 80)
    assert inner.connected == []


async def test_connection_zones_narrow_the_backend_within_a_block() -> None:
    inner = RecordingBackend()
    resolver = fixed_resolver({"emulator.test": ["127.0.0.1"], "intranet.test": ["10.0.0.7"]})
    backend = GuardedNetworkBackend(allow_private=True, resolver=resolver, inner=inner)
    await backend.connect_tcp("intranet.test", 80)
    with connection_zones({Zone.PUBLIC, Zone.LOOPBACK}):
        await backend.connect_tcp("emulator.test", 80)
        with pytest.raises(AddressRefused, match=r"10\.0\.0\.7"):
            await backend.connect_tcp("intranet.test", 80)
    widened = connection_zones(WITH_PRIVATE | {Zone.FORBIDDEN})  # cannot widen the policy
    with widened, pytest.raises(AddressRefused, match="metadata"):
        await backend.connect_tcp("169.254.169.254", 80)
    assert inner.connected == [("10.0.0.7", 80), ("127.0.0.1", 80)]


async def test_guarded_transport_end_to_end_on_loopback() -> None:
    """A real connection (127.0.0.1 only): the vetted IP is dialled, the Host header kept."""
    seen: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    resolver = fixed_resolver({"paper.test": ["127.0.0.1"]})
    try:
        allowed = GuardedTransport(allow_private=True, resolver=resolver)
        async with httpx.AsyncClient(transport=allowed) as client:
            response = await client.get(f"http://paper.test:{port}/article")
        assert response.status_code == 200
        assert b"host: paper.test:" in seen[0].lower()

        guarded = GuardedTransport(resolver=resolver)
        async with httpx.AsyncClient(transport=guarded) as client:
            with pytest.raises(AddressRefused):
                await client.get(f"http://paper.test:{port}/article")
        assert len(seen) == 1  # the refused request never reached the server
    finally:
        server.close()
        await server.wait_closed()
