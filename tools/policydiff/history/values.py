"""Concrete values a change edits, before and after: durations and retention periods, ages,
amounts, e-mail and postal addresses, company names, URLs of opt-out pages. Found in the
sentences an edit changed (`edits`), in English, French and German text.

The patterns are the project's own (not a declaration's), run with Python's `re` over single
sentences of at most `edits.MAX_SENTENCE_CHARS` characters, and none nests quantifiers: a
search is linear in the sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .edits import EntryEdit

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|eighteen"
    "|twenty|thirty|sixty|ninety|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|treize|quinze|seize"
    "|dix-huit|trente|soixante|quatre-vingt-dix|ein|eine|einen|einem|zwei|drei|vier|fünf|sechs|sieben|acht|neun"
    "|zehn|zwölf|dreizehn|sechzehn|achtzehn|dreißig|sechzig|neunzig"
)
_NUMBER = rf"(?:\d{{1,4}}(?:[.,]\d{{1,2}})?|(?:{_NUMBER_WORDS})(?:\s*\(\d{{1,4}}\))?)"
_UNIT = (
    r"(?:hours?|days?|business\s+days|weeks?|months?|years?|heures?|jours?(?:\s+ouvrés)?|semaines?|mois|ans|années?"
    r"|stunden|tagen?|werktagen?|wochen|monaten?|jahren?)"
)
_DURATION = re.compile(rf"(?<![\w-]){_NUMBER}[\s-]+{_UNIT}(?![\w])", re.IGNORECASE)
_AGE = re.compile(
    r"(?:age[sd]?\s+(?:of\s+)?(?:under\s+|below\s+)?|under\s+(?:the\s+age\s+of\s+)?|over\s+(?:the\s+age\s+of\s+)?"
    r"|at\s+least\s+|âgée?s?\s+de\s+(?:moins\s+de\s+|plus\s+de\s+)?|moins\s+de\s+|plus\s+de\s+|âge\s+de\s+"
    r"|unter\s+|über\s+|ab\s+|mindestens\s+|alter\s+von\s+)"
    r"(\d{1,2})(?:\s*(?:years?(?:\s+old)?|ans|jahren?(?:\s+alt)?))?(?!\s*(?:%|[.,]\d|days?|jours?|tage|mois|months?|monate))\b"
    r"|(?<![\w.,])\d{1,2}\s+(?:years?\s+(?:of\s+age|old)|ans\s+(?:révolus|minimum|et\s+plus)|jahre\s+alt|lebensjahr)",
    re.IGNORECASE,
)
_AGE_CONTEXT = re.compile(
    r"child|minor|age|enfant|mineur|âge|kind|minderjährig|jugendlich|alter|years\s+old|ans\b|jahre", re.IGNORECASE
)
_AMOUNT = re.compile(
    r"(?:[$€£]\s?\d{1,3}(?:[,.\s]\d{3})*(?:[.,]\d{1,2})?|\d{1,3}(?:[,.\s]\d{3})*(?:[.,]\d{1,2})?\s?(?:€|EUR|USD|GBP|CHF|dollars?|euros?)\b)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")
_URL = re.compile(r"https?://[^\s)\]>\"'<]{1,300}")
_COMPANY = re.compile(
    r"(?<![\w])(?:[A-ZÀ-ÖØ-Þ][\w&'.-]{0,40}\s+){0,3}[A-ZÀ-ÖØ-Þ][\w&'.-]{0,40},?\s+"
    r"(?:Inc\.|Inc\b|LLC\b|L\.L\.C\.|Ltd\.|Ltd\b|Limited\b|GmbH\b|AG\b|SAS\b|S\.A\.S\.|S\.A\.|SARL\b|B\.V\.|BV\b|plc\b|PLC\b"
    r"|Corp\.|Corporation\b|KG\b|SE\b|S\.r\.l\.|Pty\b|ULC\b|UG\b)"
)
_ADDRESS = re.compile(
    r"\d{1,5}[a-zA-Z]?,?\s+(?:[\w'.-]{1,30}\s+){0,4}(?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Boulevard|Blvd\.|Lane|Drive|Way|Place|Square)"
    r"(?:,?\s+(?:Suite|Floor|Unit)\s+\w{1,6})?"
    r"|\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|boulevard|bd|place|quai|allée|chemin|impasse|cours)\s+[^,\n.;]{2,60}"
    r"|[A-ZÄÖÜ][\wäöüß-]{1,40}(?:straße|strasse|str\.|platz|weg|allee|ring|damm|gasse)\s+\d{1,4}[a-z]?"
    r"|(?:Street|Stra[ßs]e)\s+\d{1,4}[a-z]?",
    re.IGNORECASE,
)
_POSTCODE_CITY = re.compile(
    r"[,\s]+(?:[A-Z]{1,2}-)?\d{4,5}\s+[A-ZÀ-ÖØ-Þ][\wÀ-ÿ-]{1,40}|,\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?"
)

# Kinds in the order a headline names them, with the reader's word for each.
KIND_WORDS = {
    "duration": "period",
    "age": "age",
    "amount": "amount",
    "company": "company name",
    "email": "e-mail address",
    "address": "postal address",
    "url": "opt-out page",
}
# Kinds whose change makes a change `major` (see significance.py): commitments a reader acts on.
COMMITMENT_KINDS = frozenset(("duration", "age", "amount", "company"))


@dataclass(frozen=True)
class ValueChange:
    kind: str  # a key of KIND_WORDS
    before: str | None  # None: added
    after: str | None  # None: removed
    section: str  # the section's title, as a reader sees it


def _clean(value: str) -> str:
    return " ".join(value.split()).rstrip(".,;:")


def _ages(sentence: str) -> list[str]:
    if not _AGE_CONTEXT.search(sentence):
        return []
    return [_clean(m.group(0)) for m in _AGE.finditer(sentence)]


def _addresses(sentence: str) -> list[str]:
    out = []
    for match in _ADDRESS.finditer(sentence):
        end = match.end()
        tail = _POSTCODE_CITY.match(sentence, end)
        out.append(_clean(sentence[match.start() : tail.end() if tail else end]))
    return out


def _pattern(pattern: re.Pattern[str]) -> Callable[[str], list[str]]:
    return lambda sentence: [_clean(m.group(0)) for m in pattern.finditer(sentence)]


_FINDERS: dict[str, Callable[[str], list[str]]] = {
    "duration": _pattern(_DURATION),
    "age": _ages,
    "amount": _pattern(_AMOUNT),
    "company": _pattern(_COMPANY),
    "email": _pattern(_EMAIL),
    "address": _addresses,
    "url": _pattern(_URL),
}


def values_in(sentences: Sequence[str], kind: str, opt_out: Callable[[str], bool]) -> list[str]:
    found: list[str] = []
    for sentence in sentences:
        if kind == "url" and not opt_out(sentence):
            continue
        values = _FINDERS[kind](sentence)
        if kind == "duration":
            ages = set(_ages(sentence))
            values = [v for v in values if not any(v in a for a in ages)]
        found += values
    return found


def value_changes(edits: Sequence[EntryEdit], opt_out: Callable[[str], bool]) -> list[ValueChange]:
    """The values each changed entry lost and gained, paired in order within a kind ("30
    days" -> "90 days"); `opt_out(sentence)` says whether a URL there is an opt-out page's."""
    out: list[ValueChange] = []
    for edit in edits:
        for kind in KIND_WORDS:
            old = values_in(edit.old_only, kind, opt_out)
            new = values_in(edit.new_only, kind, opt_out)
            old_counts, new_counts = Counter(map(str.lower, old)), Counter(map(str.lower, new))
            lost = [v for v in dict.fromkeys(old) if old_counts[v.lower()] > new_counts[v.lower()]]
            gained = [v for v in dict.fromkeys(new) if new_counts[v.lower()] > old_counts[v.lower()]]
            for before, after in zip(lost, gained, strict=False):
                out.append(ValueChange(kind, before, after, edit.title))
            out += [ValueChange(kind, v, None, edit.title) for v in lost[len(gained) :]]
            out += [ValueChange(kind, None, v, edit.title) for v in gained[len(lost) :]]
    return out
