"""A unified diff of two versions of a .bib, fast on large files (patience anchoring)."""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter


def unified_diff(old: str, new: str, path: str, context: int = 3) -> str:
    """A unified diff of two versions of ``path`` (``patch -p0`` applies it).

    Lines are split at ``\\n`` only (a ``\\r`` stays part of its line), and a last line
    without a newline is marked as ``diff`` does.  Empty when nothing changed.

    difflib alone takes about a minute on a 10,000-entry file with edits all over it, so
    lines that occur once in each version anchor the comparison first (the "patience"
    idea) and difflib only compares the short stretches between anchors.
    """
    if old == new:
        return ""
    a, b = _split_lines(old), _split_lines(new)
    out = [f"--- {path}\n", f"+++ {path}\n"]
    for group in _grouped(_opcodes(a, b), context):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_hunk_range(first[1], last[2])} +{_hunk_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(_marked(" ", a[i1:i2]))
                continue
            out.extend(_marked("-", a[i1:i2]))
            out.extend(_marked("+", b[j1:j2]))
    return "".join(out)


def _split_lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _marked(mark: str, lines: list[str]) -> list[str]:
    return [
        f"{mark}{line}" if line.endswith("\n") else f"{mark}{line}\n\\ No newline at end of file\n"
        for line in lines
    ]


def _hunk_range(start: int, stop: int) -> str:
    """``start,length`` as in a unified hunk header (1-based; as difflib writes it)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


_Opcode = tuple[str, int, int, int, int]


def _opcodes(a: list[str], b: list[str]) -> list[_Opcode]:
    """difflib-style opcodes turning ``a`` into ``b``, anchored on unique common lines."""
    ops: list[_Opcode] = []
    alo, ahi, blo, bhi = 0, len(a), 0, len(b)
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo, blo = alo + 1, blo + 1
    if alo:
        ops.append(("equal", 0, alo, 0, blo))
    end_a, end_b = ahi, bhi
    while ahi > alo and bhi > blo and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    i, j = alo, blo
    for anchor_a, anchor_b in _anchors(a, b, (alo, ahi, blo, bhi)):
        _between(a, b, (i, anchor_a, j, anchor_b), ops)
        ops.append(("equal", anchor_a, anchor_a + 1, anchor_b, anchor_b + 1))
        i, j = anchor_a + 1, anchor_b + 1
    _between(a, b, (i, ahi, j, bhi), ops)
    if ahi < end_a:
        ops.append(("equal", ahi, end_a, bhi, end_b))
    merged: list[_Opcode] = []
    for op in ops:
        if merged and op[0] == "equal" and merged[-1][0] == "equal":
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def _between(
    a: list[str], b: list[str], span: tuple[int, int, int, int], ops: list[_Opcode]
) -> None:
    """difflib's opcodes for ``a[i1:i2]`` against ``b[j1:j2]``, in whole-file positions."""
    i1, i2, j1, j2 = span
    if i1 == i2 and j1 == j2:
        return
    matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2])
    for tag, x1, x2, y1, y2 in matcher.get_opcodes():
        ops.append((tag, i1 + x1, i1 + x2, j1 + y1, j1 + y2))


def _anchors(a: list[str], b: list[str], span: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """Pairs of equal lines unique in both ranges, the longest run in order in both."""
    alo, ahi, blo, bhi = span
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {line: j for j, line in enumerate(b[blo:bhi], blo) if count_b[line] == 1}
    pairs = [
        (i, where_b[line])
        for i, line in enumerate(a[alo:ahi], alo)
        if count_a[line] == 1 and line in where_b
    ]
    # Longest increasing subsequence of the b positions (patience sorting).
    tails: list[int] = []  # per length: index into pairs of the smallest tail
    tail_values: list[int] = []  # the b positions of those tails
    before: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tail_values, j)
        if pos:
            before[k] = tails[pos - 1]
        if pos == len(tails):
            tails.append(k)
            tail_values.append(j)
        else:
            tails[pos] = k
            tail_values[pos] = j
    chain: list[tuple[int, int]] = []
    k = tails[-1] if tails else -1
    while k >= 0:
        chain.append(pairs[k])
        k = before[k]
    return chain[::-1]


def _grouped(codes: list[_Opcode], context: int) -> list[list[_Opcode]]:
    """Hunks: the changes with ``context`` equal lines around them (as difflib groups)."""
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    groups: list[list[_Opcode]] = []
    group: list[_Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        start_a, start_b = i1, j1
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            start_a, start_b = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, start_a, i2, start_b, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups
