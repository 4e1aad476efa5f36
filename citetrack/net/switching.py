"""The interpreter's thread switch interval while requests are paced to the millisecond.

CPython hands its interpreter lock from a thread that computes to one that waits for it
only every ``sys.getswitchinterval()`` seconds (5 ms by default).  A thread that gives the
lock up often — an event loop polling its sockets, sqlite stepping through rows — waits
that long each time it wants it back while another thread computes (the "convoy effect",
https://bugs.python.org/issue7946).  A cold check has such pairs the whole run: the loader
beside the Crossref prefetch's event loop, the comparison worker beside the check's event
loop.  Measured (issue 16, bench/timeline.py and py-spy, 10,000 references): Crossref's
windows went out up to 1 s late while the .bib loaded, and 30-60 ms late per window while
early comparisons and 2,000 link checks ran beside them.

:func:`hold` lowers the interval while at least one holder needs it and puts the old
value back when the last one lets go (the prefetch and the check overlap in time, but
neither nests in the other).  It changes a process-wide setting: only for as long as
requests are in flight, and never upward.
"""

from __future__ import annotations

import sys
import threading

#: The interval while paced requests are in flight: a tenth of Python's default.
PACED = 0.0005


class _Holds:
    """How many holders need the lowered interval, and the interval found before them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.before = 0.0


_holds = _Holds()


def hold() -> None:
    """Lower the switch interval to :data:`PACED` (if it is higher) until :func:`release`."""
    with _holds.lock:
        if _holds.count == 0:
            _holds.before = sys.getswitchinterval()
            if _holds.before > PACED:
                sys.setswitchinterval(PACED)
        _holds.count += 1


def release() -> None:
    """Let go of one :func:`hold`; the last one puts the interval found then back."""
    with _holds.lock:
        if _holds.count == 0:
            return
        _holds.count -= 1
        if _holds.count == 0 and _holds.before > PACED:
            sys.setswitchinterval(_holds.before)
