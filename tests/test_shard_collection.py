"""citetrack.shard (the partition), citetrack.collection (inputs, per-file duplicates) and
the shard report's evidence codec (citetrack.report.merge).  Values here are SYNTHETIC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citetrack.collection import FindingsMemo, duplicate_findings, expand_inputs
from citetrack.inputs.textio import InputError
from citetrack.model import (
    ArchiveStatus,
    Found,
    Identifiers,
    LinkStatus,
    LinkVerdict,
    NotFound,
    Reference,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.pipeline import EvidenceSet
from citetrack.report.merge import evidence_from_json, evidence_to_json, owns_reference
from citetrack.rules.compare import compare_reference
from citetrack.shard import Shard, ShardError, url_host


@given(st.lists(st.text(min_size=1), min_size=1, max_size=50), st.integers(1, 9))
def test_every_identifier_belongs_to_exactly_one_shard(keys: list[str], n: int) -> None:
    shards = [Shard(k, n) for k in range(1, n + 1)]
    for key in keys:
        assert sum(s.owns_identifier("doi", key) for s in shards) == 1
        assert sum(s.owns_url(f"https://{key}.example/x") for s in shards) == 1


def test_the_partition_is_stable_across_runs_and_machines() -> None:
    # sha256-based: these values must never change, or CI matrices would split differently.
    owners = [
        next(k for k in range(1, 5) if Shard(k, 4).owns_identifier("doi", f"10.5555/{i}"))
        for i in range(8)
    ]
    assert owners == [1, 4, 3, 2, 4, 1, 2, 2]


def test_urls_of_one_host_stay_in_one_shard() -> None:
    urls = [f"https://Pages.Example.org/a/{i}" for i in range(30)]
    for k in range(1, 4):
        owned = {Shard(k, 3).owns_url(u) for u in urls}
        assert len(owned) == 1
    assert url_host("https://Pages.Example.org/a") == "pages.example.org:443"
    assert url_host("http://x.org:8080/") == "x.org:8080"


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0", "a/b", "2", ""])
def test_bad_shard_specs_are_refused(text: str) -> None:
    with pytest.raises(ShardError):
        Shard.parse(text)


def test_inputs_expand_directories_and_globs_once_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("a.bib", "b/c.bib", "b/d.bib", "b/notes.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    got = expand_inputs(
        [str(tmp_path / "a.bib"), str(tmp_path / "b"), str(tmp_path / "**" / "*.bib")]
    )
    assert got == [str(tmp_path / "a.bib"), str(tmp_path / "b/c.bib"), str(tmp_path / "b/d.bib")]
    assert expand_inputs(["missing.bib"]) == ["missing.bib"]  # the loader names it
    with pytest.raises(InputError, match="matches no file"):
        expand_inputs([str(tmp_path / "*.nope")])


def _ref(key: str, path: str, line: int, doi: str) -> Reference:
    return Reference(
        key=key,
        entry_type="article",
        fields={"title": "A synthetic title", "doi": doi},
        identifiers=Identifiers(doi=doi),
        line=line,
        path=path,
    )


def test_duplicates_are_per_input_and_land_on_the_right_reference() -> None:
    refs = [
        _ref("x", "a.bib", 1, "10.5555/1"),
        _ref("x", "b.bib", 1, "10.5555/1"),  # same key and line, other file: not a duplicate
        _ref("y", "b.bib", 9, "10.5555/1"),  # duplicates b.bib's x
    ]
    found = duplicate_findings(refs)
    assert [(position, f.rule, f.expected) for position, f in found] == [
        (2, "duplicate-reference", "x")
    ]


def test_a_reference_is_a_shards_own_only_if_all_its_keys_are() -> None:
    ref = _ref("x", "a.bib", 1, "10.5555/1")
    owners = [Shard(k, 3) for k in range(1, 4) if owns_reference(Shard(k, 3), ref)]
    assert len(owners) == 1


def test_evidence_round_trips_through_the_shard_report() -> None:
    evidence = EvidenceSet()
    meta = WorkMetadata(source=Source.CROSSREF, doi="10.5555/1", title="T", year=2001)
    evidence.crossref["10.5555/1"] = Found(Source.CROSSREF, "10.5555/1", meta)
    evidence.doi_org["10.5555/2"] = NotFound(Source.DOI_ORG, "10.5555/2", "404")
    evidence.pubmed["9"] = Unavailable(Source.PUBMED, "9", "timeout")
    evidence.links["https://x.org/"] = LinkStatus(
        "https://x.org/", LinkVerdict.REDIRECTED, 301, "https://y.org/", ("https://y.org/",), "m"
    )
    evidence.archives["https://x.org/"] = ArchiveStatus(
        "https://x.org/", "https://web.archive.org/web/2001/x", "20010101000000", 200, True, ""
    )
    assert evidence_from_json(evidence_to_json(evidence)) == evidence


def test_a_recurring_reference_is_compared_once_and_stamped_with_its_own_place() -> None:
    calls: list[str] = []

    def compare(ref: Reference, evidence: Any) -> list[Any]:
        calls.append(ref.key)
        return compare_reference(ref, evidence)

    memo = FindingsMemo(compare)
    gone = [
        NotFound(Source.CROSSREF, "10.5555/1", "404"),
        NotFound(Source.DOI_ORG, "10.5555/1", "404"),
    ]
    a = _ref("x", "a.bib", 3, "10.5555/1")
    b = _ref("y", "b.bib", 40, "10.5555/1")
    first, second = memo(a, gone), memo(b, gone)
    assert calls == ["x"]
    assert first == compare_reference(a, gone) and first  # a DOI not found: broken
    assert second == compare_reference(b, gone)
    assert {(f.key, f.line) for f in second} == {("y", 40)}
