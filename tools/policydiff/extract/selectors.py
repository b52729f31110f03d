"""A declaration's `select` and `remove`: CSS selectors and Open Terms Archive's ranges.

A range `{startBefore|startAfter: CSS, endBefore|endAfter: CSS}` is the content between two
elements in document order, as a DOM Range would cut it (OTA's semantics): the parts of
the elements it crosses are kept, their outside parts dropped.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from ..declaration import Selector

_MARK = "data-policydiff-range"


@lru_cache(maxsize=256)
def compile_css(selector: str) -> Callable[[HtmlElement], list[HtmlElement]]:
    return CSSSelector(selector, translator="html")


def _first(root: HtmlElement, selector: str) -> HtmlElement | None:
    found = compile_css(selector)(root)
    return found[0] if found else None


def _cut_before(node: HtmlElement, top: HtmlElement, *, keep_node: bool) -> None:
    """Remove everything in `top` that comes before `node` (and `node` unless kept)."""
    current = node
    if not keep_node:
        parent = node.getparent()
        tail = node.tail
        node.tail = None
        index = parent.index(node)
        parent.remove(node)
        placeholder = parent.makeelement("span", {})
        placeholder.text = tail
        parent.insert(index, placeholder)
        current = placeholder
    while current is not top:
        parent = current.getparent()
        if parent is None:
            break
        for sibling in list(current.itersiblings(preceding=True)):
            parent.remove(sibling)
        parent.text = None
        current = parent


def _cut_after(node: HtmlElement, top: HtmlElement, *, keep_node: bool) -> None:
    """Remove everything in `top` that comes after `node` (and `node` unless kept)."""
    current = node
    if keep_node:
        node.tail = None
    else:
        parent = node.getparent()
        placeholder = parent.makeelement("span", {})
        parent.replace(node, placeholder)
        current = placeholder
    while current is not top:
        parent = current.getparent()
        if parent is None:
            break
        for sibling in list(current.itersiblings()):
            parent.remove(sibling)
        current.tail = None
        current = parent


def select_range(root: HtmlElement, selector: dict[str, str]) -> HtmlElement | None:
    start_css = selector.get("startBefore") or selector.get("startAfter")
    end_css = selector.get("endBefore") or selector.get("endAfter")
    start = _first(root, start_css) if start_css else None
    if start is None:
        return None
    end = None
    if end_css:
        end = next((e for e in compile_css(end_css)(root) if _follows(e, start)), None)
        if end is None:
            return None
    start.set(_MARK, "start")
    if end is not None:
        end.set(_MARK, "end")
    try:
        body = root.find("body")
        copied = copy.deepcopy(body if body is not None else root)
    finally:
        start.attrib.pop(_MARK, None)
        if end is not None:
            end.attrib.pop(_MARK, None)
    copy_start = copied.find(f".//*[@{_MARK}='start']")
    copy_end = copied.find(f".//*[@{_MARK}='end']") if end is not None else None
    if copy_end is not None:
        _cut_after(copy_end, copied, keep_node="endAfter" in selector)
        copy_end.attrib.pop(_MARK, None)
    _cut_before(copy_start, copied, keep_node="startBefore" in selector)
    copy_start.attrib.pop(_MARK, None)
    copied.tag = "div"
    return copied


def _follows(element: HtmlElement, start: HtmlElement) -> bool:
    """Is `element` after `start` in document order (and not one of its ancestors)?"""
    if element is start or element in set(start.iterancestors()):
        return False
    for following in start.iter():  # inside start
        if following is element:
            return True
    node = start
    while node is not None:
        for sibling in node.itersiblings():
            if sibling is element or any(d is element for d in sibling.iter()):
                return True
        node = node.getparent()
    return False


def select(root: HtmlElement, selectors: tuple[Selector, ...]) -> list[HtmlElement]:
    """The elements (or range copies) the selectors pick, in selector order, without an
    element nested in one picked before."""
    picked: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    for selector in selectors:
        if isinstance(selector, dict):
            found = select_range(root, selector)
            if found is not None:
                picked.append(found)
            continue
        for element in compile_css(selector)(root):
            if element in seen or any(a in seen for a in element.iterancestors()):
                continue
            seen.add(element)
            picked.append(element)
    return picked


def remove(root: HtmlElement, selectors: tuple[Selector, ...]) -> None:
    for selector in selectors:
        if isinstance(selector, dict):
            _remove_range(root, selector)
            continue
        for element in compile_css(selector)(root):
            if element.getparent() is not None:
                element.drop_tree()


def _remove_range(root: HtmlElement, selector: dict[str, str]) -> None:
    """Drop the top-level elements a range covers (partial elements at its edges stay)."""
    start_css = selector.get("startBefore") or selector.get("startAfter")
    end_css = selector.get("endBefore") or selector.get("endAfter")
    start = _first(root, start_css) if start_css else None
    if start is None:
        return
    end = next((e for e in compile_css(end_css)(root) if _follows(e, start)), None) if end_css else None
    parent = start.getparent()
    if parent is None:
        return
    doomed = [start] if "startBefore" in selector else []
    for sibling in start.itersiblings():
        if end is not None and (sibling is end or end in set(sibling.iter())):
            if sibling is end and "endAfter" in selector:
                doomed.append(sibling)
            break
        doomed.append(sibling)
    for element in doomed:
        element.drop_tree()
