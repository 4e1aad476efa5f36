"""Content-Encoding decoding with a bound on the output: no compression bomb gets big.

httpx decodes a body chunk by chunk, but each chunk in full: one 64 KB network chunk of a
gzip bomb inflates to gigabytes before any size check sees it, and ``gzip, gzip`` (a
bomb inside a bomb, 6,777 bytes for 4 GiB) makes it worse.  :class:`Inflater` decodes
every layer of a ``Content-Encoding`` with ``zlib``'s ``max_length``, so no call ever
produces more than the room the caller has left; :func:`read_capped` reads a streamed
response's *raw* bytes through it and stops as soon as the decoded body passes its cap.

Every body citetrack reads goes through here: registry answers, the Wayback Machine's,
and web pages (:mod:`citetrack.links.page`).
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

#: Encodings stacked deeper than this are refused (real servers send one).
MAX_LAYERS = 2
#: What clients may advertise: exactly the encodings :class:`Inflater` decodes.
ACCEPT_ENCODING = "gzip, deflate"


class TooLarge(Exception):
    """The body is larger than the cap (as declared, or once decoded)."""

    def __init__(self, limit: int, declared: str | None = None) -> None:
        reason = (
            f"response too large ({declared} bytes)"
            if declared
            else f"response too large (more than {limit} bytes once decompressed)"
        )
        super().__init__(reason)
        self.reason = reason


class _Layer:
    """One encoding: pending input, and output produced at most ``room`` bytes at a time."""

    def __init__(self, name: str) -> None:
        self._raw_fallback = name == "deflate"
        self._pending = b""
        if name in ("gzip", "x-gzip"):
            self._z: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise ValueError(f"unsupported content encoding {name!r}")

    def push(self, data: bytes) -> None:
        if data:
            self._pending += data

    def pull(self, room: int) -> bytes:
        if self._z is None or not self._pending or room <= 0:
            return b""
        data, self._pending = self._pending, b""
        try:
            out = self._z.decompress(data, room)
        except zlib.error:
            if not self._raw_fallback:
                raise
            # "deflate" is sometimes sent without the zlib header (raw DEFLATE).
            self._raw_fallback = False
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._z.decompress(data, room)
        self._raw_fallback = False
        self._pending = self._z.unconsumed_tail
        return out


class Inflater:
    """Decodes a ``Content-Encoding`` (one or two stacked: ``gzip, gzip``) with a bound.

    ``feed(data, room)`` returns at most ``room`` decoded bytes; input it could not decode
    within the room is kept for the next call.  ``ValueError`` for an unknown or too deep
    encoding, ``zlib.error`` for a corrupt stream.
    """

    def __init__(self, encoding: str | None) -> None:
        names = [n.strip().lower() for n in (encoding or "").split(",")]
        names = [n for n in names if n and n != "identity"]
        if len(names) > MAX_LAYERS:
            raise ValueError(f"{len(names)} stacked content encodings ({encoding})")
        # Encodings are listed in the order they were applied: undo the last one first.
        self._layers = [_Layer(name) for name in reversed(names)]

    @property
    def identity(self) -> bool:
        return not self._layers

    def feed(self, data: bytes, room: int) -> bytes:
        if not self._layers:
            return data[:room]
        self._layers[0].push(data)
        out = bytearray()
        while len(out) < room:
            chunk = self._pump(room - len(out))
            if not chunk:
                break
            out += chunk
        return bytes(out)

    def _pump(self, room: int) -> bytes:
        data = self._layers[0].pull(room)
        for layer in self._layers[1:]:
            layer.push(data)
            data = layer.pull(room)
        return data


async def read_capped(streamed: httpx.Response, max_bytes: int) -> bytes:
    """A streamed response's decoded body; :class:`TooLarge` past ``max_bytes`` (declared
    or decoded: reading stops there), ``ValueError`` / ``zlib.error`` for an encoding that
    cannot be decoded."""
    declared = streamed.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(max_bytes, declared)
    if streamed.is_stream_consumed:
        # Already in memory and decoded by httpx (a response built from bytes, as mock
        # transports make); real network responses arrive as raw streams.
        if len(streamed.content) > max_bytes:
            raise TooLarge(max_bytes)
        return streamed.content
    inflater = Inflater(streamed.headers.get("content-encoding"))
    chunks: list[bytes] = []
    size = 0
    async for raw in streamed.aiter_raw():
        data = inflater.feed(raw, max_bytes + 1 - size)
        size += len(data)
        if size > max_bytes:
            raise TooLarge(max_bytes)
        chunks.append(data)
    # Whatever the decoders still hold once the stream ended.
    tail = inflater.feed(b"", max_bytes + 1 - size)
    if size + len(tail) > max_bytes:
        raise TooLarge(max_bytes)
    chunks.append(tail)
    return b"".join(chunks)
