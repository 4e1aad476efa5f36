"""Asking Crossref about DOIs while the .bib is still loading (issue 16, the cold path).

A cold check of a big bibliography is paced by Crossref's list route (3 requests a
second), and loading a 10,000-entry .bib took 2.4 s before the first request could go out.
A :class:`Prefetch` runs in a background thread with its own event loop while the CLI
loads: the loader hands it the references of each chunk it reads afresh (from a warm .bib
memo, none: a warm run asks nothing here), and it asks Crossref about their DOIs in lists
of 50 — the same service, limiters and local cache as the check.  When the load is done,
it keeps asking until the check first needs Crossref's network (:class:`Handover`): the
check's own set-up — its cache look-ups, starting thousands of link checks — took a
whole window or more of the event loop, and a prefetch stopped when the load ended left
Crossref idle meanwhile (issue 16: 1.0–1.3 s of a cold 10,000-reference run).  Then
requests still waiting for their turn are cancelled (the server never saw them), those on
the wire are answered, and the check takes over: it looks its DOIs up in the cache again,
asks only about the rest, and paces from the prefetch's last requests (it is handed the
limiters).  The result is the same as without a prefetch: an answer read from the cache
is the answer that was fetched.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from citetrack.model import Reference
from citetrack.net import Http, Limiters, NetConfig, RequestStats, make_client, switching
from citetrack.registries.crossref import LISTS_ALONE_SECONDS, MAX_BATCH, CrossrefService
from citetrack.tracking.cache import DEFAULT_NOT_FOUND_TTL, CacheMode
from citetrack.tracking.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    from citetrack.config import Settings

log = logging.getLogger(__name__)


class Prefetch:
    """Crossref list requests for the DOIs the loader reads, until :meth:`finish`.

    ``feed`` is called from the loading thread; everything else runs on the prefetch's own
    event loop, in its thread.  ``limiters`` and ``requests`` are for the check that
    follows: hand it the limiters (detached by :meth:`finish`) and add the requests to its
    own counts.
    """

    #: Crossref list requests in flight or waiting at once: one window's worth (the
    #: concurrency of the list route), so that :meth:`finish` has little to wait for.
    WORKERS = 3
    #: Seconds the loader waits, once, for the first request to go on the wire.
    FIRST_REQUEST_WAIT = 0.3

    def __init__(
        self,
        net: NetConfig,
        *,
        cache_dir: Path | None,
        found_ttl: float,
        batch: int = MAX_BATCH,
    ) -> None:
        self.net = net
        self._client = make_client(net)  # built by the first list of DOIs (_start_thread)
        self.limiters = Limiters.from_config(net)
        self.stats = RequestStats()
        self._cache_dir = cache_dir
        self._found_ttl = found_ttl
        self._batch = batch
        self._seen: set[str] = set()
        self._fresh: list[str] = []  # read, not yet handed to the event loop
        self._dois: list[str] = []  # handed over, not yet asked, in the order read
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._ready = False  # start() called
        self._started = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.asked = 0  # DOIs handed to Crossref
        self._finishing = threading.Lock()
        self._first_sent = threading.Event()
        self._finished: tuple[Limiters | None] | None = None  # finish()'s answer

    @property
    def requests(self) -> Counter[str]:
        """HTTP attempts per service made by the prefetch."""
        return self.stats.requests

    # -- the loading thread's side

    def start(self) -> Prefetch:
        """Ready to take the loader's references.  The thread, its event loop and cache
        connection and the HTTP client start with the first list's worth of DOIs read
        afresh (:meth:`feed`): a warm run, whose chunks all come from the memo, starts none
        of them and imports no HTTP library (issue 16)."""
        self._ready = True
        return self

    def _start_thread(self) -> None:
        # The client is built here, in the loading thread, and the HTTP stack's modules
        # imported with it.  A background thread importing them while the loader holds the
        # interpreter lock got its share only at each switch and took 1.8 s.
        self._client.real()
        _import_request_path()
        self._thread = threading.Thread(target=self._main, name="citetrack-prefetch", daemon=True)
        # Beside the loader, the prefetch's loop got the interpreter lock back at the
        # loader's switches only: windows up to 1 s late (citetrack.net.switching).
        switching.hold()
        self._thread.start()
        self._started.wait()

    def feed(self, refs: Sequence[Reference]) -> None:
        """The references of a chunk just read (called by the loader, in its thread)."""
        fresh = self._fresh
        for ref in refs:
            doi = ref.identifiers.doi
            if doi and doi not in self._seen:
                self._seen.add(doi)
                fresh.append(doi)
        # Handed over a list's worth at a time: a wake-up per chunk kept the prefetch's
        # event loop reading its wake-up pipe for the whole load (each read gave up the
        # interpreter lock, and the loader wrote the next byte meanwhile).
        if len(fresh) < self._batch or self._stopping or not self._ready:
            return
        first = self._thread is None
        if first:
            self._start_thread()
        if self._loop is not None:
            self._fresh = []
            self._loop.call_soon_threadsafe(self._add, fresh)
            if first:
                # The loader holding the interpreter lock, the prefetch's thread got it at
                # each switch only: its first request left 0.25-0.4 s after this list was
                # handed over (issue 16), and every later Crossref request, the whole run,
                # that much later.  Waiting here lets it go out first; the load is not the
                # bound of a cold run, Crossref is.
                self._first_sent.wait(self.FIRST_REQUEST_WAIT)

    def finish(self) -> Limiters | None:
        """Stop asking: cancel what waits for its turn, let what is on the wire be answered,
        end the thread; the limiters, ready for the check's event loop (``None`` if the
        prefetch failed: the check then paces with its own).  Called again (from any
        thread), the same answer: the limiters are detached once, then the check's."""
        with self._finishing:
            if self._finished is None:
                self._finished = (self._finish(),)
            return self._finished[0]

    def _finish(self) -> Limiters | None:
        loop, thread = self._loop, self._thread
        self._stopping = True
        if loop is not None and thread is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop just closed
                loop.call_soon_threadsafe(self._stop)
            thread.join()
        if thread is not None:
            switching.release()
        if self._error is not None:
            log.debug("prefetch failed", exc_info=self._error)
            return None
        try:
            self.limiters.detach()
        except RuntimeError:
            log.debug("prefetch left requests behind", exc_info=True)
            return None
        return self.limiters

    # -- the prefetch's event loop

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # only an optimisation: the check asks anyway
            self._error = exc
        finally:
            self._started.set()

    def _sent(self, at: float) -> None:
        self._first_sent.set()
        self.limiters.crossref_list.on_sent = None  # once is enough

    def _add(self, dois: list[str]) -> None:
        self._dois += dois
        if self._wake is not None:
            self._wake.set()

    def _stop(self) -> None:
        self._stopping = True
        self.limiters.crossref_list.cancel_queued()
        self.limiters.crossref_single.cancel_queued()
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        store = open_store(
            None,
            cache_dir=self._cache_dir,
            mode=CacheMode.NORMAL,
            found_ttl=self._found_ttl,
            not_found_ttl=min(self._found_ttl, DEFAULT_NOT_FOUND_TTL),
        )
        self.limiters.crossref_list.on_sent = self._sent
        self._started.set()
        with store as cache:
            async with self._client as client:
                http = Http.from_config(client, self.net, stats=self.stats)
                crossref = CrossrefService.from_config(http, self.net, self.limiters, cache)
                workers = [self._worker(crossref, self._take_list) for _ in range(self.WORKERS)]
                singles = self.limiters.crossref_single.concurrency
                workers += [self._worker(crossref, self._take_single) for _ in range(singles)]
                await asyncio.gather(*workers)

    def _take_list(self) -> list[str] | None:
        """The next full list of DOIs from the front, if there is one."""
        if len(self._dois) < self._batch:
            return None
        batch, self._dois = self._dois[: self._batch], self._dois[self._batch :]
        return batch

    def _backlog(self) -> int:
        """DOIs waiting beyond which the single-record route helps (see
        :meth:`CrossrefService.stage`): what the lists ask in
        :data:`~citetrack.registries.crossref.LISTS_ALONE_SECONDS`."""
        return int(LISTS_ALONE_SECONDS * self._batch / self.limiters.crossref_list.spacing)

    def _take_single(self) -> list[str] | None:
        """The last DOI read, while more wait than :meth:`_backlog` (the lists take theirs
        from the front): for Crossref's single-record route, a separate pool beside the
        lists (api-notes §1.3), busy from the load on when the backlog is big (issue 16)."""
        return [self._dois.pop()] if len(self._dois) > self._backlog() else None

    async def _next(self, take: Callable[[], list[str] | None]) -> list[str] | None:
        """What ``take`` gives, once it gives something; ``None`` once stopping."""
        assert self._wake is not None
        while not self._stopping:
            dois = take()
            if dois is not None:
                return dois
            self._wake.clear()
            await self._wake.wait()
        return None

    async def _worker(
        self, crossref: CrossrefService, take: Callable[[], list[str] | None]
    ) -> None:
        while (dois := await self._next(take)) is not None:
            try:
                await crossref.fetch(dois)
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
                return  # still waiting for its turn when the load ended: never sent
            self.asked += len(dois)


class Handover:
    """The end of a :class:`Prefetch`, when the check first needs Crossref's network.

    A :data:`~citetrack.registries.crossref.Handover` for the check's
    :class:`CrossrefService`: the first call ends the prefetch (:meth:`Prefetch.finish`,
    in a worker thread: it waits for the answers on the wire), every call returns its
    limiters — the check paces from the prefetch's last requests — or ``None`` if it
    failed.  Until then the prefetch keeps Crossref's window busy while the check sets up.
    Nothing else of the check may use Crossref's limiters before (the pipeline's identifier
    search waits for it too).
    """

    #: The check's event loop is settled after this many turns in a row, each shorter than
    #: ``QUIET_TURN`` seconds; the prefetch ends then, or after ``SETTLE_LIMIT`` seconds.
    QUIET_TURNS = 3
    QUIET_TURN = 0.01
    SETTLE_LIMIT = 2.0

    def __init__(self, prefetch: Prefetch) -> None:
        self._prefetch = prefetch
        self._ended: asyncio.Future[Limiters | None] | None = None

    async def __call__(self) -> Limiters | None:
        if self._ended is None:
            self._ended = asyncio.ensure_future(self._end())
        # Shielded: a chunk cancelled while waiting must not cancel the others' wait.
        return await asyncio.shield(self._ended)

    async def _end(self) -> Limiters | None:
        # The check's first Crossref request comes right after its cache look-ups, while
        # its loop is still starting every other stage (2,000 link checks: 0.8 s at load
        # 2.4); a prefetch ended then left Crossref's next window unsent until the loop got
        # to the check's requests.  Ended once the loop is settled, it sends that window.
        await self._settled()
        return await asyncio.to_thread(self._prefetch.finish)

    async def _settled(self) -> None:
        loop = asyncio.get_running_loop()
        clock = loop.time
        give_up = clock() + self.SETTLE_LIMIT
        quiet = 0
        while quiet < self.QUIET_TURNS and clock() < give_up:
            before = clock()
            await asyncio.sleep(0)  # one turn of the loop: whatever else is ready runs
            quiet = quiet + 1 if clock() - before < self.QUIET_TURN else 0


#: Imported on an HTTP client's first request (httpcore picks its async backend then).
_REQUEST_PATH = ("httpcore._backends.anyio", "anyio._backends._asyncio")


def _import_request_path() -> None:
    for name in _REQUEST_PATH:
        with contextlib.suppress(ImportError):  # another version: imported when used
            importlib.import_module(name)


def prefetch_for(settings: Settings, net: NetConfig) -> Prefetch | None:
    """A started :class:`Prefetch` for a check with these settings, or ``None`` where it
    cannot help: no local cache to leave the answers in (``--no-cache``, ``--offline``, a
    shared store)."""
    if not settings.use_cache or settings.offline or settings.store:
        return None
    return Prefetch(
        net, cache_dir=settings.cache_dir, found_ttl=settings.cache_ttl_days * 86400
    ).start()
