"""Asking the registries about identifiers a store does not hold, once across runners.

Given the keys a store had no fresh answer for, :func:`fetch_claimed` claims them in the
store; this runner asks the registry about the keys it got (renewing its claims while the
answer takes), and waits for the other runners' answers to the rest, polling the store.  A
claim given up without an answer (the other runner could not ask) is taken over and asked
here.  With the local SQLite cache every key is claimed at once: one plain fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence

from citetrack.model import Evidence, Found, NotFound, Source, Unavailable
from citetrack.tracking.store import EvidenceStore

Fetch = Callable[[list[str]], Awaitable[Mapping[str, Evidence]]]

#: Seconds between two looks at the store while another runner is asking: the first
#: look soon, then less and less often (a long, rate-limited fetch elsewhere must not
#: turn into a flood of queries on the store).
POLL_INTERVAL = 0.2
POLL_MAX = 2.0


async def fetch_claimed(
    store: EvidenceStore,
    source: Source,
    missing: Sequence[str],
    fetch: Fetch,
    *,
    poll: float = POLL_INTERVAL,
    poll_max: float = POLL_MAX,
) -> dict[str, Evidence]:
    """Evidence for every key of ``missing``: asked here, or answered by another runner.

    Answers asked here are stored (``Found`` / ``NotFound`` only); a key ``fetch`` leaves
    unanswered is ``Unavailable``.
    """
    out: dict[str, Evidence] = {}
    pending = list(dict.fromkeys(missing))
    while pending:
        mine = store.claim(source, pending)
        if mine:
            # Another runner may have stored the answer between our look and our claim.
            late = store.get_many(source, mine)
            if late:
                store.release(source, late)
                out.update(late)
            ask = [k for k in pending if k in mine and k not in late]
            if ask:
                out.update(await _ask(store, source, ask, fetch))
        waiting = [k for k in pending if k not in out]
        if waiting:
            await asyncio.sleep(poll)
            poll = min(poll * 1.5, poll_max)
            out.update(store.get_many(source, waiting))
        pending = [k for k in pending if k not in out]
    return out


async def _ask(
    store: EvidenceStore, source: Source, keys: list[str], fetch: Fetch
) -> dict[str, Evidence]:
    task = asyncio.ensure_future(fetch(keys))
    try:
        lease = getattr(store, "lease", None)
        if isinstance(lease, int | float) and lease > 0:
            while not task.done():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), timeout=lease / 3)
                if not task.done():
                    store.renew()
        fetched = await task
    except BaseException:
        task.cancel()
        store.release(source, keys)
        raise
    out: dict[str, Evidence] = {}
    fresh: list[Evidence] = []
    for key in keys:
        evidence = fetched.get(key) or Unavailable(source, key, "no answer for this identifier")
        out[key] = evidence
        if isinstance(evidence, Found | NotFound):
            fresh.append(evidence)
    store.put_many(fresh)
    # Stored answers dropped their claims with them; give up the rest (failures).
    store.release(source, keys)
    return out
