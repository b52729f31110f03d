"""Memory a one-shot `mkdocs build` gives back once the pages are generated.

MkDocs' own peak comes after `on_files`, when it holds every page's Markdown and HTML: what
we used to make the pages should be gone by then. Besides the histories and renderings the
plugin drops, that is our modules' memo caches (keyed by texts and diffs, filled while
rendering) and the heap the allocator keeps after they are freed.
"""

from __future__ import annotations

import ctypes
import gc
import sys


def _clear_memo_caches() -> None:
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("policydiff."):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type):  # a class naming the method (`memo.TextCached`), not a cache
                continue
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()


def _trim_heap() -> None:
    """glibc keeps freed heap pages mapped; `malloc_trim` returns them (elsewhere: nothing)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library already loaded (as workers.py finds prctl)
    except (OSError, AttributeError):
        return
    trim(0)


def release_memory() -> None:
    _clear_memo_caches()
    gc.collect()
    _trim_heap()
