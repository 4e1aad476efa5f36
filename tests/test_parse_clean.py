"""The cross-fitted label check of bench/parse_clean.py leaves out a string whose labels
contradict all the others, and keeps the rest in order.

SYNTHETIC DATA: the labelled strings below are made up for this test.
"""

from __future__ import annotations

from bench.parse_clean import clean, flagged

FAMILIES = ["Doe", "Roe", "Poe", "Moe", "Lee", "Kay", "Fox", "Ray"]
WORDS = ["river", "cloud", "stone", "glass", "paper", "field", "light", "sound"]


def _article(n: int, swap: bool = False) -> list[tuple[str, str]]:
    title = f"A made-up study of {WORDS[n % 8]} and {WORDS[(n + 3) % 8]}."
    journal = f"Journal of {WORDS[(n + 5) % 8].title()} Things,"
    return [
        ("author", f"{FAMILIES[n % 8]}, J."),
        ("date", f"({1990 + n})."),
        ("journal" if swap else "title", title),
        ("title" if swap else "journal", journal),
        ("volume", f"{n + 1}({n % 4 + 1}),"),
        ("pages", f"{n + 10}-{n + 19}."),
    ]


def test_a_string_with_swapped_labels_is_flagged_and_left_out() -> None:
    sequences = [_article(n) for n in range(24)]
    sequences[5] = _article(5, swap=True)
    drop = flagged(sequences, iterations=50, sure=0.6)
    assert drop == [5]
    kept = clean(sequences, iterations=50, sure=0.6)
    assert kept == sequences[:5] + sequences[6:]
