"""Module-level patterns compiled on first use (:mod:`citetrack.lazyre`) behave as compiled
ones, and importing the modules that hold them compiles none (issue 16: start-up)."""

from __future__ import annotations

import re
import subprocess
import sys

from citetrack.lazyre import lazy_compile
from tests.e2e import REPO


def test_a_lazy_pattern_answers_as_the_compiled_one() -> None:
    source = r"(\d+)-(\d+)"
    lazy, real = lazy_compile(source, re.IGNORECASE), re.compile(source, re.IGNORECASE)
    text = "pages 12-15 and 101-9"
    assert lazy.sub(r"\2..\1", text) == real.sub(r"\2..\1", text)
    assert lazy.findall(text) == real.findall(text)
    assert lazy.split(text, maxsplit=1) == real.split(text, maxsplit=1)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert lazy.search(text) is not None and lazy.match(text) is None
    assert lazy.fullmatch("1-2") is not None
    assert (lazy.pattern, lazy.flags, lazy.groups) == (real.pattern, real.flags, real.groups)
    assert lazy_compile(rb"\\u[dD]8").search(b'"\\ud800"') is not None


def test_importing_the_rules_and_registries_compiles_none_of_their_patterns() -> None:
    code = (
        "import re, sys\n"
        "import citetrack.lazyre as lazyre\n"
        "compiled = []\n"
        "real = re.compile\n"
        "lazyre.re = type(sys)('re_spy')\n"
        "lazyre.re.compile = lambda *a: compiled.append(a) or real(*a)\n"
        "import citetrack.rules.text, citetrack.rules.fields, citetrack.rules.spelling\n"
        "import citetrack.rules.books, citetrack.registries.base\n"
        "assert compiled == [], compiled\n"
        "from citetrack.rules.text import fold\n"
        "assert fold('Colour <i>of</i> the Sea') == 'colour of the sea', fold('Colour')\n"
        "assert compiled, 'used: compiled'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
