"""The date a policy states for itself ("Last updated: May 3, 2023", "Stand: 01.02.2024",
"Dernière mise à jour : 3 mai 2023") and date expressions in general.

The stated date is how a policy keeps its promise that changes are posted: a text change
under an unchanged stated date is a *silent change*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
}  # fmt: skip
MONTH_NAMES = frozenset(_MONTHS)
_MONTH = "(?P<month>" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# Word edges that treat "_" as a boundary: Markdown emphasis ("_January 12, 2021_").
_START, _END = r"(?<![^\W_])", r"(?![^\W_])"
_DATE_FORMS = (
    re.compile(rf"{_START}{_YEAR}-(?P<mnum>[01]?\d)-(?P<day>[0-3]?\d){_END}"),
    re.compile(rf"{_START}(?P<day>[0-3]?\d)\.\s?(?P<mnum>[01]?\d)\.\s?{_YEAR}{_END}"),
    _SLASHED := re.compile(rf"{_START}(?P<mnum>[0-3]?\d)/(?P<day>[0-3]?\d)/{_YEAR}{_END}"),
    re.compile(rf"{_START}{_MONTH}\s+{_DAY},?\s+{_YEAR}{_END}", re.I),
    re.compile(rf"{_START}{_DAY}\s+{_MONTH},?\s+{_YEAR}{_END}", re.I),
    re.compile(rf"{_START}{_MONTH}\s+{_YEAR}{_END}", re.I),
)
# What policies write before their own date, in the languages of the corpus.
_LABEL = re.compile(
    r"(?:last\s+(?:updated|modified|revised|changed|amended)|(?:date\s+)?(?:of\s+)?last\s+revision|"
    r"updated(?:\s+on)?|effective(?:\s+date|\s+as\s+of|\s+from|\s+on)?|revised|version\s+date|"
    r"derni[èe]re\s+mise\s+[àa]\s+jour|s.applique\s+(?:[àa]\s+partir|[àa]\s+compter)\s+d[eu]|mis(?:e)?\s+[àa]\s+jour(?:\s+le)?|en\s+vigueur(?:\s+(?:le|au|à\s+compter\s+du))?|"
    r"date\s+d.entr[ée]e\s+en\s+vigueur|stand|zuletzt\s+(?:aktualisiert|ge[äa]ndert)|letzte\s+(?:aktualisierung|änderung)|"
    r"g[üu]ltig\s+(?:ab|seit)|inkrafttreten)",
    re.I,
)
# The labels that say when a text takes effect, not when it was written: a date after one of
# these that is later than the day the text was first captured is advance notice.
_EFFECTIVE_LABEL = re.compile(
    r"(?:effective(?:\s+date|\s+as\s+of|\s+from|\s+on)?|takes?\s+effect(?:\s+on)?|in\s+effect\s+(?:from|as\s+of)|"
    r"s.applique\s+(?:[àa]\s+partir|[àa]\s+compter)\s+d[eu]|en\s+vigueur(?:\s+(?:le|au|à\s+compter\s+du))?|"
    r"date\s+d.entr[ée]e\s+en\s+vigueur|g[üu]ltig\s+ab|inkrafttreten|wirksam\s+ab)",
    re.I,
)
_HAS_YEAR = re.compile(r"(?:19|20)\d\d")
_ENGLISH_LABEL = re.compile(r"last|date|updated|effective|revised|version", re.I)
_LABEL_GAP = 60  # characters searched after a label for its date
# Between a label and its date: punctuation and a word or two ("on", "as of", "le", "am").
_GAP = re.compile(r"[\s:*_()\-–—,]*(?:[^\W\d]+[\s:*_()\-–—,]+){0,2}", re.UNICODE)


@dataclass(frozen=True)
class StatedDate:
    iso: str  # YYYY-MM-DD, or YYYY-MM when the policy gives no day
    text: str  # the words as the policy wrote them


def find_dates(text: str, *, dayfirst: bool = False) -> list[tuple[int, int, str]]:
    """Every date expression in text as (start, end, iso), leftmost first, not overlapping.
    `dayfirst` reads 03/04/2021 as 3 April (French, German) rather than March 4 (US)."""
    if not _HAS_YEAR.search(text):
        return []  # every form has a year: most text is ruled out at once
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for form in _DATE_FORMS:
        for m in form.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            iso = _iso(m, swap=dayfirst and form is _SLASHED)
            if iso:
                found.append((m.start(), m.end(), iso))
                taken.append((m.start(), m.end()))
    return sorted(found)


def stated_date(markdown: str, *, labels: re.Pattern[str] = _LABEL) -> StatedDate | None:
    """The first date the policy states for itself after a label, or None."""
    # Years are rare and cheap to find; labels are looked for only just before one.
    searched = 0
    for year in _HAS_YEAR.finditer(markdown):
        start = max(searched, year.start() - _LABEL_GAP - 30)
        searched = year.start()
        for label in labels.finditer(markdown, start, year.start()):
            if not _label_starts_word(markdown, label.start()):
                continue
            window = markdown[label.end() : label.end() + _LABEL_GAP]
            window = window.split("\n\n", 1)[0]
            dates = find_dates(window, dayfirst=not _ENGLISH_LABEL.match(label.group()))
            if dates and _GAP.fullmatch(window[: dates[0][0]]):
                _start, end, iso = dates[0]
                return StatedDate(iso, markdown[label.start() : label.end() + end].strip())
    return None


def effective_date(markdown: str) -> StatedDate | None:
    """The date the policy says it takes effect ("Effective date: 1 March 2024", "Gültig ab
    01.03.2024"), or None."""
    return stated_date(markdown, labels=_EFFECTIVE_LABEL)


def looks_like_date_line(line: str) -> bool:
    """A line that is a date, or a label and a date ("Last updated: 3 May 2023")."""
    if len(line) > 120:
        return False
    dates = find_dates(line)
    if not dates:
        return False
    rest = line[: dates[0][0]] + line[dates[0][1] :]
    return bool(_LABEL.search(line)) or len(re.findall(r"\w+", rest)) <= 2


def mask_dates(text: str) -> str:
    """The text with every date expression replaced by one placeholder."""
    out, last = [], 0
    for start, end, _iso_date in find_dates(text):
        out.append(text[last:start])
        out.append("\x00DATE\x00")
        last = end
    out.append(text[last:])
    return "".join(out)


def _label_starts_word(text: str, start: int) -> bool:
    # "examplesLast modified:" is a label glued to a menu by a lossy capture: accept it.
    before = text[start - 1] if start else " "
    return not before.isalnum() or (before.islower() and text[start].isupper())


def _iso(m: re.Match[str], *, swap: bool = False) -> str | None:
    groups = m.groupdict()
    if swap or (groups.get("mnum") and int(groups["mnum"]) > 12 and m.re is _SLASHED):
        groups["mnum"], groups["day"] = groups["day"], groups["mnum"]
    year = int(groups["year"])
    month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS[groups["month"].lower().rstrip(".")]
    day = int(groups["day"]) if groups.get("day") else None
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")
