"""Which lockfile entries a renamed .bib key is matched to, and how the lockfile follows it
(:mod:`citetrack.tracking.lockfile.renames`), with plain values (made-up references)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from citetrack.model import ArticleInfo, CheckResult, Identifiers, Reference, ReferenceResult
from citetrack.tracking.lockfile import Lock, LockEntry
from citetrack.tracking.lockfile.renames import (
    MovedFile,
    Rename,
    find_moved_files,
    find_renames,
    follow_moved_files,
    follow_renames,
    rename_finding,
)
from citetrack.tracking.lockfile.state import AcceptedProblem, ArticleRecord


def rr(key: str, path: str = "refs.bib", **ids: str) -> ReferenceResult:
    return ReferenceResult(Reference(key, "article", {}, Identifiers(**ids), line=1, path=path))


def lock(**entries: LockEntry) -> Lock:
    return Lock(references=entries)


DOI = "10.5555/made.up.1"
OLD = LockEntry("refs.bib", {"doi": DOI, "pmid": "111"})


def moves(found: list[Rename]) -> set[tuple[str, str, str, str]]:
    return {(r.was_file, r.was_key, r.file, r.key) for r in found}


def test_a_key_renamed_with_the_same_identifiers_is_matched() -> None:
    found = find_renames(lock(old=OLD), CheckResult((rr("new", doi=DOI.upper(), pmid="111"),)))
    assert moves(found) == {("refs.bib", "old", "refs.bib", "new")}
    assert found[0].by == ("doi", DOI)  # DOIs compare without case


def test_one_shared_identifier_is_enough_but_one_that_differs_is_not() -> None:
    assert find_renames(lock(old=OLD), CheckResult((rr("new", pmid="111"),)))
    assert not find_renames(lock(old=OLD), CheckResult((rr("new", doi=DOI, pmid="222"),)))
    assert not find_renames(lock(old=OLD), CheckResult((rr("new", issn="1234-5678"),)))
    assert not find_renames(lock(old=OLD), CheckResult((rr("new"),)))


def test_an_entry_still_present_or_unread_is_not_renamed() -> None:
    both = CheckResult((rr("old", doi=DOI), rr("copy", doi=DOI)))
    assert find_renames(lock(old=OLD), both) == []
    # The old entry is still in its file, but did not parse this time.
    unread = {("refs.bib", "old")}
    assert find_renames(lock(old=OLD), CheckResult((rr("new", doi=DOI),)), unread) == []


def test_ambiguous_matches_are_no_rename_either_way() -> None:
    two_new = CheckResult((rr("a", doi=DOI), rr("b", doi=DOI)))
    assert find_renames(lock(old=OLD), two_new) == []
    two_old = lock(old=OLD, older=LockEntry("refs.bib", {"doi": DOI}))
    assert find_renames(two_old, CheckResult((rr("new", doi=DOI),))) == []


def test_only_files_of_the_run_and_never_an_articles_citations() -> None:
    other = lock(old=LockEntry("other.bib", {"doi": DOI}))
    assert find_renames(other, CheckResult((rr("new", doi=DOI),))) == []  # other.bib not read
    moved = CheckResult((rr("new", doi=DOI), rr("x", path="other.bib")))
    assert moves(find_renames(other, moved)) == {("other.bib", "old", "refs.bib", "new")}
    article = CheckResult(
        (rr("new", path="Page", doi=DOI),), articles=(ArticleInfo("Page", "wikitext", name="Page"),)
    )
    assert find_renames(lock(old=LockEntry("Page", {"doi": DOI})), article) == []


def test_the_lockfile_follows_the_rename_with_its_defects() -> None:
    marks = (
        AcceptedProblem("bib-duplicate-field", "old", "entry old: field note is given # times"),
        AcceptedProblem("bib-syntax", None, "a line"),
    )
    before = Lock(
        references={"old": OLD, "keep": LockEntry("refs.bib")},
        problems={"refs.bib": marks},
        digest="abc",
    )
    after = follow_renames(before, [Rename("refs.bib", "new-2", "refs.bib", "old", ("doi", DOI))])
    assert set(after.references) == {"new-2", "keep"}
    assert after.references["new-2"] == OLD
    assert after.digest == "abc"  # the same bytes were read
    assert set(after.problems["refs.bib"]) == {
        AcceptedProblem("bib-duplicate-field", "new-2", "entry new-#: field note is given # times"),
        AcceptedProblem("bib-syntax", None, "a line"),
    }
    assert follow_renames(before, []) is before


def test_the_note_says_what_happened() -> None:
    by = ("doi", DOI)
    renamed = rename_finding(Rename("a.bib", "new", "a.bib", "old", by), 3)
    assert renamed.message.startswith("renamed from old (the lockfile's entry with the same doi")
    assert renamed.line == 3 and renamed.rule == "reference-renamed"
    moved = rename_finding(Rename("b.bib", "k", "a.bib", "k", by), 3).message
    assert moved.startswith("moved from a.bib (")
    both = rename_finding(Rename("b.bib", "new", "a.bib", "old", by), 3).message
    assert both.startswith("renamed from old in a.bib (")


def _article(name: str, source: str, *keys: str) -> CheckResult:
    info = ArticleInfo(source, "wikitext", name=name)
    return CheckResult(tuple(rr(k, path=name) for k in keys), articles=(info,))


def _record(source: str, *keys: str) -> ArticleRecord:
    return ArticleRecord(source, "wikitext", dict.fromkeys(keys, "f"))


def test_an_input_read_under_a_new_name_is_matched_by_source_or_by_most_keys() -> None:
    old = Lock(
        references={k: LockEntry("Old") for k in "abcd"},
        articles={"Old": _record("https://w/Old", "a", "b", "c", "d")},
    )

    def moves(result: CheckResult) -> list[tuple[str, str, bool]]:
        return [(m.was, m.name, m.article) for m in find_moved_files(old, result)]

    # The same URL as given (the old title redirects to the new one).
    assert moves(_article("New", "https://w/Old", "x")) == [("Old", "New", True)]
    # Another page, three of the four citations (and three of its five) alike: a related
    # article checked against the same lockfile, not the page moved.
    most = _article("New", "https://w/New", "a", "b", "c", "y", "z")
    assert moves(most) == []
    # A local copy renamed: by its keys.
    files = Lock(articles={"old.wiki": _record("old.wiki", "a", "b", "c", "d")})
    copy = _article("new.wiki", "new.wiki", "a", "b", "c", "y", "z")
    assert [(m.was, m.name) for m in find_moved_files(files, copy)] == [("old.wiki", "new.wiki")]
    # A .bib file renamed: by its keys alone...
    bibs = Lock(references={k: LockEntry("old.bib") for k in "abcd"})
    bib = CheckResult(tuple(rr(k, path="new.bib") for k in "abc"))
    found = find_moved_files(bibs, bib)
    assert [(m.was, m.name, m.article) for m in found] == [("old.bib", "new.bib", False)]
    # ... unless the file the lockfile names is still there (a copy is no rename).
    assert find_moved_files(bibs, bib, lambda name: name == "old.bib") == []
    # Too few alike either way: another input.
    assert moves(_article("New", "https://w/New", "a", "x", "y", "z")) == []
    # A name read in this run is its own input's, never taken.
    both = CheckResult(
        (*most.results, *_article("Old", "https://w/Old", "a").results),
        articles=(*most.articles, ArticleInfo("https://w/Old", "wikitext", name="Old")),
    )
    assert moves(both) == []
    # Two records alike: which one moved cannot be told.
    twins = Lock(articles={**files.articles, "o2.wiki": _record("o2.wiki", "a", "b", "c")})
    assert find_moved_files(twins, copy) == []


def test_the_lockfile_follows_a_moved_input() -> None:
    before = Lock(
        references={"a": LockEntry("Old"), "b": LockEntry("refs.bib")},
        articles={"Old": _record("u", "a")},
        problems={"Old": (AcceptedProblem("parse-not-read", None, "x"),)},
    )
    after = follow_moved_files(before, [MovedFile("New", "Old", article=True)])
    assert after.references == {"a": LockEntry("New"), "b": LockEntry("refs.bib")}
    assert list(after.articles) == ["New"] and list(after.problems) == ["New"]
    assert "the page was moved" in MovedFile("New", "Old", article=True).note()
    assert "the file was renamed" in MovedFile("n.bib", "o.bib", article=False).note()


_VALUES = st.sampled_from(["1", "2", "3"])
_IDS = st.fixed_dictionaries(
    {}, optional={"doi": _VALUES.map("10.5/{}".format), "pmid": _VALUES, "url": _VALUES}
)


@given(
    gone=st.dictionaries(st.sampled_from("abcdef"), _IDS, max_size=5),
    new=st.dictionaries(st.sampled_from("ABCDEF"), _IDS, max_size=5),
)
def test_the_indexed_search_finds_what_the_definition_says(
    gone: dict[str, dict[str, str]], new: dict[str, dict[str, str]]
) -> None:
    """Renames as the module's docstring defines them, found by comparing every new
    reference with every gone entry: the same as the search by identifier."""
    lock = Lock(references={k: LockEntry("refs.bib", ids) for k, ids in gone.items()})
    result = CheckResult(tuple(rr(k, **ids) for k, ids in new.items()))

    def alike(now: dict[str, str], was: dict[str, str]) -> bool:
        both = now.keys() & was.keys()
        return bool(both) and all(now[k] == was[k] for k in both)

    pairs = [(n, g) for n in new for g in gone if alike(new[n], gone[g])]
    expected = {
        (g, n)
        for n, g in pairs
        if sum(p[0] == n for p in pairs) == 1 and sum(p[1] == g for p in pairs) == 1
    }
    found = {(r.was_key, r.key) for r in find_renames(lock, result)}
    assert found == expected
