"""How a ``citetrack`` process treats its cycle collector (issue 16).

A run keeps hundreds of thousands of long-lived objects (entries, records, findings)
until it exits.  CPython's cycle collector traverses every tracked object again at each
collection of its generation: at the default threshold (700 allocations) that took about
2 s of a warm 10,000-reference check's 7 s of CPU, and with the threshold raised, the
objects of a 100,000-entry load were still traversed by a young collection (0.3 s) and an
older one (0.5-0.9 s) for nothing: they live to the end of the run.

:func:`collect_less_often` raises the threshold; :func:`process_run`, called only when
``main`` runs the process (the console script, ``python -m citetrack``), lets :func:`keep`
freeze what exists at the end of a stage (``gc.freeze``: moved out of the collector's
generations, still freed by reference counting).  Code that calls the CLI inside a
longer-lived process (tests, ``click.testing``) keeps a collector that sees everything.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: Set by :func:`process_run` (a one-element list: no ``global`` statement).
_one_shot: list[bool] = []
#: Set while :func:`settle` holds the collector off, until the next :func:`keep`.
_settling: list[bool] = []


def collect_less_often() -> None:
    """The threshold for a run of citetrack (``main``, in a process of its own or not)."""
    gc.set_threshold(50_000, 20, 10)


def process_run() -> None:
    """``main`` runs this process and exits after one command."""
    _one_shot[:] = [True]


@contextlib.contextmanager
def paused(*, then_keep: bool = False) -> Iterator[None]:
    """No collection inside: for loading, which builds objects that live to the end of the
    run (a young collection of a 100,000-entry load traversed them for 0.3-0.5 s) and no
    cycles of garbage; :func:`keep` follows it.  Only in a :func:`process_run`.

    ``then_keep``: :func:`keep` at the end, before the collector is back on: else its
    first young collection traverses every object made inside, all of them still young
    (0.16-0.18 s after a 100,000-entry load, in-process; issue 16)."""
    if not _one_shot or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if then_keep:
            gc.freeze()
        gc.enable()


def keep() -> None:
    """What exists now lives until the process exits: leave it out of later collections
    (nothing, unless :func:`process_run`); the collector is back on if :func:`settle`
    held it off."""
    if _one_shot:
        gc.freeze()
        if _settling:
            _settling.clear()
            gc.enable()


def settle() -> None:
    """A check's answers are all in: :func:`keep` them, and hold the collector off until
    the next :func:`keep` (``run_check``'s, once the result is made): the findings and
    results made meanwhile live to the end of the run and make no cycles (a warm
    100,000-reference check: 22 young collections, 0.14 s, that found nothing; issue
    16).  Only in a :func:`process_run`, and only if the collector is on."""
    if not _one_shot:
        return
    gc.freeze()
    if gc.isenabled():
        gc.disable()
        _settling[:] = [True]
