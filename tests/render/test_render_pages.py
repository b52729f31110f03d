"""Labels and flags a reader relies on: moved and renamed sections, silent and trivial
changes, returns to an earlier text, section histories that follow a restructure. Pages are
rendered from histories built directly (no archive on disk)."""

from __future__ import annotations

import json
from pathlib import Path

from test_render_golden import pair_data

from history_fixtures import history_of
from policydiff import urls
from policydiff.diff import SectionChange
from policydiff.diff.segment import slugify
from policydiff.render import RenderSettings, render_policy
from policydiff.render.blocks import src
from policydiff.render.change_page import change_page
from policydiff.render.compare import compare_data
from policydiff.render.timeline import timeline_page
from policydiff.wording import entry_label

VERSIONS = Path(__file__).parents[1] / "fixtures" / "github-site-policy" / "github-privacy-statement" / "versions"

POLICY = """# Privacy policy

Last updated: January 1, 2020

## Information we collect

We collect your name and email address when you register.

## Data sharing

We do not share your data with anyone.
"""


def section(status: str, **fields: object) -> SectionChange:
    base = dict(
        status=status, old_id="a", new_id="a", old_title="Sharing", new_title="Sharing", old_index=2, new_index=2,
        words_added=0, words_removed=0, trivial=False, diff=((0, "## Sharing\n\nWe share.\n"),),
    )  # fmt: skip
    return SectionChange(**{**base, **fields})  # type: ignore[arg-type]


def test_moved_and_renamed_sections_are_labelled() -> None:
    assert entry_label(section("moved", new_index=5)) == "moved; position 3 → 6"
    renamed = section("renamed", new_id="b", new_title="Who we share with")
    assert entry_label(renamed) == "renamed from “Sharing”"
    assert entry_label(section("modified", new_title="Sharing data")) == "modified; renamed from “Sharing”"
    split = section("modified", note="split into 2", words_added=3)
    assert entry_label(split) == "modified; split into 2"
    assert entry_label(section("modified", trivial=True, trivial_kind="date")) == "modified; trivial (date)"
    # The preamble has a name, and Markdown in a title is not shown as syntax
    assert entry_label(section("modified", old_title="", new_title="Intro")) == "modified; renamed from “Preamble”"
    assert entry_label(section("renamed", old_title="**Sharing**", new_title="Data")) == "renamed from “Sharing”"


def flags_on(page: str) -> list[str]:
    """The flag admonitions of a change page (not the one giving its significance's reasons)."""
    titles = [line.split('"')[1] for line in page.splitlines() if line.startswith("!!! ")]
    return [title for title in titles if not title.startswith("Why it is")]


def test_flags_for_silent_trivial_and_date_only_changes() -> None:
    edits = {
        "silent": POLICY.replace("with anyone", "with our partners"),
        "date only": POLICY.replace("January 1", "March 3"),
        "trivial": POLICY.replace("with anyone.", "with  anyone ."),
    }
    for what, edited in edits.items():
        history = history_of("acme", [POLICY, edited], name="Acme")
        (change,) = history.changes
        page = change_page(history, change)
        timeline = timeline_page(history)
        if what == "silent":
            assert change.flags.names == ("silent_change",)
            assert flags_on(page) == ["Silent change"]
            # a two-word edit is minor: its silent change is a note, not a warning
            assert change.significance == "minor"
            assert '!!! note "Silent change"' in page and "2020&#45;01&#45;01" in page
            assert "**Silent change**" in timeline
        elif what == "date only":
            assert change.flags.names == ("date_only", "trivial")  # a date-only change is trivial too
            assert flags_on(page) == ["Date only"]  # ...and is shown as what it is
            assert "**Date only**" in timeline and "Trivial change" not in timeline
        else:
            assert change.flags.names == ("trivial",) and change.flags.trivial_kinds == ("punctuation",)
            assert flags_on(page) == ["Trivial change"]
            assert "punctuation" in page


def test_a_return_to_an_earlier_text_is_flagged() -> None:
    edited = POLICY.replace("with anyone", "with our partners")
    history = history_of("acme", [POLICY, edited, POLICY], name="Acme")
    first, back = history.changes
    assert first.flags.reverts_to is None and back.flags.reverts_to == history.periods[0].version
    assert "revert" in back.flags.names
    assert flags_on(change_page(history, back)) == ["Silent change", "Return to an earlier text"]
    assert flags_on(change_page(history, first)) == ["Silent change"]
    assert "first in force on 2020&#45;01&#45;01" in change_page(history, back)


def test_compare_data_carries_what_the_alignment_keys_on_and_the_changes() -> None:
    """The compare page's port of diff/align.py keys its id and title passes on each
    section's parent and title slug (clause numbers dropped), so the JSON ships Python's;
    changes.json carries each change's flags and labels as the change page has them."""
    history, change = pair_data()
    files = compare_data(history)
    base = urls.compare_page(history.slug)
    index = json.loads(files[base + "versions.json"])
    assert [v["id"] for v in index["versions"]] == [v.id for v in history.versions]
    for version in index["versions"]:
        shipped = json.loads(files[base + version["file"]])["sections"]
        sections = history.version(version["id"]).sections
        assert [(s["id"], s["parent"], s["slug"], s["text"]) for s in shipped] == [
            (s.id, s.parent, slugify(s.title), s.text) for s in sections
        ]
    (recorded,) = json.loads(files[base + "changes.json"])["changes"]
    assert (recorded["from"], recorded["to"]) == (change.old.version, change.new.version)
    assert recorded["flags"] == list(change.flags.names) and recorded["reverts_to"] is None
    assert [s["label"] for s in recorded["sections"]] == [entry_label(e) for e in change.diff.sections]


def test_a_section_born_in_a_restructure_links_to_its_predecessor() -> None:
    """GitHub's privacy statement, 2023-12-28 -> 2024-04-18: the rewrite removes "How we share
    the information we collect" and adds "Sharing of Personal Data", too reworded to be paired
    as one section. Their histories link to each other."""
    texts = [(VERSIONS / f"{name}.md").read_text("utf-8") for name in ("20231228T004138Z", "20240418T002248Z")]
    history = history_of("github", texts, name="GitHub Privacy Statement")
    (change,) = history.changes
    statuses = {e.new_title or e.old_title: e.status for e in change.diff.sections}
    assert statuses["Sharing of Personal Data"] == "added"
    assert statuses["How we share the information we collect"] == "removed"
    sharing = history.section("sharing-of-personal-data")
    before = history.section("how-we-share-the-information-we-collect")
    assert sharing is not None and before is not None
    assert [(link.lineage, link.how) for link in sharing.born_from] == [(before.lineage, "restructure")]
    assert [(link.lineage, link.how) for link in before.went_into] == [(sharing.lineage, "restructure")]
    files = render_policy(history, RenderSettings()).files
    page = files[src(urls.section_page("github", sharing.lineage))]
    assert "../how-we-share-the-information-we-collect/index.md" in page
    assert "closest to &#8220;How we share the information we collect&#8221;" in page
    back = files[src(urls.section_page("github", before.lineage))]
    assert "../sharing-of-personal-data/index.md" in back


def test_a_split_off_section_has_its_history_from_the_split() -> None:
    """A heading added in the middle of a section splits it: the new section's history
    starts there, with the split in it, linked to the section it came from."""
    transfers = (
        "We store and process your data in the United States and in the countries where our "
        "subprocessors operate, under the standard contractual clauses approved by the Commission."
    )
    before = POLICY + f"\nWe keep your data for one year.\n\n{transfers}\n"
    after = POLICY + f"\nWe keep your data for one year.\n\n## International transfers\n\n{transfers}\n"
    history = history_of("acme", [before, after], name="Acme")
    (change,) = history.changes
    split = next(e for e in change.diff.sections if e.note and e.note.startswith("split"))
    part = change.lineage_of_section(split.new_ids[1])
    section = history.section(part)
    assert section is not None and section.title == "International transfers"
    assert section.first_seen == change.published
    assert [(link.lineage, link.how) for link in section.born_from] == [("data-sharing", "split")]
    assert section.entries == ((1, change.diff.sections.index(split)),)  # its birth is in its history
    source = history.section("data-sharing")
    assert source is not None and [(link.lineage, link.how) for link in source.went_into] == [(part, "split")]
    files = render_policy(history, RenderSettings(feeds=False)).files
    page = files[src(urls.section_page("acme", part))]
    assert "Split off from &#8220;Data sharing&#8221;" in page and "../data-sharing/index.md" in page
    assert "Subscribe" not in page  # no feeds: no feed links


def test_a_new_version_changes_only_the_pages_it_concerns() -> None:
    """A new capture must not rewrite the pages of every earlier change and version (a serve
    rebuild, or a deploy, would redo them all): only the policy's own pages, the last
    change's (its "next" link), the previous current version's (now compared with the new
    one), the new change's and version's and the edited section's."""
    texts = [
        "# Policy\n\n## Data\n\nWe keep your data.\n\n## Sharing\n\nWe share nothing.\n\n## Contact\n\nWrite to us.\n",
    ]
    for edit in ["We keep your data for a year.", "We keep your data for two years.", "We keep your data forever."]:
        texts.append(texts[-1].replace(texts[-1].split("\n\n")[2], edit))
    texts.append(texts[-1].replace("We share nothing.", "We share it with partners."))
    before = render_policy(history_of("acme", texts[:-1])).files
    grown = history_of("acme", texts)
    after = render_policy(grown).files
    changed = sorted(k for k in after if before.get(k) != after[k] and k.endswith(".md"))
    new, last = grown.changes[-1], grown.changes[-2]
    versions = [v.id for v in grown.versions]
    expected = {
        src(urls.policy_page("acme")),
        src(urls.timeline_page("acme")),
        src(urls.change_page(new)),
        src(urls.change_page(last)),
        src(urls.version_page("acme", versions[-1])),
        src(urls.version_page("acme", versions[-2])),
    }
    assert expected <= set(changed)
    rest = [k for k in set(changed) - expected if "/sections/" not in k]
    assert rest == [], rest
    page = after[src(urls.version_page("acme", versions[0]))]
    assert f'compare/index.html?from={versions[0]}"' in page  # the compare page opens on the current version
    assert " · 1 capture · " in page  # one capture, not "1 captures"
