"""Trivial changes, stated dates, silent and date-only changes."""

from __future__ import annotations

import pytest
from diff_fixtures import BUMBLE, read
from hypothesis import given, settings
from hypothesis import strategies as st

from policydiff.diff import classify, diff_versions, stated_date
from policydiff.diff.classify import trivial_kind
from policydiff.diff.dates import mask_dates
from policydiff.diff.words import word_diff


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("We keep data.\nFor a year.", "We keep data.  For a year.", "whitespace"),
        ("Last updated: May 3, 2023. We keep data.", "Last updated: June 1, 2024. We keep data.", "date"),
        ("Stand: 01.02.2023\n\nDaten.", "Stand: 15.03.2024\n\nDaten.", "date"),
        ("## 3. Retention\n\nWe keep data.", "## 4. Retention\n\nWe keep data.", "renumbering"),
        ("See [our help](https://a.example/help).", "See [our help](https://b.example/support).", "link"),
        ("We keep data, for a year.", "We keep data for a year.", "punctuation"),
        ("## 3. Retention\n\nUpdated May 3, 2023.", "## 4. Retention\n\nUpdated June 3, 2023.", "mixed"),
        ("We keep data for a year.", "We keep data for two years.", None),
        ("We do not sell your data.", "We sell your data.", None),
    ],
)
def test_trivial_kinds(old: str, new: str, kind: str | None) -> None:
    assert trivial_kind(word_diff(old, new)) == kind


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("# Privacy\n\nLast updated: May 3, 2023\n\nWe care.", "2023-05-03"),
        ("Effective date: February 1, 2024", "2024-02-01"),
        ("Effective as of 25 May 2018.", "2018-05-25"),
        ("Dernière mise à jour : 3 mai 2023", "2023-05-03"),
        ("Mis à jour le 12/03/2021", "2021-03-12"),
        ("Stand: 01.02.2024", "2024-02-01"),
        ("Zuletzt aktualisiert am 1. Januar 2020", "2020-01-01"),
        ("Last Updated on **March 3rd, 2021**", "2021-03-03"),
        ("Privacy PolicyHide examplesLast modified: December 18, 2017 (view archived versions)", "2017-12-18"),
        ("Stand: Juni 2021", "2021-06"),
        ("_Policy last updated: January 12, 2021_", "2021-01-12"),
        ("La présente Politique de confidentialité s’applique à partir de 01/02/2026.", "2026-02-01"),
    ],
)
def test_stated_dates(text: str, iso: str) -> None:
    found = stated_date(text)
    assert found is not None and found.iso == iso


@pytest.mark.parametrize(
    "text",
    [
        "The updated version of our Privacy Policy takes effect on May 25, 2018.",
        "We were founded in 2012 and updated our apps many times since.",
        "Understanding May 2020 events",
    ],
)
def test_dates_that_are_not_the_policy_date(text: str) -> None:
    assert stated_date(text) is None


def test_silent_change_on_real_versions() -> None:
    # Bumble edited a section in January 2023 and kept "Effective date: 22 December 2022".
    silent = diff_versions(read(f"{BUMBLE}/20221223T123205Z.md"), read(f"{BUMBLE}/20230109T123208Z.md"))
    assert silent.summary.silent_change and not silent.summary.date_only
    assert silent.summary.old_stated_date == silent.summary.new_stated_date == "2022-12-22"
    # A week later the edit came with a new date: announced, and the date change is trivial.
    dated = diff_versions(read(f"{BUMBLE}/20230109T123208Z.md"), read(f"{BUMBLE}/20230118T123208Z.md"))
    assert not dated.summary.silent_change
    assert (dated.summary.old_stated_date, dated.summary.new_stated_date) == ("2022-12-22", "2023-01-16")
    date_section = next(c for c in dated.sections if c.new_title == "Effective date")
    assert date_section.trivial and date_section.trivial_kind == "date"


def test_date_only_change() -> None:
    old = "# Policy\n\nLast updated: May 3, 2023\n\n## Data\n\nWe keep data.\n"
    new = old.replace("May 3, 2023", "June 1, 2024")
    s = diff_versions(old, new).summary
    assert s.date_only and s.trivial and not s.silent_change
    assert s.modified == 1 and s.words_added == 3 and s.words_removed == 3


# Each slot is one place of a text with its variants: the old and the new text each pick one,
# so pairs differ by dates, link targets, clause numbers, punctuation, spacing, or words.
_SLOTS: tuple[tuple[str, ...], ...] = (
    ("We", "we"),
    ("keep", "share"),
    (" data", " data"),
    (" May 3, 2023", " June 1, 2024", " 2023-05-03", ""),
    (
        " [help](https://a.example/help)",
        " [help](https://b.example/2023-05-03)",
        ' [help](https://a.example/x "May 2023")',
    ),
    (" https://a.example/March", " https://b.example/April", " <https://c.example/news>"),
    (" 2021-foo", " 2021-bar"),
    ("\n1. ", "\n2. ", "\n(b) ", "\n## iv. "),
    (",", ".", ";", ""),
    (" ", "  ", "\n"),
    (" link", " date", " links"),
)
_pairs = st.lists(
    st.tuples(st.integers(0, len(_SLOTS) - 1), st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=14
).map(
    lambda picks: (
        "".join(_SLOTS[s][a % len(_SLOTS[s])] for s, a, _ in picks),
        "".join(_SLOTS[s][b % len(_SLOTS[s])] for s, _, b in picks),
    )
)


def _kind_by_definition(old: str, new: str) -> str | None:
    """Every mask on both whole texts, in order: what the quick paths must agree with."""
    masks = (
        ("whitespace", classify._whitespace),
        ("date", lambda t: classify._whitespace(mask_dates(t))),
        ("renumbering", classify._renumbering),
        ("link", classify._links),
        ("punctuation", classify._punctuation),
    )
    for name, mask in masks:
        if mask(old) == mask(new):
            return name

    def every(text: str) -> str:
        return classify._punctuation(classify._links(classify._renumbering(mask_dates(text))))

    return "mixed" if every(old) == every(new) else None


@given(_pairs)
@settings(max_examples=400, deadline=None)
def test_the_quick_paths_classify_as_every_mask_would(pair: tuple[str, str]) -> None:
    old, new = pair
    assert classify._hunk_kind(old, new) == _kind_by_definition(old, new)
