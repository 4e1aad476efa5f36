"""Running one registry stage of ``check``: a service's fetch over many identifiers, in
chunks, with progress and early delivery of each chunk's answers.

Used by :mod:`citetrack.pipeline` (articles) and :mod:`citetrack.registries.books_search`
(books, identifier search); no service of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Identifiers handed to one service call; the services batch inside a call, this only
#: sets how often the progress bar moves (multiples of the services' batch sizes).
PROGRESS_CHUNK = 200

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Arrived = Callable[[Iterable[str]], None]  # identifiers whose evidence just arrived


def unique(values: Iterable[str | None]) -> list[str]:
    """The non-empty ``values``, first occurrence kept, in order."""
    return list(dict.fromkeys(v for v in values if v))


async def chunked(
    stage: str,
    items: Sequence[str],
    fetch: Callable[[Sequence[str]], Awaitable[Mapping[str, T]]],
    progress: Progress | None,
    size: int = PROGRESS_CHUNK,
    *,
    into: dict[str, T] | None = None,
    arrived: Arrived | None = None,
) -> dict[str, T]:
    """``fetch`` over ``items`` in chunks run concurrently, reporting progress per chunk.

    Chunks share the service's rate limiter, so this adds no requests and no speed beyond
    what the limiter allows (``size`` is a multiple of every service's batch size); it lets
    the progress bar move on long runs, and each chunk's answers go into ``into`` (returned)
    as soon as they come, then ``arrived`` is told their keys.
    """
    out: dict[str, T] = {} if into is None else into
    if not items:
        return out
    done = 0
    if progress:
        progress(stage, 0, len(items))

    async def one(part_items: Sequence[str]) -> None:
        nonlocal done
        part = await fetch(part_items)
        out.update(part)
        done += len(part_items)
        if progress:
            progress(stage, done, len(items))
        if arrived:
            arrived(part.keys())

    await asyncio.gather(*(one(items[i : i + size]) for i in range(0, len(items), size)))
    return out
