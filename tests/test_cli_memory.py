"""The CLI's collector policy (``citetrack/cli/memory.py``): objects frozen only when
``main`` runs the process, never inside a longer-lived one (tests, click's runner)."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e import REPO

_PROBE = """
import gc
from citetrack.cli import memory
memory.collect_less_often()
memory.keep()
before = gc.get_freeze_count()
memory.process_run()
memory.keep()
print(before, gc.get_freeze_count() > 0, gc.get_threshold())
"""


def test_objects_are_frozen_only_in_a_process_main_runs() -> None:
    # A subprocess: freezing the test run's own objects would outlive this test.
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.split(maxsplit=2) == ["0", "True", "(50000, 20, 10)\n"]


_PAUSE_PROBE = """
import gc
from citetrack.cli import memory
seen = []
with memory.paused():
    seen.append(gc.isenabled())
memory.process_run()
with memory.paused():
    seen.append(gc.isenabled())
seen.append(gc.isenabled())
try:
    with memory.paused():
        raise KeyError
except KeyError:
    seen.append(gc.isenabled())
gc.disable()
with memory.paused():
    pass
seen.append(gc.isenabled())
print(seen)
"""


def test_the_collector_pauses_only_in_a_process_main_runs_and_comes_back() -> None:
    # Paused while a .bib loads (issue 16); enabled again after it, even on an error, and
    # left disabled if someone else had disabled it.
    out = subprocess.run(
        [sys.executable, "-c", _PAUSE_PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[True, False, True, True, False]"


_KEEP_PROBE = """
import gc
from citetrack.cli import memory
seen = []
with memory.paused(then_keep=True):
    held = [[] for _ in range(1000)]
seen.append(gc.get_freeze_count())
memory.process_run()
with memory.paused(then_keep=True):
    held += [[] for _ in range(1000)]
seen.append(gc.get_freeze_count() >= 2000)
seen.append(gc.isenabled())
seen.append(gc.get_count()[0] < 1000)
print(seen)
"""


def test_what_a_kept_pause_made_is_frozen_before_the_collector_comes_back() -> None:
    # The load's objects are frozen as the pause ends (issue 16: the first young collection
    # after it traversed all of them, 0.16-0.18 s at 100,000 entries); outside a process
    # main runs, nothing is frozen.
    out = subprocess.run(
        [sys.executable, "-c", _KEEP_PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[0, True, True, True]"


_SETTLE_PROBE = """
import gc
from citetrack.cli import memory
seen = []
memory.settle()
seen.append((gc.isenabled(), gc.get_freeze_count()))
memory.process_run()
held = [[] for _ in range(1000)]
memory.settle()
seen.append((gc.isenabled(), gc.get_freeze_count() >= 1000))
memory.keep()
seen.append(gc.isenabled())
memory.keep()
seen.append(gc.isenabled())
gc.disable()
memory.settle()
memory.keep()
seen.append(gc.isenabled())
print(seen)
"""


def test_a_settled_check_holds_the_collector_off_until_its_result_is_kept() -> None:
    # issue 16: from the answers (settle) to the result (keep) no collection; back on
    # after, never turned on if someone else had turned it off; nothing outside a
    # process main runs.
    out = subprocess.run(
        [sys.executable, "-c", _SETTLE_PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[(True, 0), (False, True), True, True, False]"
