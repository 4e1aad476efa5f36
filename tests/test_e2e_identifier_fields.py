"""End-to-end: identifier fields as real exports write them (issue 12).  SYNTHETIC entries.

A URL in ``eprint`` (Google Scholar, OUP and JAMA exports put the PDF link there) is not a
malformed arXiv identifier; ``isbn = {ISBN-10, ISBN-13}`` of one book is exported once.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e import by_key, run_cli

OFFLINE = ("--offline", "--no-cache", "--no-links", "--no-lockfile")
BIB = """@article{scholar2020,
  title = {A paper exported by Google Scholar},
  year = {2020},
  eprint = {https://academic.oup.com/journal/article-pdf/1/1/1/file.pdf},
}

@article{arxivurl2021,
  title = {A preprint cited by its page},
  year = {2021},
  eprint = {https://arxiv.org/abs/2101.00001v2},
}

@book{oreilly2015,
  title = {A book with both ISBNs},
  year = {2015},
  isbn = {1491910593, 9781491910597},
}
"""


def test_eprint_urls_and_isbn_pairs(tmp_path: Path) -> None:
    bib = tmp_path / "export.bib"
    bib.write_text(BIB, encoding="utf-8")
    run = run_cli("check", str(bib), *OFFLINE, "-f", "json")
    refs = by_key(run.json())
    for key in ("scholar2020", "arxivurl2021", "oreilly2015"):
        assert all(f["rule"] != "identifier-malformed" for f in refs[key]["findings"]), refs[key]
    assert refs["arxivurl2021"]["identifiers"].get("arxiv") == "2101.00001v2"

    out = tmp_path / "clean.bib"
    exported = run_cli("export", str(bib), "--offline", "--no-cache", "-o", str(out))
    assert exported.code == 0, exported.stderr
    text = out.read_text(encoding="utf-8")
    assert "isbn = {978-1-4919-1059-7},\n" in text  # once, not the same ISBN twice
    assert "eprint = {https://academic.oup.com/journal/article-pdf/1/1/1/file.pdf}" in text
