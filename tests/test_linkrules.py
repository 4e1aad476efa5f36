"""Pure link rules: archive links, access dates, what to check, and the findings.

References and evidence here are synthetic, written for these tests.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from citetrack.identifiers import extract_identifiers
from citetrack.inputs.bib.loader import load_bib
from citetrack.links.rules import link_findings
from citetrack.links.targets import (
    _read_targets,
    is_doi_link,
    link_targets,
    parse_access_date,
    parse_archive_url,
)
from citetrack.model import (
    ArchiveStatus,
    Finding,
    LinkStatus,
    LinkVerdict,
    Reference,
    Severity,
    Source,
)

REPO = Path(__file__).resolve().parent.parent
URL = "https://www.example.org/guidelines/nme.html"
ARCHIVE = f"https://web.archive.org/web/20190501123000/{URL}"
CAPTURE = f"https://web.archive.org/web/20190430101010/{URL}"


def ref(**fields: str) -> Reference:
    identifiers, _ = extract_identifiers(fields)
    return Reference("Smith2019", "online", fields, identifiers, line=42, path="refs.bib")


def link(verdict: LinkVerdict, **kw: object) -> LinkStatus:
    return LinkStatus(URL, verdict, **kw)  # type: ignore[arg-type]


def rules(findings: list[Finding]) -> list[tuple[str, Severity]]:
    return [(f.rule, f.severity) for f in findings]


# -------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://doi.org/10.1056/NEJMc0805992", True),
        ("http://dx.doi.org/10.1/x", True),
        ("https://www.doi.org/10.1/x", True),
        ("https://doi.org.evil.example/10.1/x", False),
        ("https://example.org/doi.org/10.1/x", False),
    ],
)
def test_is_doi_link(url: str, expected: bool) -> None:
    assert is_doi_link(url) is expected


def test_wayback_capture_links() -> None:
    plain = parse_archive_url(ARCHIVE)
    assert plain is not None
    assert (plain.service, plain.timestamp, plain.original, plain.problem) == (
        "wayback",
        "20190501123000",
        URL,
        None,
    )
    moded = parse_archive_url(f"http://archive.org/web/2019id_/{URL}")
    assert moded is not None
    assert (moded.timestamp, moded.original) == ("2019", URL)
    squashed = parse_archive_url("https://web.archive.org/web/20190501/http:/example.org/a?b=c")
    assert squashed is not None
    assert squashed.original == "http://example.org/a?b=c"
    latest = parse_archive_url(f"https://web.archive.org/web/{URL}")
    assert latest is not None
    assert (latest.timestamp, latest.original, latest.problem) == (None, URL, None)


@pytest.mark.parametrize(
    ("url", "service", "word"),
    [
        (f"https://web.archive.org/web/*/{URL}", "wayback", "calendar"),
        (f"https://web.archive.org/web/2019*/{URL}", "wayback", "calendar"),
        (f"https://web.archive.org/save/{URL}", "wayback", "Save Page Now"),
        ("https://archive.ph/AbCdE", "archive.today", "no API"),
        ("https://archive.is/2019.05.01-123000/" + URL, "archive.today", "no API"),
        ("http://www.webcitation.org/6ABCdefGh", "webcite", "2019"),
        ("https://perma.cc/AB12-CD34", "perma.cc", "no API"),
    ],
)
def test_archive_links_that_cannot_be_verified(url: str, service: str, word: str) -> None:
    parsed = parse_archive_url(url)
    assert parsed is not None
    assert parsed.service == service
    assert parsed.problem is not None
    assert word in parsed.problem


@pytest.mark.parametrize("url", [URL, "https://archive.org/details/some-book", "not a url"])
def test_non_archive_links(url: str) -> None:
    assert parse_archive_url(url) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-05-01", date(2019, 5, 1)),
        ("2019-05-01T10:00:00Z", date(2019, 5, 1)),
        ("2019/05/01", date(2019, 5, 1)),
        ("2019-05", date(2019, 5, 31)),
        ("2020-02", date(2020, 2, 29)),
        ("2019", date(2019, 12, 31)),
        ("1 May 2019", date(2019, 5, 1)),
        ("1st May, 2019", date(2019, 5, 1)),
        ("May 1, 2019", date(2019, 5, 1)),
        ("Sept. 3, 2018", date(2018, 9, 3)),
        ("May 2019", date(2019, 5, 31)),
        ("01.05.2019", date(2019, 5, 1)),
        ("Retrieved 14 March 2020", date(2020, 3, 14)),
        ("accessed on 2020-03-14", date(2020, 3, 14)),
        ("25/12/2019", date(2019, 12, 25)),
        ("12/25/2019", date(2019, 12, 25)),
        ("05/06/2019", None),  # ambiguous: 5 June or May 6
        ("2019-02-30", None),
        ("last week", None),
        ("", None),
    ],
)
def test_parse_access_date(text: str, expected: date | None) -> None:
    assert parse_access_date(text) == expected


def test_link_targets_fields() -> None:
    targets = link_targets(ref(url=URL, archiveurl=ARCHIVE, urldate="2019-05-01"))
    assert (targets.url, targets.url_field) == (URL, "url")
    assert (targets.archive_url, targets.archive_field) == (ARCHIVE, "archiveurl")
    assert targets.accessed == date(2019, 5, 1)
    alt = link_targets(ref(howpublished=f"\\url{{{URL}}}", **{"archive-url": ARCHIVE}))
    assert (alt.url, alt.url_field, alt.archive_field) == (URL, "howpublished", "archive-url")
    doi = link_targets(ref(url="https://doi.org/10.1056/NEJMc0805992"))
    assert doi.url is not None
    assert doi.checkable_url is None


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"title": "No link", "doi": "10.1056/NEJMc0805992", "note": f"see {URL}"},
        {"url": URL},
        {"url": "www.example.org/no-scheme"},
        {"howpublished": f"\\url{{{URL}}}"},
        *({name: ARCHIVE} for name in ("archiveurl", "archive-url", "archive_url", "urlarchive")),
        *(
            {name: "2019-05-01"}
            for name in ("urldate", "accessdate", "access-date", "access_date", "accessed")
        ),
    ],
)
def test_a_reference_without_link_fields_takes_the_short_way_to_the_same_targets(
    fields: dict[str, str],
) -> None:
    # Every field that link_targets reads, alone: the shortcut for references without any
    # of them must give what reading them gives.
    assert link_targets(ref(**fields)) == _read_targets(ref(**fields))


def test_link_targets_of_the_seed_are_those_read_in_full() -> None:
    refs = load_bib(REPO / "references.bib").references
    assert refs and [link_targets(r) for r in refs] == [_read_targets(r) for r in refs]


# -------------------------------------------------------------------------- findings


def test_ok_link_gives_nothing() -> None:
    assert link_findings(ref(url=URL), {URL: link(LinkVerdict.OK, status_code=200)}, {}) == []


def test_dead_link_suggests_the_capture_before_the_access_date() -> None:
    capture = ArchiveStatus(URL, CAPTURE, "20190430101010", 200, True, "last good capture")
    (finding,) = link_findings(
        ref(url=URL, urldate="2019-05-01"),
        {URL: link(LinkVerdict.DEAD, status_code=404, reason="HTTP 404")},
        {URL: capture},
    )
    assert finding.rule == "url-dead"
    assert finding.severity is Severity.BROKEN
    assert finding.suggestion == CAPTURE
    assert CAPTURE in finding.message
    assert "2019-04-30" in finding.message
    assert "after the access date" not in finding.message
    assert (finding.key, finding.line, finding.field) == ("Smith2019", 42, "url")
    assert finding.actual == URL
    assert finding.source is Source.WEB


def test_a_capture_after_the_access_date_is_labelled() -> None:
    later = f"https://web.archive.org/web/20200101000000/{URL}"
    capture = ArchiveStatus(URL, later, "20200101000000", 200, True, "first after")
    (finding,) = link_findings(
        ref(url=URL, urldate="1 May 2019"),
        {URL: link(LinkVerdict.DEAD, status_code=410)},
        {URL: capture},
    )
    assert "after the access date 2019-05-01" in finding.message
    assert finding.suggestion == later


@pytest.mark.parametrize(
    ("capture", "words"),
    [
        (ArchiveStatus(URL, available=False, reason="no capture"), "no good capture"),
        (ArchiveStatus(URL, available=None, reason="HTTP 429"), "could not be asked"),
        (None, ""),
    ],
)
def test_dead_link_without_capture(capture: ArchiveStatus | None, words: str) -> None:
    archives = {URL: capture} if capture else {}
    (finding,) = link_findings(ref(url=URL), {URL: link(LinkVerdict.DEAD)}, archives)
    assert finding.rule == "url-dead"
    assert finding.severity is Severity.BROKEN
    assert finding.suggestion is None
    assert words in finding.message


def test_dead_link_with_a_working_cited_archive_is_only_a_note() -> None:
    verified = ArchiveStatus(URL, ARCHIVE, "20190501123000", 200, True)
    findings = link_findings(
        ref(url=URL, archiveurl=ARCHIVE),
        {URL: link(LinkVerdict.DEAD, status_code=404)},
        {ARCHIVE: verified},
    )
    assert rules(findings) == [("url-dead", Severity.NOTE)]
    assert "cited archived copy works" in findings[0].message


def test_dead_link_with_a_broken_cited_archive() -> None:
    invalid = ArchiveStatus(URL, ARCHIVE, "20190501123000", 404, False, "HTTP 404 when captured")
    capture = ArchiveStatus(URL, CAPTURE, "20190430101010", 200, True)
    findings = link_findings(
        ref(url=URL, archiveurl=ARCHIVE, urldate="2019-05-01"),
        {URL: link(LinkVerdict.DEAD, status_code=404)},
        {ARCHIVE: invalid, URL: capture},
    )
    assert rules(findings) == [
        ("archive-invalid", Severity.WARNING),
        ("url-dead", Severity.BROKEN),
    ]
    assert findings[0].field == "archiveurl"
    assert findings[0].source is Source.WAYBACK
    assert findings[1].suggestion == CAPTURE


def test_dead_link_with_an_unverified_cited_archive_is_a_warning() -> None:
    unknown = ArchiveStatus(URL, ARCHIVE, reason="Wayback Machine unavailable: HTTP 503")
    findings = link_findings(
        ref(url=URL, archiveurl=ARCHIVE),
        {URL: link(LinkVerdict.DEAD)},
        {ARCHIVE: unknown},
    )
    assert rules(findings) == [
        ("archive-unverified", Severity.UNVERIFIED),
        ("url-dead", Severity.WARNING),
    ]


def test_archive_today_links_give_no_finding() -> None:
    link_today = "https://archive.ph/AbCdE"
    unknown = ArchiveStatus(URL, link_today, reason="cannot verify: archive.today …")
    findings = link_findings(
        ref(url=URL, archiveurl=link_today), {URL: link(LinkVerdict.OK)}, {link_today: unknown}
    )
    assert findings == []


def test_soft_404_is_a_warning_with_archive_suggestion() -> None:
    capture = ArchiveStatus(URL, CAPTURE, "20190430101010", 200, True)
    (finding,) = link_findings(
        ref(url=URL),
        {URL: link(LinkVerdict.SOFT_404, status_code=200, reason="title says 'Page not found'")},
        {URL: capture},
    )
    assert (finding.rule, finding.severity) == ("url-soft-404", Severity.WARNING)
    assert finding.suggestion == CAPTURE


def test_redirected_suggests_the_new_address() -> None:
    new = "https://guidelines.example.org/nme"
    (finding,) = link_findings(
        ref(url=URL),
        {URL: link(LinkVerdict.REDIRECTED, status_code=200, final_url=new, redirects=(new,))},
        {},
    )
    assert (finding.rule, finding.severity) == ("url-redirected", Severity.WARNING)
    assert (finding.expected, finding.actual, finding.suggestion) == (new, URL, new)


@pytest.mark.parametrize(
    ("verdict", "rule", "severity"),
    [
        (LinkVerdict.BLOCKED, "url-blocked", Severity.UNVERIFIED),
        (LinkVerdict.UNAVAILABLE, "url-unverified", Severity.UNVERIFIED),
        (LinkVerdict.REFUSED, "url-refused", Severity.WARNING),
    ],
)
def test_unverifiable_links(verdict: LinkVerdict, rule: str, severity: Severity) -> None:
    (finding,) = link_findings(ref(url=URL), {URL: link(verdict, reason="why")}, {})
    assert (finding.rule, finding.severity) == (rule, severity)
    assert "why" in finding.message


def test_live_link_without_archive_gets_a_note() -> None:
    none = ArchiveStatus(URL, available=False, reason="no capture with HTTP 200")
    findings = link_findings(ref(url=URL), {URL: link(LinkVerdict.OK)}, {URL: none})
    assert rules(findings) == [("archive-missing", Severity.NOTE)]
    # …but not when the Wayback Machine could not be asked, nor when an archive is cited
    unknown = ArchiveStatus(URL, available=None, reason="HTTP 429")
    assert link_findings(ref(url=URL), {URL: link(LinkVerdict.OK)}, {URL: unknown}) == []
    cited = ref(url=URL, archiveurl=ARCHIVE)
    assert link_findings(cited, {URL: link(LinkVerdict.OK)}, {URL: none}) == []


def test_invalid_cited_archive_on_a_live_link() -> None:
    invalid = ArchiveStatus(URL, ARCHIVE, "20190501123000", 302, False, "a redirect")
    findings = link_findings(
        ref(url=URL, archiveurl=ARCHIVE), {URL: link(LinkVerdict.OK)}, {ARCHIVE: invalid}
    )
    assert rules(findings) == [("archive-invalid", Severity.WARNING)]
    assert "a redirect" in findings[0].message


def test_doi_links_and_missing_evidence_give_nothing() -> None:
    doi_url = "https://doi.org/10.1056/NEJMc0805992"
    dead = LinkStatus(doi_url, LinkVerdict.DEAD)
    assert link_findings(ref(url=doi_url), {doi_url: dead}, {}) == []
    assert link_findings(ref(url=URL), {}, {}) == []
    assert link_findings(ref(title="No URL at all"), {URL: link(LinkVerdict.DEAD)}, {}) == []


def test_dates_without_any_link_are_noted() -> None:
    """As in the seed article: "Archived from the original on … Retrieved …", no URL."""
    cited = ref(title="StatPearls", urldate="2021-06-01", archivedate="2021-08-29")
    findings = link_findings(cited, {}, {})
    assert rules(findings) == [("url-missing", Severity.NOTE)]
    assert findings[0].source is Source.CITATION
    assert "urldate = 2021-06-01, archivedate = 2021-08-29" in findings[0].message


def test_no_dates_and_no_links_give_nothing() -> None:
    assert link_findings(ref(title="A book", isbn="978-0-7020-7583-4"), {}, {}) == []


def test_dates_with_a_link_are_not_url_missing() -> None:
    assert link_findings(ref(url=URL, urldate="2021-06-01"), {}, {}) == []
    doi_url = ref(url="https://doi.org/10.1056/NEJMc0805992", urldate="2021-06-01")
    assert link_findings(doi_url, {}, {}) == []


@pytest.mark.parametrize("value", ["ftp://ftp.example.org/pub/a.pdf", "www.example.org/page"])
def test_a_url_that_is_not_http_is_still_a_target(value: str) -> None:
    """So that the checker refuses it with a reason, instead of the URL vanishing."""
    assert link_targets(ref(url=value)).checkable_url == value
    assert link_targets(ref(url="\\url{ftp://ftp.example.org/x}")).url == "ftp://ftp.example.org/x"
