"""Significance, headline, watched terms and the calibrated silent-change flag on real changes
(the bundled archive's and OTA's reference extractions in tests/fixtures)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
from history_fixtures import history_of
from policydiff.archive import Archive
from policydiff.declaration import parse_declaration
from policydiff.errors import DeclarationError
from policydiff.history import Change
from policydiff.history.significance import displayed_significance
from policydiff.watch import DEFAULT_GROUPS, GROUP_ID, MAX_SCAN_CHARS, TermGroup, matcher_for

BUNDLED = Archive(REPO / "archive")


def bundled_change(slug: str, day: date) -> Change:
    """The change of the bundled archive first captured on `day`, rebuilt from its two texts."""
    periods = BUNDLED.history(slug)
    index = next(i for i, p in enumerate(periods) if i and p.start.date() == day)
    texts = [BUNDLED.version_text(BUNDLED.version(slug, periods[i].version)) for i in (index - 1, index)]
    return history_of(slug, texts).changes[0]


def fixture_change(relative: str, old: str, new: str, language: str) -> Change:
    folder = FIXTURES / relative / "versions"
    texts = [(folder / f"{name}.md").read_text(encoding="utf-8") for name in (old, new)]
    return history_of(Path(relative).name, texts, language=language).changes[0]


def test_github_2026_ai_training_is_major_and_says_so() -> None:
    change = bundled_change("github-privacy-policy", date(2026, 4, 28))
    assert change.significance == "major"
    assert "ai" in change.terms
    assert "AI" in change.headline or "machine learning" in change.headline
    assert any("AI and machine learning" in reason for reason in change.reasons)
    assert "Private repositories: GitHub Access" in change.headline  # the text it drops
    assert list(change.terms) == sorted(change.terms)


def test_google_gdpr_rewrite_is_major() -> None:
    change = bundled_change("google-privacy-policy", date(2018, 5, 26))
    assert change.new_stated_date == "2018-05-25"
    assert change.significance == "major"
    assert change.headline.startswith("Rewrites most of the policy")
    assert any("Rewrites" in reason for reason in change.reasons)


def test_one_word_fix_is_minor_and_a_note_not_a_warning() -> None:
    from policydiff.wording import flag_level

    change = bundled_change("github-privacy-policy", date(2023, 12, 6))
    assert change.significance == "minor"
    assert change.flags.silent_change  # the stated date did not move
    assert flag_level("silent_change", change) == "note"
    assert "“repos” → “repositories”" in change.headline


def test_a_date_only_change_is_trivial_and_not_silent() -> None:
    text = BUNDLED.version_text(
        BUNDLED.version("github-privacy-policy", BUNDLED.history("github-privacy-policy")[-1].version)
    )
    assert "April 27, 2026" in text  # its stated date
    moved = text.replace("April 27, 2026", "May 4, 2026", 1)
    change = history_of("github-privacy-policy", [text, moved]).changes[0]
    assert change.flags.date_only
    assert change.significance == "trivial"
    assert not change.flags.silent_change
    assert change.headline == "Only the stated date changed (2026-04-27 → 2026-05-04)."


def test_a_trivial_edit_under_the_same_date_is_not_silent() -> None:
    # GitHub's 2025-03-13 change: punctuation only, the stated date unchanged.
    change = bundled_change("github-privacy-policy", date(2025, 3, 13))
    assert change.old_stated_date == change.new_stated_date
    assert change.significance == "trivial"
    assert not change.flags.silent_change


def test_retention_period_edit_names_both_values() -> None:
    change = fixture_change("ota-dating/bumble-privacy-policy", "20260530T003054Z", "20260613T123055Z", "en")
    assert "“30 days” → “24 hours”" in change.headline
    assert change.significance == "major"
    assert "retention" in change.terms


def test_french_change_gets_terms_from_french_patterns() -> None:
    args = ("ota-dating/meetic-privacy-policy-fr", "20221206T003257Z", "20221212T173549Z")
    change = fixture_change(*args, "fr")
    assert "biometrics" in change.terms
    # English stems do not find them: the French ones did.
    assert "biometrics" not in fixture_change(*args, "en").terms


def test_german_change_gets_terms_from_german_patterns() -> None:
    args = ("ota-dating/finya-privacy-policy-de", "20240604T123220Z", "20240701T123221Z")
    change = fixture_change(*args, "de")
    assert {"consent", "retention"} <= set(change.terms)
    english = fixture_change(*args, "en")
    assert "retention" not in english.terms  # "Löschung", "Speicherdauer": German stems only
    assert change.significance == "major"


def test_change_json_round_trip_keeps_the_assessment() -> None:
    change = bundled_change("github-privacy-policy", date(2026, 4, 28))
    again = Change.from_json(change.slug, change.to_json())
    assert (again.significance, again.headline, again.reasons, again.terms) == (
        change.significance,
        change.headline,
        change.reasons,
        change.terms,
    )
    assert displayed_significance(again) == "major"


def test_default_group_ids_and_every_language() -> None:
    for group in DEFAULT_GROUPS:
        assert GROUP_ID.fullmatch(group.id)
        assert set(group.stems) == {"en", "fr", "de"} and all(group.stems.values())


def test_watch_in_policy_yml_adds_groups_and_refuses_bad_patterns(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    data = {
        "name": "x",
        "url": "https://example.org/p",
        "watch": {"pricing": ["\\bprice"], "ai": {"patterns": ["copilot"]}},
    }
    declaration = parse_declaration("x", data, path)
    matcher = matcher_for("en", declaration.watch)
    assert matcher.groups_in("Copilot may change the price.") == {"ai": 1, "pricing": 1}
    for bad, message in (
        ({"Pricing": ["x"]}, "lower-case words joined by hyphens"),
        ({"pricing": ["(a"]}, "invalid regular expression"),
        ({"pricing": ["(a)\\1"]}, "invalid regular expression"),  # a backreference: not RE2
        ({"pricing": []}, "list of 1 to"),
        (["pricing"], "mapping"),
    ):
        with pytest.raises(DeclarationError) as error:
            parse_declaration("x", {**data, "watch": bad}, path)
        assert message in str(error.value) and "policy.yml" in str(error.value)


def test_hostile_pattern_and_text_stay_bounded() -> None:
    # A pattern that backtracks exponentially in a backtracking engine, on text built to hit
    # it: RE2 runs it in linear time, and past MAX_SCAN_CHARS nothing is read.
    matcher = matcher_for("en", [TermGroup("evil", "evil", {}, ("(a+)+$",))])
    text = "a" * (MAX_SCAN_CHARS - 1) + "!"
    assert matcher.groups_in(text).get("evil") is None
    assert matcher.groups_in("x" * MAX_SCAN_CHARS + " sell your data") == {}


def test_diff_json_summary_contract() -> None:
    import json

    from click.testing import CliRunner

    from policydiff.cli import main

    result = CliRunner().invoke(main, ["--archive", str(REPO / "archive"), "diff", "github-privacy-policy", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    assert summary["significance"] == "major"
    assert isinstance(summary["headline"], str) and "AI" in summary["headline"]
    assert summary["terms"] == sorted(summary["terms"]) and "ai" in summary["terms"]
    assert all(GROUP_ID.fullmatch(term) for term in summary["terms"])
    assert summary["reasons"] and all(isinstance(r, str) for r in summary["reasons"])
