"""CSS selection through an index of a parsed page's elements by tag and attribute name: a selector is matched only
against the elements that have what its rightmost part requires, giving the elements a full select gives, in order."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup
from bs4.element import Tag
from soupsieve.css_match import CSSMatch

_TYPE = re.compile(r"[a-zA-Z][\w-]*")
_ATTR_NAME = re.compile(r"\s*([a-zA-Z_][\w-]*)\s*(!?)")
Need = tuple[str, str]  # ("tag", name) or ("attr", name): something every element a compound matches has


def _top_level(text: str) -> Iterator[tuple[int, str, int]]:
    """(position, character, depth) of each character outside quotes; depth counts open () and []."""
    depth, quote = 0, ""
    for at, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        else:
            depth -= ch in ")]"
            yield at, ch, depth
            depth += ch in "(["


def _split(selector: str) -> list[str] | None:
    """The selectors of a comma-separated list; None when the text is beyond this reading (escapes, :scope)."""
    if "\\" in selector or ":scope" in selector or "|" in selector:
        return None
    parts, start = [], 0
    for at, ch, depth in _top_level(selector):
        if ch == "," and depth == 0:
            parts.append(selector[start:at])
            start = at + 1
    parts.append(selector[start:])
    return [p.strip() for p in parts]


def _needs(selector: str) -> list[Need]:
    """What the rightmost compound of one complex selector requires of an element (its type, attributes, id,
    class); parts inside :is()/:not() and `[a!=b]` (which matches elements without `a`) require nothing."""
    start = 0
    for at, ch, depth in _top_level(selector):
        if depth == 0 and (ch in ">+~" or ch.isspace()):
            start = at + 1
    compound = selector[start:]
    needs: list[Need] = []
    name = _TYPE.match(compound)
    if name:
        needs.append(("tag", name.group(0).lower()))
    for at, ch, depth in _top_level(compound):
        if depth != 0:
            continue
        if ch == "#":
            needs.append(("attr", "id"))
        elif ch == ".":
            needs.append(("attr", "class"))
        elif ch == "[":
            attr = _ATTR_NAME.match(compound, at + 1)
            if attr and not attr.group(2):
                needs.append(("attr", attr.group(1).lower()))
    return needs


def _gone(el: Tag) -> bool:
    """Decomposed, read from the element's own fields: `el.decomposed` on a live element searches its subtree."""
    return bool(vars(el).get("_decomposed")) or el.parent is None


class CssIndex:
    """A page's elements by tag name and by attribute name, in document order, taken once before any removal
    (elements are only decomposed between selects, so the index stays a superset of what is there)."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.order: dict[int, int] = {}
        self.by: dict[Need, list[Tag]] = {}
        for at, el in enumerate(soup.select("*")):  # what select looks at (not inside a <template>, say)
            self.order[id(el)] = at
            self.by.setdefault(("tag", el.name), []).append(el)
            for attr in el.attrs:
                self.by.setdefault(("attr", attr.lower()), []).append(el)

    def select(self, selector: str) -> list[Tag]:
        """`soup.select(selector)` as the page stands now."""
        parts = _split(selector)
        needs = [_needs(p) for p in parts] if parts else []
        if not needs or not all(needs):
            return list(self.soup.select(selector))
        found: dict[int, Tag] = {}
        for options in needs:
            for el in min((self.by.get(need, []) for need in options), key=len):
                found[id(el)] = el
        compiled = self.soup.css.compile(selector)
        match = CSSMatch(compiled.selectors, self.soup, compiled.namespaces, compiled.flags).match  # as select does
        candidates = sorted(found.values(), key=lambda el: self.order[id(el)])
        return [el for el in candidates if not _gone(el) and match(el)]
