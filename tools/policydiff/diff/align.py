"""Align the sections of two versions: which old section became which new one.

Passes, each over the sections the previous ones left unmatched:

1. identical text (a section that did not change, wherever it went);
2. same id (the slug of the title path), when that title occurs at most once under its
   parent in each version;
3. same title, once clause numbers are dropped (so renumbered clauses still pair), when the
   title occurs at most once in each version;
4. similar text under a new title: candidates share a min-hash of their word-pair shingles
   (bottom-`SKETCH` sketches in an inverted index), must share at least `PREFILTER_DICE` of
   their shingles (Dice), then the exact
   similarity (rapidfuzz's normalised Indel similarity of the two word sequences: unrelated
   sections of one policy score 0.1-0.3, a reworded one 0.6 and more) must reach `MATCH_RATIO`;
   the best pairs are taken first;
5. splits and merges: a left-over section whose shingles are mostly (`ATTACH_CONTAINMENT`)
   found in the *new* text of an adjacent pair, and not in its old text (or the reverse for
   a merge), joins that pair: one section modified into two, or two into one.

A group keeps consecutive sections on each side, so the diff of a group's joined old text
against its joined new text rebuilds both versions when the groups are read in order.
Thresholds were chosen on the corpus' changes (GitHub's 2024 restructure, Google's 2018
rewrite, ZWSOFT): lower values paired unrelated boilerplate sections.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Indel

from .records import Section
from .segment import slugify

PREFILTER_DICE = 0.2
MATCH_RATIO = 0.5
ATTACH_CONTAINMENT = 0.5
SKETCH = 32  # min-hashes kept per section: a pair at the prefilter's Dice shares ~3 of them

_WORD = re.compile(r"\w+")


@dataclass
class Group:
    old: list[int] = field(default_factory=list)  # consecutive old section indices
    new: list[int] = field(default_factory=list)  # consecutive new section indices
    how: str = ""  # identical | id | title | similar | added | removed
    moved: bool = False


@lru_cache(maxsize=1024)
def _profile(text: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """A text's lower-cased words and its word-pair shingles (hashed)."""
    words = tuple(_WORD.findall(text.lower()))
    if len(words) < 2:
        return words, frozenset(_stable_hash(w) for w in words)
    return words, frozenset(_stable_hash(f"{a} {b}") for a, b in itertools.pairwise(words))


def _stable_hash(text: str) -> int:
    """The same number in every process: Python's `hash` of a str changes with PYTHONHASHSEED,
    and the min-hash sketches pick candidates by it, so the alignment (and every feed and
    page built from it) would vary from one run to the next."""
    return zlib.crc32(text.encode("utf-8"))


def _shingles(text: str) -> frozenset[int]:
    return _profile(text)[1]


def align(old: list[Section], new: list[Section]) -> list[Group]:
    """Groups of matched, added and removed sections (moved flags set), in no set order."""
    old_of: dict[int, int] = {}  # new index -> old index
    taken_old: set[int] = set()

    def pair(o: int, n: int) -> None:
        old_of[n] = o
        taken_old.add(o)

    how: dict[int, str] = {}
    # 1. identical text
    by_text: dict[str, list[int]] = defaultdict(list)
    for s in old:
        by_text[s.text].append(s.index)
    for s in new:
        queue = by_text.get(s.text)
        if queue:
            pair(queue.pop(0), s.index)
            how[s.index] = "identical"
    # 2. same id, 3. same bare title: only where the title says which section it is. A title
    # repeated under one parent ("Purpose" thrice) is told apart by its text, in pass 4.
    placed = Counter((s.parent, slugify(s.title)) for s in old) + Counter((s.parent, slugify(s.title)) for s in new)
    titled = Counter(slugify(s.title) for s in old) + Counter(slugify(s.title) for s in new)
    passes = (
        ("id", lambda s: s.id, lambda s: placed[(s.parent, slugify(s.title))] <= 2),
        ("title", lambda s: slugify(s.title), lambda s: bool(s.title) and titled[slugify(s.title)] <= 2),
    )
    for name, key, telling in passes:
        keyed: dict[str, list[int]] = defaultdict(list)
        for s in old:
            if s.index not in taken_old and telling(s):
                keyed[key(s)].append(s.index)
        for s in new:
            if s.index in old_of or not telling(s):
                continue
            queue = keyed.get(key(s))
            if queue:
                pair(queue.pop(0), s.index)
                how[s.index] = name
    # 4. similar text
    shingles_old = {s.index: _shingles(s.text) for s in old if s.index not in taken_old}
    shingles_new = {s.index: _shingles(s.text) for s in new if s.index not in old_of}
    for o, n, _score in _similar_pairs(old, new, shingles_old, shingles_new):
        if o not in taken_old and n not in old_of:
            pair(o, n)
            how[n] = "similar"
    groups = {n: Group([o], [n], how[n]) for n, o in old_of.items()}
    # 5. splits and merges
    leftovers = _attach_leftovers(old, new, groups, old_of, taken_old)
    result = list(groups.values())
    result.extend(Group([], [n], "added") for n in sorted(leftovers[1]))
    result.extend(Group([o], [], "removed") for o in sorted(leftovers[0]))
    _mark_moves(result)
    return result


def _similar_pairs(
    old: list[Section], new: list[Section], sh_old: dict[int, frozenset[int]], sh_new: dict[int, frozenset[int]]
) -> list[tuple[int, int, float]]:
    """Candidate pairs share a min-hash (a bottom-k sketch of their shingles, so a section
    costs `SKETCH` index entries however long it is); their exact shingle Dice must reach
    PREFILTER_DICE and their word similarity MATCH_RATIO. Best pairs first."""
    if not sh_old or not sh_new:
        return []
    index: dict[int, list[int]] = defaultdict(list)
    for o, shingles in sh_old.items():
        for h in _sketch(shingles):
            index[h].append(o)
    scored: list[tuple[int, int, float]] = []
    for n, shingles in sh_new.items():
        candidates = {o for h in _sketch(shingles) for o in index.get(h, ())}
        for o in candidates:
            dice = 2 * len(shingles & sh_old[o]) / (len(shingles) + len(sh_old[o]))
            if dice < PREFILTER_DICE:
                continue
            ratio = Indel.normalized_similarity(_word_list(old[o]), _word_list(new[n]))
            if ratio >= MATCH_RATIO:
                scored.append((o, n, ratio))
    scored.sort(key=lambda t: (-t[2], t[1], t[0]))
    return scored


def _sketch(shingles: frozenset[int]) -> list[int]:
    """The `SKETCH` smallest hashes (a C sort beats heapq.nsmallest's Python loop here)."""
    return sorted(shingles)[:SKETCH]


def _word_list(section: Section) -> tuple[str, ...]:
    return _profile(section.text)[0]


def _attach_leftovers(
    old: list[Section],
    new: list[Section],
    groups: dict[int, Group],
    old_of: dict[int, int],
    taken_old: set[int],
) -> tuple[set[int], set[int]]:
    """Join unmatched sections to an adjacent pair they were split from or merged into.
    Returns the (old, new) sections still unmatched."""
    free_old = {s.index for s in old} - taken_old
    free_new = {s.index for s in new} - set(old_of)
    if not free_old and not free_new:
        return free_old, free_new
    group_of_old = {g.old[0]: g for g in groups.values()}
    group_of_new = {g.new[0]: g for g in groups.values()}

    def texts(g: Group) -> tuple[str, str]:
        return "".join(old[i].text for i in g.old), "".join(new[i].text for i in g.new)

    changed = True
    while changed:
        changed = False
        # A split: a new section next to a pair, made of the pair's old text.
        for n in sorted(free_new):
            for host in (group_of_new.get(n - 1), _group_starting_after(group_of_new, n)):
                if host is None or (host.how == "identical" and len(host.old) == len(host.new) == 1):
                    continue
                if not (host.new[-1] == n - 1 or host.new[0] == n + 1):
                    continue
                old_text, new_text = texts(host)
                if _contained(new[n].text, old_text, new_text):
                    host.new = sorted([*host.new, n])
                    group_of_new = {g.new[0]: g for g in groups.values()}
                    free_new.discard(n)
                    changed = True
                    break
        # A merge: an old section next to a pair, whose text went into the pair's new text.
        for o in sorted(free_old):
            for host in (_group_ending_before(group_of_old, old, o), group_of_old.get(o + 1)):
                if host is None or (host.how == "identical" and len(host.old) == len(host.new) == 1):
                    continue
                if not (host.old[-1] == o - 1 or host.old[0] == o + 1):
                    continue
                old_text, new_text = texts(host)
                if _contained(old[o].text, new_text, old_text):
                    host.old = sorted([*host.old, o])
                    group_of_old = {g.old[0]: g for g in groups.values()}
                    free_old.discard(o)
                    changed = True
                    break
    return free_old, free_new


def _group_starting_after(group_of_new: dict[int, Group], n: int) -> Group | None:
    return group_of_new.get(n + 1)


def _group_ending_before(group_of_old: dict[int, Group], old: list[Section], o: int) -> Group | None:
    for g in group_of_old.values():
        if g.old and g.old[-1] == o - 1:
            return g
    return None


def _contained(piece: str, host_other_side: str, host_same_side: str) -> bool:
    """Is most of `piece` found in the host's other side, beyond what its own side has?"""
    mine = _shingles(piece)
    if not mine:
        return False
    fresh = _shingles(host_other_side) - _shingles(host_same_side)
    return len(mine & fresh) / len(mine) >= ATTACH_CONTAINMENT


def _mark_moves(groups: list[Group]) -> None:
    """A matched group is moved when it is out of order: not on the longest chain of
    groups whose old and new positions both increase."""
    matched = sorted((g for g in groups if g.old and g.new), key=lambda g: g.new[0])
    keep = _longest_increasing([g.old[0] for g in matched])
    for i, g in enumerate(matched):
        g.moved = i not in keep


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence (patience sorting)."""
    import bisect

    tails: list[int] = []
    tail_pos: list[int] = []
    prev = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_pos.append(i)
        else:
            tails[k] = v
            tail_pos[k] = i
        prev[i] = tail_pos[k - 1] if k else -1
    out: set[int] = set()
    i = tail_pos[-1] if tail_pos else -1
    while i >= 0:
        out.add(i)
        i = prev[i]
    return out
