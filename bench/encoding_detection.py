"""How well .bib encoding detection works: real UTF-8 .bib files transcoded to legacy encodings.

For each real .bib file with non-ASCII text (``/work/shared/bib`` and the recorded
fixtures), the lines each encoding can represent are written out in Latin-1, Windows-1252,
GBK and Windows-1250; then citetrack's rule (:func:`citetrack.inputs.encoding.decode_bib`)
and charset-normalizer (if installed) guess the encoding.  A guess is *right* when it
decodes to the original text, *refused* when citetrack asks for ``--encoding`` instead
(the safe answer for GBK), *wrong* when it would read mojibake.  ``mixed`` files are UTF-8
with one line written in Windows-1252 (a paste from another file): refusing is right.

    python bench/encoding_detection.py [DIR ...]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from citetrack.inputs.encoding import decode_bib
from citetrack.inputs.textio import InputError

ENCODINGS = ("latin-1", "cp1252", "gbk", "cp1250")
DEFAULT_DIRS = ("/work/shared/bib", "/work/shared/fixtures/real")


def _sample(text: str, codec: str) -> bytes | None:
    kept = []
    for line in text.splitlines(keepends=True):
        try:
            line.encode(codec)
        except UnicodeEncodeError:
            continue
        kept.append(line)
    sample = "".join(kept)
    return None if sample.isascii() else sample.encode(codec)


def _mixed(text: str) -> bytes | None:
    """UTF-8, except the first line with a Windows-1252 letter, written in Windows-1252."""
    lines = text.splitlines(keepends=True)
    if sum(1 for line in lines if not line.isascii()) < 2:
        return None  # the pasted line would be the whole non-ASCII text: not mixed
    for i, line in enumerate(lines):
        if not line.isascii():
            try:
                pasted = line.encode("cp1252")
            except UnicodeEncodeError:
                continue
            head = "".join(lines[:i]).encode("utf-8")
            return head + pasted + "".join(lines[i + 1 :]).encode("utf-8")
    return None


def _citetrack(data: bytes, original: str) -> str:
    try:
        decoded = decode_bib(data, "x.bib")
    except InputError:
        return "refused"
    return "right" if decoded.text == original else "wrong"


def _normalizer(data: bytes, original: str) -> str:
    try:
        from charset_normalizer import from_bytes  # noqa: PLC0415 - optional, compared only
    except ImportError:
        return "n/a"
    best = from_bytes(data).best()
    if best is None:
        return "refused"
    return "right" if data.decode(best.encoding, errors="replace") == original else "wrong"


def main(dirs: list[str]) -> None:
    files = sorted(p for d in dirs for p in Path(d).rglob("*.bib"))
    tally: dict[tuple[str, str], Counter[str]] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        for codec in ENCODINGS:
            data = _sample(text, codec)
            if data is None:
                continue
            original = data.decode(codec)
            for who, guess in (("citetrack", _citetrack), ("charset-normalizer", _normalizer)):
                tally.setdefault((codec, who), Counter())[guess(data, original)] += 1
        mixed = _mixed(text)
        if mixed is not None:
            for who, guess in (("citetrack", _citetrack), ("charset-normalizer", _normalizer)):
                tally.setdefault(("mixed", who), Counter())[guess(mixed, "\0")] += 1
    for (codec, who), counts in sorted(tally.items()):
        total = sum(counts.values())
        parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        print(f"{codec:8} {who:19} {total} files: {parts}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(DEFAULT_DIRS))
