"""The compare page: any two versions, diffed in the reader's browser by `policy-diff.js`.

Python writes everything the script needs as static JSON, so the browser pairs and diffs
sections as `diff_versions` does without copying a constant into JavaScript:

- `compare/versions.json`, one `compare/<version>.json` per version (sections with the
  keys the alignment uses), and `compare/changes.json` (each change of the history with its
  flags and each entry's label, as the change pages show them);
- `assets/policy-diff/compare.json` (`compare_config`): the alignment's thresholds, the fold
  sizes, the tokenisation (word and space classes, the code points tokens are mapped to) and
  the reader-facing words.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from .. import urls
from ..diff import align
from ..diff import words as word_diff
from ..diff.segment import slugify
from ..escape import md_text
from ..history import PolicyHistory
from ..times import format_iso
from ..wording import (
    FLAG_TITLES,
    compare_words,
    entry_label,
    flag_explanation,
    flag_level,
    section_name,
    shown_flags,
)
from .blocks import front_matter, raw_block, rel, src
from .diffhtml import FOLD_AT, KEEP

CONFIG_FILE = "compare.json"  # under the assets directory


def compare_page(history: PolicyHistory, config_path: str) -> str:
    """`config_path`: where `compare_config` is written, relative to the site root."""
    page = src(urls.compare_page(history.slug))
    out = [front_matter(f"Compare versions of {history.name}")]
    out.append("# Compare versions { #pd--top }\n\n")
    policy = rel(page, src(urls.policy_page(history.slug)))
    out.append(
        f"Any two versions of [{md_text(history.name)}]({policy}), compared section by section in your browser "
        "(diff-match-patch, word by word, as on the change pages).\n\n"
    )
    out.append(
        "Sections are paired as on the change pages: identical text first, then the same title, then "
        "similar text under a new title (labelled *renamed*); sections out of their old order are "
        "*moved*, and a section split in two or two merged into one are shown together.\n\n"
    )
    config = rel(page, config_path)
    out.append(
        raw_block(
            f'<div class="pd-compare" data-index="versions.json" data-changes="changes.json" data-config="{config}">'
            "<noscript>Comparing versions needs JavaScript; every change is also on its own page.</noscript>"
            "</div>"
        )
    )
    return "".join(out)


def compare_data(history: PolicyHistory) -> dict[str, str]:
    """Static JSON the compare page loads: an index of versions, one file per version, and
    the changes of the history with their flags and labels."""
    base = urls.compare_page(history.slug)
    index = []
    files = {}
    for version in history.versions:
        record = version.version
        index.append(
            {
                "id": version.id,
                "first_seen": format_iso(record.first_seen),
                "last_seen": format_iso(record.last_seen),
                "captures": len(record.captures),
                "file": f"{version.id}.json",
            }
        )
        # slug and parent are what diff/align.py keys its id and title passes on, name what a
        # reader sees: the page's script reads them rather than re-implementing them.
        sections = [
            {
                "id": s.id,
                "title": s.title,
                "name": section_name(s.title),
                "slug": slugify(s.title),
                "parent": s.parent,
                "text": s.text,
            }
            for s in version.sections
        ]
        files[base + f"{version.id}.json"] = json.dumps(
            {"id": version.id, "sections": sections}, ensure_ascii=False, separators=(",", ":")
        )
    latest = history.latest.id if history.latest else None
    files[base + "versions.json"] = json.dumps({"latest": latest, "versions": index}, indent=1)
    files[base + "changes.json"] = json.dumps(
        {"changes": [change_json(history, n) for n in range(1, len(history.changes) + 1)]},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return files


def change_json(history: PolicyHistory, number: int) -> dict[str, Any]:
    """What the compare page shows of a change of the history: its flags (the contract's
    names and `reverts_to`) and each entry's label, exactly as the change page has them."""
    change = history.change(number)
    return {
        "number": change.number,
        "from": change.old.version,
        "to": change.new.version,
        "published": format_iso(change.published),
        **change.summary_json(),
        "shown": [
            {
                "name": name,
                "title": FLAG_TITLES[name],
                "level": flag_level(name, change),
                "text": flag_explanation(name, change, history),
            }
            for name in shown_flags(change.flags)
        ],
        "sections": [
            {"status": e.status, "old_ids": list(e.old_ids), "new_ids": list(e.new_ids), "label": entry_label(e)}
            for e in change.diff.sections
        ],
    }


def compare_config() -> str:
    """The site-wide constants of the compare page's script, from the Python that defines them."""
    config = {
        "align": {
            "prefilter_dice": align.PREFILTER_DICE,
            "match_ratio": align.MATCH_RATIO,
            "attach_containment": align.ATTACH_CONTAINMENT,
            "sketch": align.SKETCH,
        },
        "fold": {"at": FOLD_AT, "keep": KEEP},
        "tokens": {
            # Python's \w is exactly [\p{L}\p{N}_] in its Unicode database (a test checks every
            # code point); its \s differs from JavaScript's, so it is listed.
            "word": r"\p{L}\p{N}_",
            "space": _space_class(),
            "first_code": word_diff._FIRST_CODE,
            "surrogates": [word_diff._SURROGATES.start, word_diff._SURROGATES.stop],
        },
        "words": compare_words(),
    }
    return json.dumps(config, ensure_ascii=True, indent=1) + "\n"


@lru_cache(maxsize=1)
def _space_class() -> str:
    """Python's \\s as the body of a JavaScript character class (`u` flag). Unicode has no
    white space above U+3000 (a test scans every code point), so the scan stops there."""
    found = re.findall(r"\s", "".join(map(chr, range(0x3100))))
    return "".join(f"\\u{{{ord(c):X}}}" for c in found)
