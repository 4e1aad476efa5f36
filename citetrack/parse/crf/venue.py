"""A conference's venue printed at the end of its proceedings' name.

IEEE and ACM print a paper's conference as ``in Proc. 27th Int. Conf. Machine Learning
(ICML), Haifa, Israel, 2010, pp. 1–9.``; the labeller often takes the venue as part of
the container.  BibTeX's ``@inproceedings`` keeps the venue in ``address`` and the
``booktitle`` is the proceedings' name alone.

Conservative by design: only a trailing ``City, Country`` or ``City, ST`` (a US state's
or Canadian province's postal code, or its name), optionally followed by the country, is
cut off; a bare ``…, Lisbon`` stays in the name (it may be a part, a track or a
co-located event).  The place's words are never rewritten.
"""

from __future__ import annotations

import re


def _names(text: str) -> frozenset[str]:
    """The ``|``-separated names of ``text`` (spacing and line breaks as one blank)."""
    return frozenset(name.strip() for name in " ".join(text.split()).split("|"))


#: Countries as references print them (English short names and common forms).
_COUNTRIES = _names(
    """Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|
    Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|
    Bolivia|Bosnia and Herzegovina|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|
    Cambodia|Cameroon|Canada|Cape Verde|Chad|Chile|China|P.R. China|PR China|Colombia|
    Congo|Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|
    Dominican Republic|Ecuador|Egypt|El Salvador|Estonia|Eswatini|Ethiopia|Fiji|Finland|
    France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Guatemala|Guinea|Guyana|Haiti|
    Honduras|Hong Kong|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|
    Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Korea|South Korea|Republic of Korea|
    Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|
    Lithuania|Luxembourg|Macau|Macao|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|
    Mauritania|Mauritius|Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|
    Myanmar|Namibia|Nepal|Netherlands|The Netherlands|New Zealand|Nicaragua|Niger|Nigeria|
    North Macedonia|Macedonia|Norway|Oman|Pakistan|Panama|Papua New Guinea|Paraguay|Peru|
    Philippines|Poland|Portugal|Puerto Rico|Qatar|Romania|Russia|Russian Federation|
    Rwanda|Saudi Arabia|Scotland|Senegal|Serbia|Singapore|Slovakia|Slovenia|
    South Africa|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|
    Tajikistan|Tanzania|Thailand|Togo|Trinidad and Tobago|Tunisia|Turkey|Türkiye|
    Turkmenistan|Uganda|Ukraine|United Arab Emirates|UAE|United Kingdom|UK|U.K.|England|
    Wales|Northern Ireland|United States|USA|U.S.A.|US|U.S.|Uruguay|Uzbekistan|Venezuela|
    Vietnam|Viet Nam|Yemen|Zambia|Zimbabwe"""
)
#: US states and Canadian provinces: postal codes and names.
_REGIONS = _names(
    """AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|
    NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AB|BC|MB|NB|NL|
    NS|ON|PE|QC|SK|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|
    Delaware|Florida|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|
    Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|
    Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|
    Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|
    Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|Alberta|
    British Columbia|Manitoba|Ontario|Quebec|Québec|Nova Scotia|Saskatchewan"""
)
#: A city's name: one to three capitalised words (``Haifa``, ``New Orleans``, ``St.
#: Louis``, ``Rio de Janeiro``, ``Aix-en-Provence``), no digits.
_CITY_NAME = re.compile(
    r"[A-ZÀ-Þ][^\W\d_]*\.?"
    r"(?:[\s-](?:[A-ZÀ-Þ][^\W\d_]*\.?|de|do|da|del|am|an|sur|en|la|le)){0,3}"
)


def split_venue(name: str) -> tuple[str, str | None]:
    """A proceedings' name and the venue printed at its end (``None`` when none is).

    >>> split_venue("Proc. 27th Int. Conf. Imaginary Learning (ICIL), Haifa, Israel")
    ('Proc. 27th Int. Conf. Imaginary Learning (ICIL)', 'Haifa, Israel')
    >>> split_venue("Proceedings of the Example Workshop, New Orleans, LA, USA")
    ('Proceedings of the Example Workshop', 'New Orleans, LA, USA')
    >>> split_venue("Proceedings of the Example Workshop, Part II")
    ('Proceedings of the Example Workshop, Part II', None)
    """
    parts = [part.strip() for part in name.rstrip(" .,;:").split(",")]
    for size in (3, 2):
        if len(parts) <= size:
            continue
        city, *regions = parts[-size:]
        if not _CITY_NAME.fullmatch(city):
            continue
        if size == 3 and not (regions[0] in _REGIONS and regions[1] in _COUNTRIES):
            continue
        if size == 2 and regions[0] not in _COUNTRIES and regions[0] not in _REGIONS:
            continue
        rest = ", ".join(parts[:-size])
        if re.search(r"\w", rest):
            return rest, ", ".join(parts[-size:])
    return name, None
