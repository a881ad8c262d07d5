"""Indexed CSS selection gives what BeautifulSoup's select gives, element for element, while chrome is removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from pipeline.config import load_rules
from pipeline.css_index import CssIndex, _needs, _split
from tests.conftest import FIXTURES
from tests.realworld_score import CORPUS

PAGE = """<html><head><title>t</title></head><body>
<a href="#main">skip</a><header class="site-header"><nav class="menu"><ul><li><a href="/">Home</a></li>
<li class="x"><a rel="next" href="/2">Next</a></li></ul></nav></header>
<main><article><h2 id="q1">1. What is attention?<img src="badge.svg"></h2><p>First answer.</p>
<p lang="en" data-kind="answer">Second answer.</p><div hidden>secret</div><p style="display: none">gone</p>
<ul><li>one</li><li class="x">two</li></ul><section id="comments"><p>a comment</p></section></article></main>
<aside class="sidebar"><div class="widget">w</div></aside><footer>© 2024</footer></body></html>"""

TRICKY = [
    "nav, [role=navigation], .menu", "body > a[href^=\"#\"]", ":is(h1, h2, h3) img", "li:first-child", "p + p",
    "li:not(.x)", "[lang!=en]", "*", "div:has(> p), section[id*=comment]", "ul > li.x, [data-kind='answer']",
    "[hidden], [style*=\"display: none\"]", "h2#q1 img, a[rel=next]", "p:last-child", "li:nth-child(2)",
]


def _same_as_select(html: str, selectors: list[str]) -> int:
    """Select with both, rule by rule, removing what each rule matches as the chrome stage does; count matches."""
    soup, mirror = BeautifulSoup(html, "lxml"), BeautifulSoup(html, "lxml")
    index, matched = CssIndex(soup), 0
    for selector in selectors:
        mine, theirs = index.select(selector), mirror.select(selector)
        assert [str(el) for el in mine] == [str(el) for el in theirs], selector
        matched += len(mine)
        for el, twin in zip(mine, theirs, strict=True):
            if not el.decomposed:
                el.decompose()
                twin.decompose()
    assert str(soup) == str(mirror)
    return matched


def test_tricky_selectors_match_exactly_what_select_matches() -> None:
    assert _same_as_select(PAGE, TRICKY) > 10
    assert _same_as_select(PAGE, list(reversed(TRICKY))) > 10


def test_rightmost_compound_requirements() -> None:
    assert _needs("body > a[href^='#']") == [("tag", "a"), ("attr", "href")]
    assert _needs(":is(h1, h2) img") == [("tag", "img")]
    assert _needs("nav.toc") == [("tag", "nav"), ("attr", "class")]
    assert _needs("[lang!=en]") == [] and _needs("li:not(.x)") == [("tag", "li")] and _needs("*") == []
    assert _split("a[title='x, y'], :is(b, c) d") == ["a[title='x, y']", ":is(b, c) d"]
    assert _split(":scope > p") is None and _split("svg|rect") is None


def _pages() -> list[Path]:
    pages = sorted(FIXTURES.glob("*.html"))
    corpus = sorted(CORPUS.glob("*/*.html"))
    if not corpus and os.environ.get("CI") == "true":
        pytest.fail(f"the real-world corpus is missing: {CORPUS}")
    return pages + corpus


def test_the_shipped_chrome_rules_select_the_same_elements_on_every_html_page() -> None:
    selectors = [rule.selector for rule in load_rules().junk.html_drop]
    pages = _pages()
    matched = sum(_same_as_select(page.read_text(encoding="utf-8", errors="replace"), selectors) for page in pages)
    assert len(pages) >= 10 and matched > len(pages)
