"""Watched terms: what privacy readers look for in a change (sale of data, sharing, AI...),
as groups of stem patterns in English, French and German, and the matcher that finds them.

A group's id is lower-case words joined by hyphens (`third-parties`); its `label` is how a
headline names it. Default patterns are stems that match at the start of a word ("vend"
finds "vendre", "vendons", "vente" needs its own stem), written for the policy's language;
a policy in another language is matched with the patterns of all three. Site-wide groups
(the plugin's `watched_terms`) and a policy's own (`policy.yml` `watch:`) add patterns to a
default group or define new ones; their patterns are RE2 regexes searched as written.

Every pattern runs on RE2 (linear time whatever a hostile declaration writes), and a text
is scanned up to `MAX_SCAN_CHARS`, so a term search is bounded in time by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import re2

GROUP_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
MAX_GROUP_ID_CHARS = 40
MAX_GROUPS = 100  # groups a declaration or the site may add
MAX_PATTERNS = 100  # patterns in one group
MAX_SCAN_CHARS = 200_000  # characters of one text searched for terms (a long section is cut)
LANGUAGES = ("en", "fr", "de")

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_RE2_OPTIONS.max_mem = 32 * 1024 * 1024
_RE2_OPTIONS.case_sensitive = False
# A default stem matches at the start of a word (RE2's \b is ASCII only: no use for "é").
_WORD_START = r"(?:^|[^\pL\pN])"
_WORD_REST = r"[\pL\pN]*"


@dataclass(frozen=True)
class TermGroup:
    id: str
    label: str  # how a headline names it: "AI and machine learning"
    stems: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language -> stems (RE2 fragments)
    patterns: tuple[str, ...] = ()  # RE2 patterns searched as written, any language


def _g(id: str, label: str, en: Sequence[str], fr: Sequence[str], de: Sequence[str]) -> TermGroup:
    return TermGroup(id, label, {"en": tuple(en), "fr": tuple(fr), "de": tuple(de)})


# Stems, not words: each matches at the start of a word and runs to its end. `\s+` between
# the words of a phrase; `[’']` for elisions. German compounds start with the stem they are
# about ("Standortdaten", "Kinderschutz"), or name it after a hyphen or not at all: the few
# common inner stems ("…weitergabe", "…werbung") are written with a leading `\pL*`.
DEFAULT_GROUPS: tuple[TermGroup, ...] = (
    _g(
        "sale",
        "sale of data",
        [r"sell", r"sold\b", r"sale\b", r"sales\s+of\s+(?:personal|your)", r"do\s+not\s+sell"],
        [r"vend", r"vente", r"cession", r"c[èe]d(?:er|ons|e|ent)\b"],
        [r"verkauf", r"\pL*verkauf", r"veräußer"],
    ),
    _g(
        "third-parties",
        "sharing with third parties",
        [r"third[\s-]+part", r"affiliate", r"partner", r"shar(?:e|es|ed|ing)\s+(?:[\pL,]+\s+){0,5}with", r"disclos"],
        [r"tiers\b", r"tierce", r"partenaire", r"affili[ée]", r"filiale", r"partag", r"communiqu", r"transmett"],
        [r"dritt", r"partner", r"weitergeb", r"\pL*weitergabe", r"übermittl", r"übermitteln", r"konzern"],
    ),
    _g(
        "advertising",
        "advertising and tracking",
        [r"advertis", r"ads?\b", r"marketing", r"track", r"cookie", r"pixel", r"beacon", r"profiling"],
        [r"publicit", r"annonce", r"marketing", r"traceur", r"cookie", r"pistage", r"suivi\b", r"ciblage", r"profil"],
        [r"werb", r"\pL*werbung", r"marketing", r"tracking", r"cookie", r"profil", r"anzeige"],
    ),
    _g(
        "retention",
        "retention and deletion",
        [r"retain", r"retention", r"retaining", r"kept\s+for", r"keep\s+(?:your|personal)", r"delet", r"eras"],
        [r"conserv", r"suppr", r"effac", r"dur[ée]e\s+de\s+conservation"],
        [r"aufbewahr", r"speicherdauer", r"gespeichert", r"lösch", r"\pL*löschung"],
    ),
    _g(
        "location",
        "location",
        [r"locat", r"geoloc", r"gps\b", r"precise\s+location"],
        [r"localisation", r"g[ée]oloc", r"gps\b", r"position\s+g[ée]ograph"],
        [r"standort", r"\pL*standort", r"geoloka", r"gps\b", r"ortung"],
    ),
    _g(
        "biometrics",
        "biometrics",
        [r"biometr", r"face\s*print", r"facial\s+recogn", r"fingerprint", r"voice\s*print"],
        [r"biom[ée]tr", r"reconnaissance\s+faciale", r"empreinte"],
        [r"biometr", r"gesichtserkennung", r"fingerabdr"],
    ),
    _g(
        "health",
        "health",
        [r"health", r"medical", r"sexual\s+orient", r"sex\s+life"],
        [r"sant[ée]", r"m[ée]dical", r"orientation\s+sexuelle", r"vie\s+sexuelle"],
        [r"gesundheit", r"medizin", r"sexuelle\s+orientierung", r"sexualleben"],
    ),
    _g(
        "children",
        "children",
        [r"child", r"minor\b", r"minors\b", r"under\s+(?:the\s+age\s+of\s+)?1[3-8]\b", r"age\s+of\s+1[3-8]", r"coppa"],
        [r"enfant", r"mineur", r"moins\s+de\s+1[3-8]\s+ans"],
        [r"kind", r"minderjährig", r"jugendlich", r"unter\s+1[3-8]\s+jahre"],
    ),
    _g(
        "ai",
        "AI and machine learning",
        [
            r"artificial\s+intelligen",
            r"ai\b",
            r"machine[\s-]+learning",
            r"train(?:ing)?\s+(?:\pL+\s+){0,3}models?\b",
            r"large\s+language\s+model",
            r"generative",
            r"llms?\b",
        ],
        [
            r"intelligence\s+artificielle",
            r"ia\b",
            r"apprentissage\s+automatique",
            r"entra[îi]n\pL*\s+(?:des\s+)?mod[èe]le",
        ],
        [r"künstliche\w*\s+intelligenz", r"ki\b", r"maschinell\pL*\s+lern", r"trainier"],
    ),
    _g(
        "law-enforcement",
        "law enforcement and government requests",
        [r"law\s+enforcement", r"government", r"subpoena", r"court\s+order", r"legal\s+process", r"police"],
        [r"autorit[ée]s?\s+(?:judiciaire|publique|administrative)", r"police", r"r[ée]quisition", r"gouvernement"],
        [r"strafverfolg", r"behörde", r"\pL*behörde", r"polizei", r"gericht", r"staatsanwalt"],
    ),
    _g(
        "international-transfers",
        "international transfers",
        [
            r"international\s+transfer",
            r"transfer",
            r"outside\s+(?:the\s+)?(?:eea|european|eu\b)",
            r"standard\s+contractual",
            r"privacy\s+shield",
            r"data\s+privacy\s+framework",
            r"adequacy",
        ],
        [
            r"transf[ée]r",
            r"hors\s+(?:de\s+l[’']\s*)?(?:ue|union|eee|espace)",
            r"clauses\s+contractuelles\s+types",
            r"pays\s+tiers",
        ],
        [
            r"übermittlung\s+in\s+drittländer",
            r"drittl[äa]nd",
            r"standardvertragsklausel",
            r"außerhalb\s+(?:der\s+)?(?:eu|des\s+ewr|europ)",
            r"angemessenheitsbeschluss",
        ],
    ),
    _g(
        "consent",
        "consent and opt-out",
        [r"consent", r"opt[\s-]*(?:out|in)", r"unsubscrib", r"withdraw", r"object\s+to"],
        [
            r"consent",
            r"opposer",
            r"opposition",
            r"d[ée]sinscri",
            r"retirer\s+(?:votre|son)\s+consentement",
            r"d[ée]sabonn",
        ],
        [r"einwillig", r"widerruf", r"widerspr", r"abmeld", r"zustimm", r"opt[\s-]*out"],
    ),
    _g(
        "arbitration",
        "arbitration and class-action waivers",
        [r"arbitra", r"class[\s-]+action", r"jury\s+trial", r"waive"],
        [r"arbitrage", r"action\s+(?:de\s+groupe|collective)", r"renonc"],
        [r"schiedsverfahren", r"schiedsgericht", r"sammelklage", r"verzicht"],
    ),
)


@dataclass(frozen=True)
class TermHit:
    """A watched term found in a text: its group and where (character offsets)."""

    group: str
    start: int
    end: int


class TermMatcher:
    """The compiled term groups for one policy: `hits(text)` finds every group's terms."""

    def __init__(self, groups: Sequence[TermGroup], language: str = "en") -> None:
        self.groups = tuple(groups)
        self.language = language
        primary = language.split("-")[0].lower()
        langs = (primary,) if primary in LANGUAGES else LANGUAGES
        self._compiled: list[tuple[str, Any]] = []
        for group in self.groups:
            parts = [f"{_WORD_START}(?:{stem}){_WORD_REST}" for lang in langs for stem in group.stems.get(lang, ())] + [
                f"(?:{p})" for p in group.patterns
            ]
            if parts:
                self._compiled.append((group.id, re2.compile("|".join(parts), options=_RE2_OPTIONS)))

    @cached_property
    def labels(self) -> dict[str, str]:
        return {g.id: g.label for g in self.groups}

    @cached_property
    def key(self) -> str:
        """What the matcher is made of (for fingerprints of what it computed)."""
        return repr((self.language, [(g.id, g.label, sorted(g.stems.items()), g.patterns) for g in self.groups]))

    def hits(self, text: str) -> Iterator[TermHit]:
        """Every term in `text` (its first MAX_SCAN_CHARS characters), by group then place;
        a hit's span is trimmed of the non-letter a stem's word start consumed."""
        text = text[:MAX_SCAN_CHARS]
        for group_id, pattern in self._compiled:
            for match in pattern.finditer(text):
                start, end = match.span()
                while start < end and not text[start].isalnum():
                    start += 1
                if start < end:
                    yield TermHit(group_id, start, end)

    def groups_in(self, text: str) -> dict[str, int]:
        """How many terms of each group `text` holds."""
        counts: dict[str, int] = {}
        for hit in self.hits(text):
            counts[hit.group] = counts.get(hit.group, 0) + 1
        return counts


def merge_groups(base: Iterable[TermGroup], extra: Iterable[TermGroup]) -> tuple[TermGroup, ...]:
    """`extra` added to `base`: patterns of a known id extend that group (and a label
    replaces its label), new ids are new groups, after the others."""
    merged = {g.id: g for g in base}
    for group in extra:
        known = merged.get(group.id)
        if known is None:
            merged[group.id] = TermGroup(group.id, group.label or group.id.replace("-", " "), {}, group.patterns)
        else:
            merged[group.id] = TermGroup(
                known.id,
                group.label or known.label,
                known.stems,
                known.patterns + group.patterns,
            )
    return tuple(merged.values())


def matcher_for(language: str, *extras: Iterable[TermGroup]) -> TermMatcher:
    """The default groups with the site's and the policy's additions, for a policy's language."""
    groups: tuple[TermGroup, ...] = DEFAULT_GROUPS
    for extra in extras:
        groups = merge_groups(groups, extra)
    return TermMatcher(groups, language)


def group_to_json(group: TermGroup) -> dict[str, Any]:
    """An added group (patterns only: default stems are code, not data)."""
    return {"id": group.id, "label": group.label, "patterns": list(group.patterns)}


def group_from_json(data: dict[str, Any]) -> TermGroup:
    return TermGroup(data["id"], data.get("label", ""), {}, tuple(data.get("patterns", ())))


def parse_term_groups(value: Any, where: str, compile_pattern: Any) -> tuple[TermGroup, ...]:
    """Term groups as written in `policy.yml` (`watch:`) or the plugin's `watched_terms`:

    ```yaml
    watch:
      pricing: ["\\bprice", "tarif"]        # id: patterns
      ai: {patterns: ["copilot"]}           # extends a default group
      cookies-consent: {label: "cookie consent", patterns: ["cookie\\s+banner"]}
    ```

    `compile_pattern(where, pattern)` checks one pattern (an RE2 compile that raises a
    one-line error naming the file); a `ValueError` says what is wrong with the shape."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a mapping of term-group ids to lists of patterns")
    if len(value) > MAX_GROUPS:
        raise ValueError(f"{where}: {len(value)} term groups, at most {MAX_GROUPS}")
    out = []
    for group_id, spec in value.items():
        key = f"{where}.{group_id}"
        if not isinstance(group_id, str) or len(group_id) > MAX_GROUP_ID_CHARS or not GROUP_ID.fullmatch(group_id):
            raise ValueError(
                f"{where}: term-group id {str(group_id)[:60]!r}: "
                "lower-case words joined by hyphens expected (like `third-parties`)"
            )
        label = ""  # a default group keeps its label, a new one is named by its id
        if isinstance(spec, dict):
            if set(spec) - {"label", "patterns"} or "patterns" not in spec:
                raise ValueError(f"{key}: expected `patterns` (a list) and an optional `label`")
            label_value = spec.get("label", group_id)
            if (
                not isinstance(label_value, str)
                or not label_value.strip()
                or len(label_value) > 80
                or "\n" in label_value
            ):
                raise ValueError(f"{key}.label: expected a one-line string of at most 80 characters")
            label = label_value.strip()
            patterns = spec["patterns"]
        else:
            patterns = spec
        if not isinstance(patterns, list) or not patterns or len(patterns) > MAX_PATTERNS:
            raise ValueError(f"{key}: expected a list of 1 to {MAX_PATTERNS} patterns")
        for index, pattern in enumerate(patterns):
            compile_pattern(f"{key}[{index}]", pattern)
        out.append(TermGroup(group_id, label, {}, tuple(patterns)))
    return tuple(out)


def compile_check(pattern: str) -> None:
    """Compile a pattern as the matcher will (RE2, case-insensitive): raises re2.error."""
    re2.compile(pattern, options=_RE2_OPTIONS)
