"""Read-only copies of the free-form data records carry (provenance extras, version metadata,
a declaration as written), so a record held in a cache cannot be changed through it.

`FrozenDict` is a dict (JSON serialisers and `isinstance(x, dict)` accept it) that refuses
every mutation, hashes by content, and pickles (a history may be built in another process).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn


class FrozenDict(dict[str, Any]):
    __slots__ = ("_hash",)

    def _refuse(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise TypeError("a FrozenDict cannot be changed; make a new one")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        try:
            return self._hash
        except AttributeError:
            value = hash(tuple(sorted(self.items(), key=lambda item: item[0])))
            object.__setattr__(self, "_hash", value)
            return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


def freeze(value: Any) -> Any:
    """`value` with every dict made a FrozenDict and every list or set a tuple, all the way down."""
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple | set | frozenset):
        items: Iterable[Any] = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return tuple(freeze(v) for v in items)
    return value


def thaw(value: Any) -> Any:
    """The plain dicts and lists of a frozen value (for YAML writers, which want exact types)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value
