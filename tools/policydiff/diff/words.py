"""Word-level diffs with diff-match-patch semantics.

Texts are cut into tokens (words, runs of whitespace, single punctuation marks); each
distinct token is mapped to one character, as diff-match-patch's line mode does with lines,
and the two strings of characters are diffed with semantic cleanup and no time limit. The
result is mapped back to text, so every part is whole tokens and the parts rebuild both
texts exactly.

`fast-diff-match-patch` (the C++ implementation) is used when it is installed, the
pure-Python `diff-match-patch` otherwise; both run the same algorithm and give the same diff.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence

Op = tuple[int, str]
Span = tuple[int, int]  # an operation and its length

# Words, runs of whitespace, and any other character alone: `\w+|\s+|[^\w\s]`, written so
# that sre does less per token (possessive runs keep no backtracking state; the last
# alternative is reached only by a character that is neither): 6 % faster on a long text.
_TOKEN = re.compile(r"\w++|\s++|.", re.DOTALL)
_WORD = re.compile(r"\w+", re.UNICODE)
_FIRST_CODE = 0x100  # keep clear of ASCII controls
_SURROGATES = range(0xD800, 0xE000)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _fast_backend() -> Callable[[str, str], list[Span]] | None:
    try:
        import fast_diff_match_patch
    except ImportError:
        return None
    ops = {"=": 0, "-": -1, "+": 1}

    def diff(a: str, b: str) -> list[Span]:
        return [
            (ops[op], length)
            for op, length in fast_diff_match_patch.diff(a, b, timelimit=0, cleanup="Semantic", counts_only=True)
        ]

    return diff


def _python_backend() -> Callable[[str, str], list[Span]]:
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # exact diffs, never cut short

    def diff(a: str, b: str) -> list[Span]:
        diffs = dmp.diff_main(a, b, checklines=False)
        dmp.diff_cleanupSemantic(diffs)
        return [(op, len(part)) for op, part in diffs]

    return diff


_BACKENDS: dict[str | None, Callable[[str, str], list[Span]]] = {}


def backend(name: str | None = None) -> Callable[[str, str], list[Span]]:
    """The character differ: "fast" (C++), "python", or the best available when None. It
    answers with the length of each operation, in characters."""
    if name is None:
        if None in _BACKENDS:  # (the best available, found once: a word diff per section asks)
            return _BACKENDS[None]
        best = backend("fast" if _fast_backend() is not None else "python")
        _BACKENDS[None] = best
        return best
    if name not in _BACKENDS:
        made = _fast_backend() if name == "fast" else _python_backend()
        if made is None:
            raise RuntimeError("fast-diff-match-patch is not installed")
        _BACKENDS[name] = made
    return _BACKENDS[name]


def word_diff(old: str, new: str, *, engine: str | None = None) -> list[Op]:
    """The word diff of two texts as diff-match-patch operations (-1, 0, 1)."""
    if old == new:
        return [(0, old)] if old else []
    if not old:
        return [(1, new)]
    if not new:
        return [(-1, old)]
    head, tail = _common_ends(old, new)
    middle = _token_diff(old[head : len(old) - tail], new[head : len(new) - tail], engine)
    parts = [(0, old[:head]), *middle, (0, old[len(old) - tail :])]
    out: list[Op] = []
    for op, text in parts:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    return out


def _common_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of a common head and tail that end and start on token boundaries (a word or
    mark followed by whitespace), so that cutting them off leaves the tokens whole. Only the
    middle is tokenised: a one-word edit in a long section costs little."""
    n = min(len(old), len(new))
    p = _prefix_length(old, new, n)
    head = p - 1  # the cut must fall inside the common head, on whitespace after a non-space
    while head > 0 and not (old[head].isspace() and not old[head - 1].isspace()):
        head -= 1
    head = max(head, 0)
    q = _prefix_length(old[::-1], new[::-1], n - head)
    cut = max(len(old) - q + 1, head + 1)  # the character before the cut is common too
    while cut < len(old) and not (old[cut].isspace() and not old[cut - 1].isspace()):
        cut += 1
    return head, len(old) - cut


def _prefix_length(a: str, b: str, limit: int) -> int:
    """Length of the common prefix (binary search on slices, as diff-match-patch does)."""
    lo, hi, mid, start = 0, limit, limit, 0
    while lo < mid:
        if a[start:mid] == b[start:mid]:
            lo = mid
            start = lo
        else:
            hi = mid
        mid = (hi - lo) // 2 + lo
    return mid


def _token_diff(old: str, new: str, engine: str | None) -> list[Op]:
    if not old or not new:
        return [(-1, old), (1, new)]
    if len(old) + len(new) < _PARAGRAPHS_FROM:  # (too few paragraphs to repay reading them apart)
        old_tokens, new_tokens = tokenize(old), tokenize(new)
        codes = _codes_of(itertools.chain(old_tokens, new_tokens))
        a, b = "".join(map(codes.__getitem__, old_tokens)), "".join(map(codes.__getitem__, new_tokens))
    else:
        old_tokens, new_tokens, a, b = _encode(_paragraphs(old), _paragraphs(new))
    # The differ says how many tokens each operation spans: its text is those tokens joined,
    # never decoded character by character.
    out: list[Op] = []
    i = j = 0
    for op, length in backend(engine)(a, b):
        if not length:
            continue
        if op > 0:
            text = "".join(new_tokens[j : j + length])
            j += length
        else:
            text = "".join(old_tokens[i : i + length])
            i += length
            if op == 0:
                j += length
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    return out


_PARAGRAPH = "\n\n"
_PARAGRAPHS_FROM = 4096  # characters of both texts


def _paragraphs(text: str) -> list[str]:
    """The text cut at each blank line that is a whole token (a word or mark before it, one
    after): its tokens are each paragraph's tokens with that line break between."""
    pieces = text.split(_PARAGRAPH)
    paragraphs: list[str] = []
    current = pieces[0]
    for piece in itertools.islice(pieces, 1, None):
        # A space beside the break (or a third newline) makes one longer whitespace token.
        if current and piece and not current[-1].isspace() and not piece[0].isspace():
            paragraphs.append(current)
            current = piece
        else:
            current = current + _PARAGRAPH + piece
    paragraphs.append(current)
    return paragraphs


def _encode(old: list[str], new: list[str]) -> tuple[list[str], list[str], str, str]:
    """The tokens of two texts given as paragraphs, and each text as a string of token
    codes, each distinct token coded by the order in which it first occurs (old text first).

    Two versions share most paragraphs: each distinct one is tokenised and encoded once (the
    regex costs some 150 ns a token, most of a long diff's time). A repeated paragraph
    brings no token not seen before, so the first occurrences alone give the codes' order."""
    tokens_of: dict[str, list[str]] = {}
    firsts: list[Sequence[str]] = []  # every token in order, but repeated paragraphs'
    sides: tuple[list[str], list[str]] = ([], [])
    for paragraphs, tokens in zip((old, new), sides, strict=True):
        for k, paragraph in enumerate(paragraphs):
            if k:
                firsts.append((_PARAGRAPH,))
                tokens.append(_PARAGRAPH)
            found = tokens_of.get(paragraph)
            if found is None:
                found = tokens_of[paragraph] = _TOKEN.findall(paragraph)
                firsts.append(found)
            tokens.extend(found)
    codes = _codes_of(itertools.chain.from_iterable(firsts))
    coded = {paragraph: "".join(map(codes.__getitem__, found)) for paragraph, found in tokens_of.items()}
    separator = codes.get(_PARAGRAPH, "")
    a, b = (separator.join(map(coded.__getitem__, paragraphs)) for paragraphs in (old, new))
    return sides[0], sides[1], a, b


def _codes_of(tokens: Iterable[str]) -> dict[str, str]:
    """A code for each distinct token: the first seen gets the first code."""
    vocabulary = dict.fromkeys(tokens)
    return dict(zip(vocabulary, map(chr, _codes(len(vocabulary))), strict=True))


def _codes(count: int) -> Iterable[int]:
    """`count` code points from _FIRST_CODE on, skipping the surrogates."""
    end = _FIRST_CODE + count
    if end <= _SURROGATES.start:
        return range(_FIRST_CODE, end)
    return itertools.chain(range(_FIRST_CODE, _SURROGATES.start), range(_SURROGATES.stop, end + len(_SURROGATES)))


def old_text(ops: Sequence[Op]) -> str:
    return "".join(text for op, text in ops if op <= 0)


def new_text(ops: Sequence[Op]) -> str:
    return "".join(text for op, text in ops if op >= 0)


def changed_words(ops: Sequence[Op]) -> tuple[int, int]:
    """(words added, words removed) by a diff."""
    added = sum(count_words(text) for op, text in ops if op == 1)
    removed = sum(count_words(text) for op, text in ops if op == -1)
    return added, removed
