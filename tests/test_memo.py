"""Memo caches over texts keep a bounded number of characters (`policydiff.memo`)."""

from __future__ import annotations

from policydiff.diff import align
from policydiff.diff.segment import _segment
from policydiff.memo import LONG_TEXT_BUDGET, SECTION_CHARS, text_cache


def test_short_texts_are_kept_by_count_long_ones_by_characters() -> None:
    calls: list[str] = []

    @text_cache(4, limit=10, budget=25)
    def measure(text: str) -> list[int]:
        calls.append(text)
        return [len(text)]

    short = measure("abc")
    assert measure("abc") is short and calls == ["abc"]
    first = measure("x" * 12)
    assert measure("x" * 12) is first  # a long text within the budget: kept
    measure("y" * 12)
    assert measure.cache_info() == {"short": 1, "long": 2, "long_chars": 24}
    measure("z" * 12)  # 36 characters: the least recently used long text leaves
    assert measure.cache_info()["long_chars"] == 24
    assert measure("x" * 12) is not first
    measure("w" * 30)  # longer than the whole budget: never kept
    assert measure("w" * 30) is not measure("w" * 30)
    measure.cache_clear()
    assert measure.cache_info() == {"short": 0, "long": 0, "long_chars": 0}


def test_more_arguments_than_the_text_are_part_of_the_key() -> None:
    @text_cache(4, limit=3, budget=100)
    def tagged(text: str, tag: bool) -> tuple[str, bool]:
        return text, tag

    assert tagged("long text", True) == ("long text", True)
    assert tagged("long text", False) == ("long text", False)
    assert tagged("ab", True) is tagged("ab", True)


def test_the_diff_keeps_a_bounded_share_of_hostile_sections() -> None:
    """Profiles of 60 sections of 100,000 characters (6 million in all, each new: about 20
    bytes of profile a character) would all stay in a count-bounded cache of 1,024 entries;
    here the least recently used go once the budget is spent."""
    align._profile.cache_clear()
    texts = [f"section {n} " + " ".join(f"w{n}x{i:05}" for i in range(10_000)) for n in range(60)]
    assert all(len(text) > SECTION_CHARS for text in texts) and sum(map(len, texts)) > LONG_TEXT_BUDGET
    profiles = [align._profile(text) for text in texts]
    info = align._profile.cache_info()
    assert 0 < info["long_chars"] <= LONG_TEXT_BUDGET
    assert align._profile(texts[-1]) is profiles[-1]  # the latest are kept
    assert align._profile(texts[0]) is not profiles[0]  # the first had to go
    assert align._profile(texts[0]) == profiles[0]
    align._profile.cache_clear()
    align._paragraph.cache_clear()


def test_a_long_version_is_segmented_once_while_it_is_kept() -> None:
    text = "# Title\n\n" + "word " * 60_000 + "\n"  # 300,000 characters: the long tier
    _segment.cache_clear()
    first = _segment(text)
    assert _segment(text) is first
    assert _segment.cache_info()["long"] == 1
    _segment.cache_clear()
