"""Editor's notes: what a change means, in the words of whoever publishes the history.

`archive/<slug>/notes.yml` holds them, keyed by the date a change took effect (`2024-02-01`)
or by the id of the version it introduced (`v1a2b3c4d5e`):

```yaml
"2024-02-01":
  text: |
    We now share **less** data with advertisers.
  material: true          # a material change: shown as such, ranked above automatic significance
  effective: "2024-03-01" # when it takes effect, if the text does not say (advance notice)
```

Each note set with `policy-diff note` is first a `note` record of the policy's hash-chained
manifest (the commit point, so `verify` vouches for notes as for captures), then notes.yml is
rewritten from the manifest's notes: the file is the manifest's notes as a file, and one edited
by hand is a `verify` error. A later note with the same key replaces the earlier one (both stay
in the manifest). Notes never change a capture or a version.

A note's text is Markdown from a person, but archive folders are hostile input: it is
size-limited here and rendered only through `escape.markdown_html` (the one allow-list).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

NOTES_FILE = "notes.yml"
NOTE_KIND = "note"  # its manifest records' kind
MAX_NOTE_CHARS = 20_000
MAX_NOTES_FILE_BYTES = 4_000_000
DATE_KEY = re.compile(r"\d{4}-\d{2}-\d{2}")
VERSION_KEY = re.compile(r"v[0-9a-f]{10}")


def check_date(value: object, what: str) -> str:
    """An ISO calendar date (YYYY-MM-DD) that exists, or ValueError."""
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not DATE_KEY.fullmatch(value):
        raise ValueError(f"{what}: expected a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a calendar date") from None


@dataclass(frozen=True)
class Note:
    key: str  # a date (YYYY-MM-DD) or a version id
    text: str  # Markdown
    material: bool = False
    effective: str | None = None  # YYYY-MM-DD

    @property
    def by_version(self) -> bool:
        return bool(VERSION_KEY.fullmatch(self.key))

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "text": self.text, "material": self.material, "effective": self.effective}

    @classmethod
    def from_json(cls, data: object) -> Note:
        """A note from a manifest record, a notes.yml entry or a history's JSON; ValueError
        names what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("a note is a mapping with `key` and `text`")
        key = data.get("key")
        if isinstance(key, date):
            key = key.isoformat()
        if not isinstance(key, str) or not (VERSION_KEY.fullmatch(key) or DATE_KEY.fullmatch(key)):
            raise ValueError(f"note key {key!r}: expected a date YYYY-MM-DD or a version id (v + 10 hex digits)")
        if DATE_KEY.fullmatch(key):
            key = check_date(key, f"note {key}")
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"note {key}: `text` must be non-empty Markdown")
        if len(text) > MAX_NOTE_CHARS:
            raise ValueError(f"note {key}: text longer than {MAX_NOTE_CHARS} characters")
        material = data.get("material", False)
        if not isinstance(material, bool):
            raise ValueError(f"note {key}: `material` must be true or false")
        effective = data.get("effective")
        if effective is not None:
            effective = check_date(effective, f"note {key}: effective")
        unknown = set(data) - {"key", "text", "material", "effective"}
        if unknown:
            raise ValueError(f"note {key}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        return cls(key, text.strip() + "\n", material, effective)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.rstrip("\n") or value.endswith("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def notes_yaml(notes: Mapping[str, Note]) -> str:
    """notes.yml as `policy-diff note` writes it (keys in order, text as a block)."""
    data: dict[str, dict[str, Any]] = {}
    for key in sorted(notes):
        note = notes[key]
        entry: dict[str, Any] = {"text": note.text}
        if note.material:
            entry["material"] = True
        if note.effective:
            entry["effective"] = note.effective
        data[key] = entry
    header = (
        "# Editor's notes, written by `policy-diff note` from the manifest's `note` records:\n"
        "# `policy-diff verify` reports any difference. Set a note with policy-diff note, not by hand.\n"
    )
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def parse_notes_yaml(data: bytes) -> dict[str, Note]:
    """notes.yml's notes by key; ValueError names what is wrong."""
    if len(data) > MAX_NOTES_FILE_BYTES:
        raise ValueError(f"larger than {MAX_NOTES_FILE_BYTES} bytes")
    try:
        parsed = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"not valid YAML ({str(exc).splitlines()[0]})") from None
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise ValueError("expected a mapping of date or version id to a note")
    out = {}
    for key, entry in parsed.items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"note {key!r}: expected a mapping with `text`")
        note = Note.from_json({"key": key, **entry})
        out[note.key] = note
    return out
