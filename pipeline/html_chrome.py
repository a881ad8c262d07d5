"""Site chrome in a saved HTML page: the main content region, chrome removed by rule, heading anchors, postscripts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup
from bs4.element import Tag

from pipeline.config import Rule, SelectorRule
from pipeline.css_index import CssIndex
from pipeline.models import Removal

# elements that mark the page's own content (HTML5 semantics, ARIA, schema.org microdata)
CONTENT_SELECTOR = "article, main, [role=main], [itemprop=articleBody]"
_HEADING_NAMES = ("h1", "h2", "h3", "h4", "h5", "h6")
_ANCHOR_TEXT = re.compile(r"^[\W_]{0,3}$")  # "#", "¶", "§", "🔗" or nothing: a self-link, not words
_LINK_SEPARATORS = re.compile(r"[\s\d.、,，;；|·•\-–—()（）\[\]]+")
_LABEL_MAX_CHARS = 30  # a label over a trailing link list ("References:", "往期回顾") is short
_WRAPPERS = ("div", "section", "article", "main")
_BLOCKISH = ("p", "ul", "ol", "div", "section", "table", "blockquote", "pre", "dl", "figure", "details",
             *_HEADING_NAMES)


def text_len(el: Tag) -> int:
    return len(re.sub(r"\s+", "", el.get_text()))


def _squeezed(el: Tag) -> str:
    return re.sub(r"\s+", "", el.get_text())


def content_root(soup: BeautifulSoup) -> Tag:
    """The element holding the page's own content: the innermost content-marked element that still holds most of
    the text of the largest one (a <main> wrapping one <article> gives the article), else <body>.

    Two large marked regions apart from each other (two <html> documents saved in one file, two posts) are one
    region when one repeats the other; when they differ, the page is read from <body>."""
    bodies = soup.find_all("body")
    body = bodies[0] if len(bodies) == 1 and isinstance(bodies[0], Tag) else None  # two documents: read both
    marked = [el for el in soup.select(CONTENT_SELECTOR) if text_len(el) > 0]
    if not marked:
        return body or soup
    best = max(marked, key=text_len)
    size = text_len(best)
    text = _squeezed(best)
    apart = [el for el in marked if el is not best and best not in el.parents and el not in best.parents
             and text_len(el) * 2 >= size]
    if any(_squeezed(el) not in text for el in apart):
        return body or soup
    inner = [el for el in marked if best in el.parents or el is best]
    inner = [el for el in inner if text_len(el) * 2 >= size]  # a small <article> card inside is not the content
    return max(inner, key=lambda el: len(list(el.parents)))


def _protected(el: Tag, root: Tag, root_size: int) -> bool:
    """Chrome rules never remove the content region, an element around it, or most of it."""
    if el is root or el in root.parents:
        return True
    return root in el.parents and text_len(el) * 2 > root_size


def drop_chrome(soup: BeautifulSoup, root: Tag, rules: tuple[SelectorRule, ...]) -> list[Removal]:
    """Remove the elements the selector rules match (navigation, sidebars, TOCs, comments, ads, footers ...)."""
    removals: list[Removal] = []
    root_size = text_len(root)
    index = CssIndex(soup)
    for rule in rules:
        for el in index.select(rule.selector):
            if el.parent is None or el.decomposed or _protected(el, root, root_size):
                continue
            removed = re.sub(r"\s+", " ", el.get_text(" ")).strip()
            if removed:
                removals.append(Removal(rule.name, removed[:200], 0))
            el.decompose()
    return removals


def drop_heading_anchors(root: Tag) -> list[Removal]:
    """A link inside a heading that points into the page and shows no words ("#", "¶") is a permalink badge."""
    removals: list[Removal] = []
    for heading in root.find_all(_HEADING_NAMES):
        for link in heading.find_all("a"):
            href = str(link.get("href") or "")
            if href.startswith("#") and _ANCHOR_TEXT.match(link.get_text().strip()):
                if link.get_text().strip():
                    removals.append(Removal("heading-anchor", link.get_text().strip(), 0))
                link.decompose()
    return removals


def _elements(el: Tag) -> list[Tag]:
    """Child elements that show something (text or an image)."""
    return [c for c in el.children if isinstance(c, Tag) and (c.get_text().strip() or c.name in ("hr", "img")
                                                              or c.find("img"))]


def _link_only(el: Tag) -> bool:
    """Whether all the element shows is links (a list of links, a paragraph that is one link)."""
    links = [a for a in el.find_all("a") if a.get("href")]
    if not links:
        return False
    rest = el.get_text()
    for link in links:
        rest = rest.replace(link.get_text(), "", 1)
    return not _LINK_SEPARATORS.sub("", rest)


def _is_label(el: Tag) -> bool:
    text = el.get_text().strip()
    return el.name in ("p", "div", *_HEADING_NAMES) and 0 < len(text) <= _LABEL_MAX_CHARS and \
        not text.endswith(("?", "？", "。", ".")) and not el.find_all(_BLOCKISH)


def _junk_lines(el: Tag, rules: tuple[Rule, ...]) -> Iterator[str]:
    for line in el.get_text("\n").split("\n"):
        line = line.strip()
        if line and any(rule.matches(line) for rule in rules):
            yield line


def _flow(root: Tag) -> Tag:
    """The element whose children end the content: the last child is looked into while it is a plain wrapper
    (a post body after the post header, a section) rather than a block of its own."""
    node = root
    while True:
        kids = _elements(node)
        if not kids or kids[-1].name not in _WRAPPERS or _link_only(kids[-1]) or \
                not any(k.name in _BLOCKISH for k in _elements(kids[-1])):
            return node
        node = kids[-1]


def drop_postscript(root: Tag, junk: tuple[Rule, ...]) -> list[Removal]:
    """Cut what follows the content at its end: trailing lists of links (with their short label: "References",
    "related posts") and a last section after a thematic break (<hr>) that holds promo or chrome text."""
    removals: list[Removal] = []
    flow = _flow(root)
    changed = True
    while changed:
        changed = False
        kids = _elements(flow)
        if len(kids) < 2:
            break
        last = kids[-1]
        if last.name == "hr":
            last.decompose()
            changed = True
        elif last.name in ("p", "ul", "ol", "div", "blockquote") and _link_only(last) and not last.find(_HEADING_NAMES):
            removals.append(Removal("trailing-link-list", re.sub(r"\s+", " ", last.get_text(" ")).strip()[:200], 0))
            last.decompose()
            label = kids[-2]
            if _is_label(label) and not _link_only(label):
                removals.append(Removal("trailing-link-list (label)", label.get_text().strip(), 0))
                label.decompose()
            changed = True
        else:
            rules = [i for i, kid in enumerate(kids) if kid.name == "hr"]
            if not rules:
                break
            tail = kids[rules[-1] + 1 :]
            hits = [line for kid in tail for line in _junk_lines(kid, junk)]
            if hits and not any(kid.name in _HEADING_NAMES or kid.find(_HEADING_NAMES) for kid in tail):
                for kid in tail:
                    removals.append(Removal("postscript", re.sub(r"\s+", " ", kid.get_text(" ")).strip()[:200], 0))
                    kid.decompose()
                kids[rules[-1]].decompose()
                changed = True
    return removals
