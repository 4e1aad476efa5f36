"""PubMed XML generated from the world's esummary records.

``efetch`` output follows the recorded ``fixtures/real/pubmed/efetch_POST_pmid_21813142.xml``
(DTD ``pubmed_240101``): one ``PubmedArticle`` per found PMID, absent PMIDs silently
left out.  A world record may carry ``_efetch`` with what a DocSum lacks: ``authors``
(``[{"LastName", "ForeName", "Initials"} | {"CollectiveName"}]``), ``abstract``,
``comments_corrections`` (``[{"RefType": "RetractionIn", "RefSource": …, "PMID": …}]``)
and ``country``.  ``esearch`` output follows ``esearch_POST_idlist.xml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from citetrack_emulator.encoding import xml_text as x

EFETCH_HEAD = (
    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    '1st January 2024//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n'
)
ESEARCH_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch '
    '20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
ESUMMARY_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSummaryResult PUBLIC "-//NLM//DTD '
    'esummary v1 20041029//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20041029/esummary-v1.dtd">\n'
)

#: MeSH unique ids of common publication types (NLM Publication Types list).
PUBTYPE_UI = {
    "Journal Article": "D016428",
    "Review": "D016454",
    "Letter": "D016422",
    "Case Reports": "D002363",
    "Comment": "D016420",
    "Editorial": "D016421",
    "Retracted Publication": "D016441",
    "Retraction of Publication": "D016440",
    "Published Erratum": "D016425",
    "English Abstract": "D004740",
}
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_ARTICLE_ID_TYPES = ("pubmed", "doi", "pii", "pmc", "mid")


def _el(tag: str, text: Any, attrs: str = "") -> str:
    return f"<{tag}{attrs}>{x(str(text))}</{tag}>"


def _pub_date(pubdate: str) -> str:
    m = re.fullmatch(r"(\d{4})(?: ([A-Z][a-z]{2}))?(?: (\d{1,2}))?", pubdate.strip())
    if not m:
        return _el("MedlineDate", pubdate) if pubdate else ""
    parts = [_el("Year", m[1])]
    if m[2]:
        parts.append(_el("Month", m[2]))
    if m[3]:
        parts.append(_el("Day", m[3].zfill(2)))
    return "".join(parts)


def _article_date(epubdate: str) -> str:
    m = re.fullmatch(r"(\d{4}) ([A-Z][a-z]{2}) (\d{1,2})", epubdate.strip())
    if not m or m[2] not in _MONTHS:
        return ""
    ymd = _el("Year", m[1]) + _el("Month", f"{_MONTHS[m[2]]:02d}") + _el("Day", m[3].zfill(2))
    return f'<ArticleDate DateType="Electronic">{ymd}</ArticleDate>'


def expand_pages(pages: str) -> tuple[str, str]:
    """MEDLINE ``12-8`` → (``12``, ``18``); ``e0182390`` → (``e0182390``, ``"``)."""
    m = re.fullmatch(r"([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)", pages.strip())
    if not m:
        return pages.strip(), ""
    start, end = m[2], m[4]
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return m[1] + start, (m[3] or m[1]) + end


def _authors(summary: Mapping[str, Any], extra: Mapping[str, Any]) -> str:
    authors: list[Mapping[str, Any]] = list(extra.get("authors") or [])
    if not authors:
        for a in summary.get("authors") or []:
            name = str(a.get("name", ""))
            if a.get("authtype") == "CollectiveName":
                authors.append({"CollectiveName": name})
            else:
                last, _, initials = name.rpartition(" ")
                authors.append({"LastName": last or name, "Initials": initials if last else ""})
    out = []
    for a in authors:
        if "CollectiveName" in a:
            inner = _el("CollectiveName", a["CollectiveName"])
        else:
            inner = "".join(_el(t, a[t]) for t in ("LastName", "ForeName", "Initials") if a.get(t))
        out.append(f'<Author ValidYN="Y">{inner}</Author>')
    return f'<AuthorList CompleteYN="Y">{"".join(out)}</AuthorList>' if out else ""


def _history(summary: Mapping[str, Any]) -> str:
    parts = []
    for h in summary.get("history") or []:
        m = re.fullmatch(r"(\d{4})/(\d{2})/(\d{2})(?: (\d{2}):(\d{2}))?", str(h.get("date", "")))
        if not m:
            continue
        inner = _el("Year", m[1]) + _el("Month", int(m[2])) + _el("Day", int(m[3]))
        if m[4] and h.get("pubstatus") in ("entrez", "pubmed", "medline"):
            inner += _el("Hour", int(m[4])) + _el("Minute", int(m[5]))
        parts.append(
            f'<PubMedPubDate PubStatus="{x(str(h.get("pubstatus", "")))}">{inner}</PubMedPubDate>'
        )
    return f"<History>{''.join(parts)}</History>" if parts else ""


def pubmed_article(summary: Mapping[str, Any], extra: Mapping[str, Any]) -> str:
    """One ``<PubmedArticle>`` element for an esummary record."""
    pmid = str(summary["uid"])
    ids = {str(a.get("idtype")): str(a.get("value")) for a in summary.get("articleids") or []}
    status = str(summary.get("recordstatus", ""))
    cit_status = (
        "MEDLINE"
        if "MEDLINE" in status
        else "In-Process"
        if "process" in status
        else "PubMed-not-MEDLINE"
    )
    issn = "".join(
        _el("ISSN", summary[key], f' IssnType="{kind}"')
        for key, kind in (("issn", "Print"), ("essn", "Electronic"))
        if summary.get(key)
    )
    issue = _el("Volume", summary["volume"]) if summary.get("volume") else ""
    issue += _el("Issue", summary["issue"]) if summary.get("issue") else ""
    issue += f"<PubDate>{_pub_date(str(summary.get('pubdate', '')))}</PubDate>"
    medium = "Internet" if summary.get("essn") and not summary.get("issn") else "Print"
    journal = (
        f'<Journal>{issn}<JournalIssue CitedMedium="{medium}">'
        f"{issue}</JournalIssue>{_el('Title', summary.get('fulljournalname', ''))}"
        f"{_el('ISOAbbreviation', summary.get('source', ''))}</Journal>"
    )
    start, end = expand_pages(str(summary.get("pages", "")))
    pagination = ""
    if summary.get("pages"):
        pagination = "<Pagination>" + _el("StartPage", start) + (_el("EndPage", end) if end else "")
        pagination += _el("MedlinePgn", summary["pages"]) + "</Pagination>"
    eloc = _el("ELocationID", ids["doi"], ' EIdType="doi" ValidYN="Y"') if ids.get("doi") else ""
    abstract = (
        f"<Abstract>{_el('AbstractText', extra['abstract'])}</Abstract>"
        if extra.get("abstract")
        else ""
    )
    langs = "".join(_el("Language", lang) for lang in summary.get("lang") or [])
    pubtypes = "".join(
        _el("PublicationType", t, f' UI="{PUBTYPE_UI[t]}"' if t in PUBTYPE_UI else "")
        for t in summary.get("pubtype") or []
    )
    model = "Print-Electronic" if summary.get("epubdate") else "Print"
    article = (
        f'<Article PubModel="{model}">{journal}{_el("ArticleTitle", summary.get("title", ""))}'
        f"{pagination}{eloc}{abstract}{_authors(summary, extra)}{langs}"
        f"<PublicationTypeList>{pubtypes}</PublicationTypeList>"
        + (
            _el("VernacularTitle", summary["vernaculartitle"])
            if summary.get("vernaculartitle")
            else ""
        )
        + f"{_article_date(str(summary.get('epubdate', '')))}</Article>"
    )
    info = (
        "<MedlineJournalInfo>"
        + (_el("Country", extra["country"]) if extra.get("country") else "")
        + _el("MedlineTA", summary.get("source", ""))
        + _el("NlmUniqueID", summary.get("nlmuniqueid", ""))
        + (
            _el("ISSNLinking", summary.get("issn") or summary.get("essn"))
            if summary.get("issn") or summary.get("essn")
            else ""
        )
        + "</MedlineJournalInfo>"
    )
    corrections = "".join(
        f'<CommentsCorrections RefType="{x(str(c.get("RefType", "")))}">'
        + _el("RefSource", c.get("RefSource", ""))
        + (_el("PMID", c["PMID"], ' Version="1"') if c.get("PMID") else "")
        + "</CommentsCorrections>"
        for c in extra.get("comments_corrections") or []
    )
    if corrections:
        corrections = f"<CommentsCorrectionsList>{corrections}</CommentsCorrectionsList>"
    article_ids = "".join(
        _el("ArticleId", ids[t], f' IdType="{t}"') for t in _ARTICLE_ID_TYPES if ids.get(t)
    )
    return (
        f'<PubmedArticle><MedlineCitation Status="{cit_status}" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID>{article}{info}{corrections}</MedlineCitation>'
        f"<PubmedData>{_history(summary)}<PublicationStatus>ppublish</PublicationStatus>"
        f"<ArticleIdList>{article_ids}</ArticleIdList></PubmedData></PubmedArticle>"
    )


def efetch(articles: Sequence[str]) -> bytes:
    """A ``PubmedArticleSet`` document around already rendered articles."""
    return (
        EFETCH_HEAD + "<PubmedArticleSet>\n" + "".join(articles) + "</PubmedArticleSet>"
    ).encode()


def esearch(
    ids: Sequence[str], count: int, retstart: int, translation: str, not_found: Sequence[str]
) -> bytes:
    """An ``eSearchResult`` document."""
    id_list = "".join(f"\t<Id>{i}</Id>\n" for i in ids)
    errors = ""
    if not_found:
        phrases = "".join(_el("PhraseNotFound", p) for p in not_found)
        errors = f"<ErrorList>{phrases}</ErrorList>"
    warnings = (
        "<WarningList><OutputMessage>No items found.</OutputMessage></WarningList>"
        if not count
        else ""
    )
    return (
        f"{ESEARCH_HEAD}<eSearchResult>\n<Count>{count}</Count><RetMax>{len(ids)}</RetMax>"
        f"<RetStart>{retstart}</RetStart>\n<IdList>\n{id_list}</IdList>\n<TranslationSet/>"
        f"{_el('QueryTranslation', translation)}{errors}{warnings}\n</eSearchResult>\n"
    ).encode()


def esummary_docsums(records: Sequence[Mapping[str, Any]], missing: Sequence[str]) -> bytes:
    """Legacy ``eSummaryResult`` (``retmode=xml``, the default) for found and missing uids."""

    def item(name: str, kind: str, value: Any) -> str:
        return f'\t<Item Name="{name}" Type="{kind}">{x(str(value))}</Item>\n'

    docs = []
    for r in records:
        authors = "".join(
            f'\t\t<Item Name="Author" Type="String">{x(str(a.get("name", "")))}</Item>\n'
            for a in r["authors"]
        )
        pubtypes = "".join(
            f'\t\t<Item Name="PubType" Type="String">{x(str(t))}</Item>\n' for t in r["pubtype"]
        )
        ids = "".join(
            f'\t\t<Item Name="{x(str(a.get("idtype")))}" Type="String">'
            f"{x(str(a.get('value')))}</Item>\n"
            for a in r["articleids"]
        )
        doi = next((str(a.get("value")) for a in r["articleids"] if a.get("idtype") == "doi"), "")
        docs.append(
            f"<DocSum>\n\t<Id>{r['uid']}</Id>\n"
            + item("PubDate", "Date", r["pubdate"])
            + item("EPubDate", "Date", r["epubdate"])
            + item("Source", "String", r["source"])
            + f'\t<Item Name="AuthorList" Type="List">\n{authors}\t</Item>\n'
            + item("LastAuthor", "String", r["lastauthor"])
            + item("Title", "String", r["title"])
            + item("Volume", "String", r["volume"])
            + item("Issue", "String", r["issue"])
            + item("Pages", "String", r["pages"])
            + item("NlmUniqueID", "String", r["nlmuniqueid"])
            + item("ISSN", "String", r["issn"])
            + item("ESSN", "String", r["essn"])
            + f'\t<Item Name="PubTypeList" Type="List">\n{pubtypes}\t</Item>\n'
            + item("RecordStatus", "String", r["recordstatus"])
            + item("PubStatus", "String", r["pubstatus"])
            + f'\t<Item Name="ArticleIds" Type="List">\n{ids}\t</Item>\n'
            + item("DOI", "String", doi)
            + item("FullJournalName", "String", r["fulljournalname"])
            + item("ELocationID", "String", r["elocationid"])
            + "</DocSum>\n"
        )
    errors = "".join(f"<ERROR>UID={uid}: cannot get document summary</ERROR>\n" for uid in missing)
    return f"{ESUMMARY_HEAD}<eSummaryResult>\n{errors}{''.join(docs)}</eSummaryResult>\n".encode()
