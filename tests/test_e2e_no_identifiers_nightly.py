"""End-to-end: an article whose references have no identifier at all, checked night after
night (:mod:`citetrack.rules.search`).

Every registry answered — PubMed's citation matcher and title search, Crossref's
bibliographic search found nothing like the citations — yet each such reference was
``unverified`` and the run exit 3, "could not verify", every night: the code a nightly job
tolerates for a registry outage, so it said nothing and trained people to ignore it.
Nothing-to-verify is not could-not-verify: those references are ``unchecked`` (a note
says where citetrack looked, and one run-level note names them), exit 0; an outage
during the search is still exit 3.  The article is SYNTHETIC.
"""

from __future__ import annotations

from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import by_key, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "2", "--allow-private-urls")
ARTICLE = """'''Foo''' is a thing.<ref>{{cite book |last=Smith |first=J. |title=A Handbook of \
Things |publisher=Acme |year=1999}}</ref> It is studied.<ref>{{cite journal |last=Doe \
|first=A. |title=On the nature of foo |journal=Journal of Foo |year=2001 |volume=3 \
|pages=1-5}}</ref>

==References==
{{reflist}}
"""


def test_references_no_registry_has_are_unchecked_not_could_not_verify_every_night(
    emulator: Emulator, tmp_path: Path
) -> None:
    article = tmp_path / "foo.wiki"
    article.write_text(ARTICLE, encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    assert run_cli("lock", str(article), *FAST, env=env).code == 0
    for _night in range(2):
        run = run_cli("check", str(article), "-f", "json", "--no-cache", *FAST, env=env)
        assert run.code == 0, run.stdout  # was 3, every night
        report = run.json()
        assert report["summary"]["unverified"] == 0
        assert report["summary"]["unchecked"] == 2
        for ref in by_key(report).values():
            (found,) = [f for f in ref["findings"] if f["rule"] == "identifier-not-found"]
            assert found["severity"] == "note"
            assert "nothing confirms it" in found["message"]  # where it looked, kept
        (note,) = [n for n in report["notes"] if "no registry search found" in n]
        assert "smith" in note and "doe" in note
    # The text report says it without -v.
    text = run_cli("check", str(article), "--no-cache", *FAST, env=env)
    assert text.code == 0 and "no registry search found" in text.stdout

    # An outage during the search is "could not verify", as before: exit 3.
    for service in ("crossref", "eutils"):
        emulator.add_fault(service, "status", code=503)
    outage = run_cli("check", str(article), "-f", "json", "--no-cache", *FAST, env=env)
    assert outage.code == 3, outage.stdout
    assert outage.json()["summary"]["unverified"] == 2
