"""Memo caches over texts, bounded by the characters they keep as well as by their entries.

`functools.lru_cache` counts entries only. The diff's caches outlive a diff (a history is
built pair by pair, `mkdocs serve` and pool workers run for hours), so 1,024 cached
profiles of megabyte-long sections from a hostile archive would stay in memory: gigabytes,
where every real section is a few kilobytes. `text_cache` keeps a short text's result in an
`lru_cache` as before (a hit stays in C, behind one length test), and a long text's in a
cache of its own that holds at most `budget` characters of texts in all, the least recently
used leaving first; a text longer than the whole budget is not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache, update_wrapper
from typing import Any, Protocol, TypeVar, cast

R = TypeVar("R", covariant=True)

# Up to these lengths a text is cached by count: a cache's worst case is its entries times
# the length (a profile holds about 20 bytes a character). Real ones are far shorter: a
# line or a title, a paragraph (a few hundred characters), a section (a few kilobytes), a
# version (the corpus's longest is under 300,000 characters).
LINE_CHARS = 2_000
PARAGRAPH_CHARS = 2_048
SECTION_CHARS = 8_192
VERSION_CHARS = 262_144
# The characters of longer texts each cache keeps: the sections of a few versions of the
# longest real policies, as a history is built pair by pair.
LONG_TEXT_BUDGET = 4_000_000
LINE_BUDGET = 200_000


class TextCached(Protocol[R]):
    def __call__(self, text: str, *args: Any) -> R: ...
    def cache_clear(self) -> None: ...
    def cache_info(self) -> dict[str, int]: ...


class _Budgeted:
    """The long texts' cache: least recently used out first, within `budget` characters."""

    def __init__(self, fn: Callable[..., Any], budget: int) -> None:
        self.fn, self.budget = fn, budget
        self.entries: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.kept = 0
        self.lock = threading.Lock()  # (lru_cache's is in C; these steps are not atomic)

    def get(self, key: tuple[Any, ...]) -> Any:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        result = self.fn(*key)
        size = len(key[0])
        if size <= self.budget:
            with self.lock:
                if key not in self.entries:
                    self.entries[key] = result
                    self.kept += size
                    while self.kept > self.budget:
                        gone, _ = self.entries.popitem(last=False)
                        self.kept -= len(gone[0])
        return result

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.kept = 0


def text_cache(maxsize: int, *, limit: int, budget: int) -> Callable[[Callable[..., R]], TextCached[R]]:
    """Memoise a function whose first argument is a text: texts of up to `limit` characters
    in an `lru_cache` of `maxsize` entries, longer ones within `budget` characters."""

    def decorate(fn: Callable[..., R]) -> TextCached[R]:
        short = lru_cache(maxsize=maxsize)(fn)
        long = _Budgeted(fn, budget)
        cached: Callable[..., R]
        if fn.__code__.co_argcount == 1:  # one text: no tuple of arguments made on each hit

            def cached(text: str) -> R:
                return short(text) if len(text) <= limit else long.get((text,))

        else:

            def cached(text: str, *args: Any) -> R:
                return short(text, *args) if len(text) <= limit else long.get((text, *args))

        def cache_clear() -> None:
            short.cache_clear()
            long.clear()

        def cache_info() -> dict[str, int]:
            return {"short": short.cache_info().currsize, "long": len(long.entries), "long_chars": long.kept}

        update_wrapper(cached, fn)
        cached.cache_clear = cache_clear  # type: ignore[attr-defined]
        cached.cache_info = cache_info  # type: ignore[attr-defined]
        return cast(TextCached[R], cached)

    return decorate
