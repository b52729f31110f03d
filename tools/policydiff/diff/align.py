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
   found in the *old* text of an adjacent pair, and not in its new text (or the reverse for
   a merge), joins that pair: one section modified into several, or several into one;
6. headings added or taken away with no pair beside them: a left-over section and the run
   of left-over sections between the same two pairs on the other side made of its words
   become one pair (one section split in many, or many merged into one); then a section
   beside a pair whose text below its heading is nearly all (`CARRIED_OVER`) in the pair's
   other side joins it, a bare heading only on the way to such a section.

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
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from ..memo import LONG_TEXT_BUDGET, PARAGRAPH_CHARS, SECTION_CHARS, text_cache
from .records import Section
from .segment import slugify

PREFILTER_DICE = 0.2
MATCH_RATIO = 0.5
ATTACH_CONTAINMENT = 0.5
CARRIED_OVER = 0.9  # a section cut out under a new heading: its text (below the heading) kept
SKETCH = 32  # min-hashes kept per section: a pair at the prefilter's Dice shares ~3 of them

_WORD = re.compile(r"\w+")


@dataclass
class Group:
    old: list[int] = field(default_factory=list)  # consecutive old section indices
    new: list[int] = field(default_factory=list)  # consecutive new section indices
    how: str = ""  # identical | id | title | similar | added | removed
    moved: bool = False


@text_cache(1024, limit=SECTION_CHARS, budget=LONG_TEXT_BUDGET)
def _profile(text: str) -> tuple[tuple[str, ...], frozenset[int], tuple[int, ...]]:
    """A text's lower-cased words, its word-pair shingles (hashed), and the hash of each
    pair in order (kept so that the text below a heading, or texts joined, need no
    hashing again).

    Read paragraph by paragraph: no word spans a blank line (nor does lower-casing look
    across one: only a final sigma looks at its neighbours, and stops at a line break), so
    the words are each paragraph's in turn and the pairs each paragraph's plus one across
    each break. Two versions share most paragraphs, each read once (`_paragraph`)."""
    if _PARAGRAPH not in text:
        words, pairs = _paragraph(text)
    else:
        parts = [found for found in map(_paragraph, text.split(_PARAGRAPH)) if found[0]]
        words = tuple(itertools.chain.from_iterable(part[0] for part in parts))
        if len(parts) < 2:
            pairs = parts[0][1] if parts else ()
        else:
            joined: list[int] = list(parts[0][1])
            for (before, _), (after, after_pairs) in itertools.pairwise(parts):
                joined.append(_stable_hash(f"{before[-1]} {after[0]}"))
                joined.extend(after_pairs)
            pairs = tuple(joined)
    if len(words) < 2:
        return words, frozenset(_stable_hash(w) for w in words), ()
    return words, frozenset(pairs), pairs


_PARAGRAPH = "\n\n"


@text_cache(4096, limit=PARAGRAPH_CHARS, budget=LONG_TEXT_BUDGET)
def _paragraph(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The lower-cased words of a text and the hash of each pair of them, in order."""
    spaced = _words_spaced(text.lower())
    words = tuple(spaced.decode().split())
    if len(words) < 2:
        return words, ()
    # _stable_hash of "a b" for each pair of words, by C iterators: no Python frame per pair
    return words, tuple(map(zlib.crc32, map(b" ".join, itertools.pairwise(spaced.split()))))


_ASCII = bytes(range(128))
# Every ASCII byte that is not a word character made a space; the others (and every byte of
# a multi-byte character) kept.
_ASCII_NON_WORD_TO_SPACE = bytes(b if b >= 128 or _WORD.fullmatch(chr(b)) else 32 for b in range(256))


def _words_spaced(low: str) -> bytes:
    r"""The UTF-8 bytes of a text with every character that is not a word character (re's
    `\w`) made a space: its `_WORD` matches are the parts it splits into. By byte
    translations and replacements in C, three times faster than the regex (which is the
    same test character by character); the few distinct characters beyond ASCII are each
    judged by the regex itself. (A character's UTF-8 bytes never occur inside another's,
    and no word character is a space to `split`.)"""
    data = low.encode("utf-8", "surrogatepass")  # (a lone surrogate is no word character)
    beyond = b"" if low.isascii() else data.translate(None, _ASCII)  # (isascii: a flag, read at once)
    if beyond:
        for char in set(beyond.decode("utf-8", "surrogatepass")):
            if not _WORD.fullmatch(char):
                data = data.replace(char.encode("utf-8", "surrogatepass"), b" ")
    return data.translate(_ASCII_NON_WORD_TO_SPACE)


def _stable_hash(text: str) -> int:
    """The same number in every process: Python's `hash` of a str changes with PYTHONHASHSEED,
    and the min-hash sketches pick candidates by it, so the alignment (and every feed and
    page built from it) would vary from one run to the next."""
    return zlib.crc32(text.encode("utf-8"))


def shingles(text: str) -> frozenset[int]:
    """The word-pair shingles of a text: what section similarity (here and in lineage) is measured on."""
    return _profile(text)[1]


def align(old: list[Section], new: list[Section]) -> list[Group]:
    """Groups of matched, added and removed sections (moved flags set), in no set order."""
    if len(old) == len(new) and all(a.text == b.text for a, b in zip(old, new, strict=True)):
        # Both versions alike (captures often extract alike): what the passes give, each
        # section paired with itself by its text, in order.
        return [Group([s.index], [s.index], "identical") for s in new]
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
    if len(old_of) < len(new) and len(taken_old) < len(old):  # (else nothing is left to pair)
        _pair_by_title_and_text(old, new, pair, old_of, taken_old, how)
    groups = {n: Group([o], [n], how[n]) for n, o in old_of.items()}
    # 5. splits and merges
    leftovers = _attach_leftovers(old, new, groups, old_of, taken_old)
    result = list(groups.values())
    result.extend(Group([], [n], "added") for n in sorted(leftovers[1]))
    result.extend(Group([o], [], "removed") for o in sorted(leftovers[0]))
    _mark_moves(result)
    return result


def _pair_by_title_and_text(
    old: list[Section],
    new: list[Section],
    pair: Callable[[int, int], None],
    old_of: dict[int, int],
    taken_old: set[int],
    how: dict[int, str],
) -> None:
    """Passes 2 to 4, over the sections pass 1 left unpaired."""
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
    shingles_old = {s.index: shingles(s.text) for s in old if s.index not in taken_old}
    shingles_new = {s.index: shingles(s.text) for s in new if s.index not in old_of}
    for o, n, _score in _similar_pairs(old, new, shingles_old, shingles_new):
        if o not in taken_old and n not in old_of:
            pair(o, n)
            how[n] = "similar"


def _similar_pairs(
    old: list[Section], new: list[Section], sh_old: dict[int, frozenset[int]], sh_new: dict[int, frozenset[int]]
) -> list[tuple[int, int, float]]:
    """Candidate pairs share a min-hash (a bottom-k sketch of their shingles, so a section
    costs `SKETCH` index entries however long it is); their exact shingle Dice must reach
    PREFILTER_DICE and their word similarity MATCH_RATIO. Best pairs first."""
    if not sh_old or not sh_new:
        return []
    every = sh_old.keys()
    old_sketches: dict[int, frozenset[int]] = {}
    new_sketches: dict[int, frozenset[int]] = {}
    candidates_of: Mapping[int, Iterable[int]]
    if len(sh_old) * len(sh_new) <= _EVERY_PAIR:
        # Few pairs: every one is tested. The tests below are exact, the sketches' among them
        # (pairs sharing no min-hash are never paired), so any superset of the pairs that
        # pass them gives the same pairs; and a sketch is made only for a section that
        # reaches that test (most fail the size test before it).
        candidates_of = dict.fromkeys(sh_new, every)
    else:
        old_sketches = {o: frozenset(_sketch(shingles)) for o, shingles in sh_old.items()}
        index: dict[int, list[int]] = defaultdict(list)
        for o, sketch in old_sketches.items():
            for h in sketch:
                index[h].append(o)
        new_sketches = {n: frozenset(_sketch(shingles)) for n, shingles in sh_new.items()}
        probes = sum(len(index.get(h, ())) for sketch in new_sketches.values() for h in sketch)
        if probes > _PROBES_PER_SECTION * (len(sh_old) + len(sh_new)):
            # Many sections share common shingles ("of the"), and a common shingle with a low
            # hash sits in most sketches: nearly every pair would be a candidate (n² Dice
            # tests): the candidates by rare shingles instead.
            candidates_of = _dice_candidates(sh_old, sh_new)
        else:
            candidates_of = {n: {o for h in sketch for o in index.get(h, ())} for n, sketch in new_sketches.items()}
    scored: list[tuple[int, int, float]] = []
    candidates: Iterable[int]
    for n, candidates in candidates_of.items():
        shingles = sh_new[n]
        words_new = _word_list(new[n])
        sketch_new = new_sketches.get(n)
        for o in candidates:
            other = sh_old[o]
            if 10 * min(len(shingles), len(other)) < len(shingles) + len(other):
                continue  # Dice at most 2·min/(sum): below PREFILTER_DICE whatever they share
            if sketch_new is None:
                sketch_new = frozenset(_sketch(shingles))
            sketch_old = old_sketches.get(o)
            if sketch_old is None:
                sketch_old = old_sketches[o] = frozenset(_sketch(other))
            if sketch_new.isdisjoint(sketch_old):
                continue  # (tested first: 32 hashes, where Dice intersects whole sets)
            if 2 * len(shingles & other) / (len(shingles) + len(other)) < PREFILTER_DICE:
                continue
            words_old = _word_list(old[o])
            if 4 * min(len(words_old), len(words_new)) < len(words_old) + len(words_new):
                continue  # the similarity is at most 2·min/(sum): below MATCH_RATIO
            ratio = Indel.normalized_similarity(words_old, words_new)
            if ratio >= MATCH_RATIO:
                scored.append((o, n, ratio))
    scored.sort(key=lambda t: (-t[2], t[1], t[0]))
    return scored


_PROBES_PER_SECTION = 16
_EVERY_PAIR = 1024  # old × new sections up to which every pair is tested


def _dice_candidates(sh_old: dict[int, frozenset[int]], sh_new: dict[int, frozenset[int]]) -> dict[int, set[int]]:
    """For each new section, every old one that may reach PREFILTER_DICE with it: a superset
    of the pairs at or above it, found by prefix filtering (as in set-similarity joins).
    Shingles are ordered rarest first; a pair with Dice >= t shares at least t/(2-t) of
    each set (1/9 at 0.2), so it shares a shingle within each set's first |S| - |S|/9 + 1
    shingles. The commonest shingles, which every section has, are never looked up."""
    frequency = Counter(itertools.chain.from_iterable(itertools.chain(sh_old.values(), sh_new.values())))
    # Each shingle's rank in that order (rarest first, then by hash): sorted once, by C
    # sorts (by hash, then stably by count), so that each set's order is a sort of ints.
    # Ranks stand for the shingles in the index below: the same candidates.
    rank = dict(zip(sorted(sorted(frequency), key=frequency.__getitem__), itertools.count()))

    def prefix(shingles: frozenset[int]) -> list[int]:
        ordered = sorted(map(rank.__getitem__, shingles))
        return ordered[: len(ordered) - max(len(ordered) // 9, 1) + 1]

    index: dict[int, list[int]] = defaultdict(list)
    for o, shingles in sh_old.items():
        if shingles:
            for h in prefix(shingles):
                index[h].append(o)
    return {
        n: {o for h in prefix(shingles) for o in index.get(h, ())} if shingles else set()
        for n, shingles in sh_new.items()
    }


def _sketch(shingles: frozenset[int]) -> list[int]:
    """The `SKETCH` smallest hashes (a C sort beats heapq.nsmallest's Python loop here).
    In a long section they are among the few below a cut-off (crc32 hashes spread evenly
    over 32 bits, about 2·SKETCH of them expected below it: fewer than SKETCH about once in
    10⁵), found by a C filter: only those are sorted, the whole set only when fewer than
    SKETCH fall below."""
    if len(shingles) > 8 * SKETCH:
        low = sorted(filter((2 * SKETCH * 2**32 // len(shingles)).__gt__, shingles))
        if len(low) >= SKETCH:
            return low[:SKETCH]
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
    """Join unmatched sections to an adjacent pair they were split from or merged into, then
    pair what is left where one section's text was cut into several (headings added) or
    several joined into one (headings removed), with no pair beside them to join.
    Returns the (old, new) sections still unmatched."""
    free_old = {s.index for s in old} - taken_old
    free_new = {s.index for s in new} - set(old_of)
    if not free_old and not free_new:
        return free_old, free_new
    joined = _JoinedTexts(old, new)
    _attach_to_hosts(old, new, list(groups.values()), free_old, free_new, joined)
    if _seed_unhosted(old, new, groups, free_old, free_new, joined):
        _attach_to_hosts(old, new, list(groups.values()), free_old, free_new, joined)
    if free_old or free_new:
        # Last, a section beside a pair whose text below its heading is nearly all
        # (`CARRIED_OVER`) in the pair's other side, even where the pair's own side has it
        # too: a short section in the policy's set phrases ("to protect your Personal Data")
        # cut out of a longer one under a new heading.
        _attach_to_hosts(old, new, list(groups.values()), free_old, free_new, joined, plain=True)
    return free_old, free_new


class _JoinedTexts:
    """The shingles of each group's joined old and new text, the very set `shingles` gives
    for the joined text, grown in place as sections join a group (a text split in
    twenty-three sections is not re-read twenty-three times). Sections end at line ends, so
    the words of joined texts are the words of each text in turn."""

    def __init__(self, old: list[Section], new: list[Section]) -> None:
        self.sides = (old, new)
        # by (id(group), side); the group is kept with it, so that its id is never reused
        self.joined: dict[tuple[int, int], tuple[Group, _Joined]] = {}

    def shingles(self, side: int, group: Group) -> set[int] | frozenset[int]:
        key = (id(group), side)
        members = group.old if side == 0 else group.new
        found = self.joined.get(key)
        if found is None:
            if len(members) == 1:  # most groups never grow: their one text's set, as it is
                return shingles(self.sides[side][members[0]].text)
            found = self._start(side, group)
        return found[1].shingles()

    def _start(self, side: int, group: Group) -> tuple[Group, _Joined]:
        members = group.old if side == 0 else group.new
        sections = self.sides[side]
        joined = _Joined()
        for i in members:
            joined.add(sections[i].text, at_start=False)
        found = self.joined[(id(group), side)] = (group, joined)
        return found

    def extend(self, side: int, group: Group, index: int) -> None:
        """`index` joins the group on that side, at its start or its end."""
        members = group.old if side == 0 else group.new
        found = self.joined.get((id(group), side)) or self._start(side, group)
        found[1].add(self.sides[side][index].text, at_start=index < members[0])
        members.append(index)
        members.sort()


class _Joined:
    """Word pairs of texts joined in order, and the first and last word: each text's own
    pairs (from its profile, hashed once) and the pair across each join."""

    __slots__ = ("count", "first", "last", "pairs")

    def __init__(self) -> None:
        self.count = 0
        self.first = self.last = ""
        self.pairs: set[int] = set()

    def add(self, text: str, *, at_start: bool) -> None:
        words, shingled, _ = _profile(text)
        if not words:
            return
        if len(words) >= 2:
            self.pairs |= shingled
        if self.count:
            across = f"{words[-1]} {self.first}" if at_start else f"{self.last} {words[0]}"
            self.pairs.add(_stable_hash(across))
            self.first, self.last = (words[0], self.last) if at_start else (self.first, words[-1])
        else:
            self.first, self.last = words[0], words[-1]
        self.count += len(words)

    def shingles(self) -> set[int] | frozenset[int]:
        if self.count < 2:  # a text of one word: its word, as _profile gives
            return frozenset(_stable_hash(w) for w in (self.first,) if self.count)
        return self.pairs


def _attach_to_hosts(
    old: list[Section],
    new: list[Section],
    groups: list[Group],
    free_old: set[int],
    free_new: set[int],
    joined: _JoinedTexts,
    *,
    plain: bool = False,
) -> None:
    """The split and merge rule: a left-over section joins a pair beside it when most of its
    shingles are in the pair's other side and not in its own (`plain`: in the other side)."""

    def joins(piece: Section, other: Set[int], same: Set[int], side: list[Section], free: set[int], step: int) -> bool:
        if not plain:
            return _contained(piece.text, other, same)
        # A bare heading (nothing below it) joins only on the way to a section that does.
        i = piece.index
        while i in free and not _body_shingles(side[i].text, bool(side[i].title)):
            i += step
        return i in free and _body_share(side[i], other) >= CARRIED_OVER

    # Hosts by the first and the last section of each side: a section can join a pair at
    # either end, and a pair can take many (a text split in many sections).
    first_new = {g.new[0]: g for g in groups}
    last_new = {g.new[-1]: g for g in groups}
    first_old = {g.old[0]: g for g in groups}
    last_old = {g.old[-1]: g for g in groups}

    def hostable(host: Group | None) -> bool:
        return host is not None and not (host.how == "identical" and len(host.old) == len(host.new) == 1)

    changed = True
    while changed:
        changed = False
        # A split: a new section next to a pair, made of the pair's old text.
        for n in sorted(free_new):
            for host, step in ((last_new.get(n - 1), 1), (first_new.get(n + 1), -1)):
                if not hostable(host):
                    continue
                assert host is not None
                if joins(new[n], joined.shingles(0, host), joined.shingles(1, host), new, free_new, step):
                    del first_new[host.new[0]], last_new[host.new[-1]]
                    joined.extend(1, host, n)
                    first_new[host.new[0]], last_new[host.new[-1]] = host, host
                    free_new.discard(n)
                    changed = True
                    break
        # A merge: an old section next to a pair, whose text went into the pair's new text.
        for o in sorted(free_old):
            for host, step in ((last_old.get(o - 1), 1), (first_old.get(o + 1), -1)):
                if not hostable(host):
                    continue
                assert host is not None
                if joins(old[o], joined.shingles(1, host), joined.shingles(0, host), old, free_old, step):
                    del first_old[host.old[0]], last_old[host.old[-1]]
                    joined.extend(0, host, o)
                    first_old[host.old[0]], last_old[host.old[-1]] = host, host
                    free_old.discard(o)
                    changed = True
                    break


def _seed_unhosted(
    old: list[Section],
    new: list[Section],
    groups: dict[int, Group],
    free_old: set[int],
    free_new: set[int],
    joined: _JoinedTexts,
) -> bool:
    """A left-over section cut into several left-over sections (or several joined into
    one) between the same two pairs, with no pair beside them to host the split: headings
    added over a text, or taken away. The piece most of whose words come from the section
    starts a pair, its neighbours join it by the split rule, and the pair is kept when its
    pieces hold most (`ATTACH_CONTAINMENT`) of the section's text. Added for Facebook's
    policy, whose one section became twenty-three under new headings."""
    seeded = False
    anchors = _in_order(groups.values())
    for side in (0, 1):
        whole_side, piece_side = (old, new) if side == 0 else (new, old)
        free_whole, free_pieces = (free_old, free_new) if side == 0 else (free_new, free_old)
        for w in sorted(free_whole):
            if w not in free_whole:
                continue
            low, high = _gap(anchors, side, w)
            pieces = [p for p in sorted(free_pieces) if low < p < high]
            mine = shingles(whole_side[w].text)
            if not pieces or not mine:
                continue
            contained = {p for p in pieces if _body_share(piece_side[p], mine) >= ATTACH_CONTAINMENT}
            scored = [
                (-len(shingles(piece_side[p].text) & mine), p)
                for p in pieces
                if p in contained and _body(piece_side[p]).strip()
            ]
            if not scored:
                continue
            members = [min(scored)[1]]
            piece_index = 1 - side
            # The run of neighbouring pieces made of the section's words. (Not the split rule's
            # "beyond what the pair has": short pieces in a policy's set phrases would fail it.)
            while members[0] - 1 in contained:
                members.insert(0, members[0] - 1)
            while members[-1] + 1 in contained:
                members.append(members[-1] + 1)
            group = Group([w], members, "similar") if side == 0 else Group(members, [w], "similar")
            if len(mine & joined.shingles(piece_index, group)) / len(mine) < ATTACH_CONTAINMENT:
                continue
            groups[group.new[0]] = group
            anchors = sorted([*anchors, group], key=lambda g: g.new[0])
            free_whole.discard(w)
            free_pieces.difference_update(members)
            seeded = True
    return seeded


def _gap(anchors: list[Group], side: int, index: int) -> tuple[int, int]:
    """The open range of positions, on the other side, between the pairs just before and
    just after this left-over section (-1 and infinity at the ends). `anchors` are pairs
    in order on both sides."""
    low, high = -1, 10**9
    for g in anchors:
        here, there = (g.old, g.new) if side == 0 else (g.new, g.old)
        if here[-1] < index:
            low = there[-1]
        elif here[0] > index:
            high = there[0]
            break
    return low, high


def _in_order(groups: Iterable[Group]) -> list[Group]:
    """The pairs on one longest chain in order on both sides: those that did not move."""
    matched = sorted(groups, key=lambda g: g.new[0])
    keep = _longest_increasing([g.old[0] for g in matched])
    return [g for i, g in enumerate(matched) if i in keep]


def _body(section: Section) -> str:
    """A section's text below its heading line (all of it for the preamble)."""
    if not section.title:
        return section.text
    cut = section.text.find("\n")
    return section.text[cut + 1 :] if cut >= 0 else ""


@text_cache(1024, limit=SECTION_CHARS, budget=LONG_TEXT_BUDGET)
def _body_shingles(text: str, titled: bool) -> frozenset[int]:
    """The shingles of a section's text below its heading line: its words but the heading
    line's, paired (the words are the section's own, not read again)."""
    words, shingled, pairs = _profile(text)
    if not titled:
        return shingled
    cut = text.find("\n")
    heading = text[: cut + 1] if cut >= 0 else text
    skip = len(_WORD.findall(heading.lower()))
    if len(words) - skip < 2:
        return frozenset(_stable_hash(w) for w in words[skip:])
    return frozenset(pairs[skip:])  # the pairs of words[skip:]


def _body_share(section: Section, host: Set[int]) -> float:
    """The share of the shingles of a section's text below its heading found in a text's:
    the words a split or a merge carries over, its heading being the new part."""
    mine = _body_shingles(section.text, bool(section.title))
    return len(mine & host) / len(mine) if mine else 0.0


def _contained(piece: str, host_other: Set[int], host_same: Set[int]) -> bool:
    """Is most of `piece` found in the host's other side, beyond what its own side has?"""
    mine = shingles(piece)
    if not mine:
        return False
    return len((mine & host_other) - host_same) / len(mine) >= ATTACH_CONTAINMENT


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
