"""The typed records of a diff. JSON shape documented in issue #4 and README."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any, Literal

Status = Literal["unchanged", "modified", "added", "removed", "moved", "renamed"]
Op = tuple[int, str]  # diff-match-patch: -1 delete, 0 equal, 1 insert


@dataclass(frozen=True)
class Section:
    id: str  # stable slug of the title path, de-duplicated
    title: str  # "" for the preamble before the first heading
    level: int  # 0 for the preamble, 1.. for headings
    text: str  # the section's own text, heading line included, up to the next heading
    index: int  # position in the document, 0-based
    parent: str | None = None  # id of the enclosing section (None at the top level)
    path: tuple[str, ...] = ()  # titles from the top-level ancestor down to this section
    offset: int = 0  # character offset of the section in the version's Markdown

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "index": self.index,
            "parent": self.parent,
            "path": list(self.path),
            "text": self.text,
            "offset": self.offset,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Section:
        return cls(
            id=data["id"],
            title=data["title"],
            level=data["level"],
            text=data["text"],
            index=data["index"],
            parent=data.get("parent"),
            path=tuple(data.get("path", ())),
            offset=data.get("offset", 0),
        )


@dataclass(frozen=True)
class SectionChange:
    """One entry of a diff: old section(s) paired with new section(s), or one alone.

    status: `unchanged` (same text, in order), `moved` (same text, out of order), `renamed`
    (another title over similar text), `modified` (the text changed; also splits and merges,
    see `note`, `old_ids`, `new_ids`), `added`, `removed`. `moved` is also set on renamed or
    modified entries that changed place. `trivial` is true when every edit is noise of one
    `trivial_kind` (whitespace, date, renumbering, link, punctuation; mixed for several).
    """

    status: Status
    old_id: str | None
    new_id: str | None
    old_title: str | None
    new_title: str | None
    old_index: int | None
    new_index: int | None
    words_added: int
    words_removed: int
    trivial: bool
    diff: tuple[Op, ...]
    trivial_kind: str | None = None  # whitespace | punctuation | date | renumbering | link
    note: str | None = None  # e.g. "split into 2 sections", "merged from 2 sections"
    old_ids: tuple[str, ...] = ()  # every old section in this entry (two or more for a merge)
    new_ids: tuple[str, ...] = ()  # every new section in this entry (two or more for a split)
    level: int = 0  # heading level of the (new, else old) section; 0 for the preamble
    parent: str | None = None  # id of the enclosing section, on the same side as `level`
    moved: bool = False  # out of order relative to the other sections (also when modified)
    match: str = ""  # how the sections were paired: identical | id | title | similar | added | removed

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "old_id": self.old_id,
            "new_id": self.new_id,
            "old_title": self.old_title,
            "new_title": self.new_title,
            "old_index": self.old_index,
            "new_index": self.new_index,
            "words_added": self.words_added,
            "words_removed": self.words_removed,
            "trivial": self.trivial,
            "trivial_kind": self.trivial_kind,
            "note": self.note,
            "old_ids": list(self.old_ids),
            "new_ids": list(self.new_ids),
            "level": self.level,
            "parent": self.parent,
            "moved": self.moved,
            "match": self.match,
            "diff": [[op, text] for op, text in self.diff],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SectionChange:
        values = {k: v for k, v in data.items() if k in _SECTION_CHANGE_FIELDS}
        values["diff"] = tuple((int(op), text) for op, text in data["diff"])
        values["old_ids"] = tuple(data.get("old_ids", ()))
        values["new_ids"] = tuple(data.get("new_ids", ()))
        return cls(**values)


@dataclass(frozen=True)
class DiffSummary:
    unchanged: int = 0
    modified: int = 0
    added: int = 0
    removed: int = 0
    moved: int = 0
    renamed: int = 0
    words_added: int = 0
    words_removed: int = 0
    trivial: bool = False  # every change is trivial
    old_stated_date: str | None = None  # ISO date the policy itself states
    new_stated_date: str | None = None
    silent_change: bool = False  # text changed, stated date did not
    date_only: bool = False  # only the stated date changed

    @property
    def changed(self) -> bool:
        return bool(self.modified or self.added or self.removed or self.moved or self.renamed)

    def to_json(self) -> dict[str, Any]:
        return {
            "unchanged": self.unchanged,
            "modified": self.modified,
            "added": self.added,
            "removed": self.removed,
            "moved": self.moved,
            "renamed": self.renamed,
            "words_added": self.words_added,
            "words_removed": self.words_removed,
            "trivial": self.trivial,
            "old_stated_date": self.old_stated_date,
            "new_stated_date": self.new_stated_date,
            "silent_change": self.silent_change,
            "date_only": self.date_only,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DiffSummary:
        return cls(**{k: v for k, v in data.items() if k in _SUMMARY_FIELDS})


@dataclass(frozen=True)
class PolicyDiff:
    from_id: str
    to_id: str
    summary: DiffSummary
    sections: tuple[SectionChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.from_id,
            "to": self.to_id,
            "summary": self.summary.to_json(),
            "sections": [s.to_json() for s in self.sections],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PolicyDiff:
        """The inverse of `to_json` (keys it does not know, like the CLI's flags, are ignored)."""
        return cls(
            data["from"],
            data["to"],
            DiffSummary.from_json(data["summary"]),
            tuple(SectionChange.from_json(s) for s in data["sections"]),
        )


def _stored_at_once(cls: type) -> None:
    """Give a frozen dataclass an `__init__` that stores its fields in the instance's dict
    directly, with the same parameters, order and defaults as the dataclass's own.

    Why: the generated `__init__` of a frozen dataclass sets each field through
    `object.__setattr__`, a call per field; a diff makes one `Section` per section and one
    `SectionChange` per entry, so on small pages these calls were a fifth of a diff's cost.
    The records have no `__post_init__`, no `default_factory` and no slots (checked here),
    so storing in `__dict__` gives the very same instances."""
    # Raised, not asserted: under `python -O` a record that gained one would still load.
    if "__post_init__" in vars(cls) or "__slots__" in vars(cls):
        raise TypeError(f"{cls.__name__}: a __post_init__ or slots need the dataclass's own __init__")
    params, stores, defaults = [], [], {}
    for f in fields(cls):
        if f.default_factory is not MISSING or not f.init:
            raise TypeError(
                f"{cls.__name__}.{f.name}: a default_factory or init=False needs the dataclass's own __init__"
            )
        if f.default is MISSING:
            params.append(f.name)
        else:
            defaults[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        stores.append(f"    d[{f.name!r}] = {f.name}")
    source = f"def __init__(self, {', '.join(params)}):\n    d = self.__dict__\n" + "\n".join(stores) + "\n"
    namespace: dict[str, Any] = {}
    exec(source, dict(defaults), namespace)  # the way dataclasses itself makes __init__
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = dict(cls.__init__.__annotations__)
    cls.__init__ = init  # type: ignore[misc]


for _record in (Section, SectionChange, DiffSummary, PolicyDiff):
    _stored_at_once(_record)

_SECTION_CHANGE_FIELDS = frozenset(f.name for f in fields(SectionChange))
_SUMMARY_FIELDS = frozenset(f.name for f in fields(DiffSummary))
