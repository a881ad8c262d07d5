"""Repairs of damaged text: HTML entities (even ones that lost their '&'), KaTeX rendered three times or twice."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

_BROKEN_HEX_ENTITY = re.compile(r"(?<!&)#x([0-9a-fA-F]{2,6});")
_ENTITY = re.compile(r"&(#x?[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+|[\^_]\{")
_TEX_SYNTAX = re.compile(r"\\[A-Za-z]+|[{}^_\\\s]")
# a formula pasted as text twice (KaTeX's MathML text, then its HTML text): "1−p1−p", "hθ(x)hθ(x)"
_MATH_CHAR = (r"[A-Za-z0-9\u0391-\u03c9\u2211\u220f\u2212+\-*/^_=().,'\u2032|{}\[\]"
              r"\u2225\u00b7\u00d7\u00f7\u2264\u2265<>]")
_DOUBLED = re.compile(rf"(?<![A-Za-z0-9\u0391-\u03c9])({_MATH_CHAR}{{2,40}}?)\1(?![A-Za-z0-9\u0391-\u03c9])")
_LETTER = re.compile(r"[A-Za-z\u0391-\u03c9]")
_MATH_MARK = re.compile(r"[0-9\u0391-\u03c9\u2211\u2212+*/^_=()|]")


def repair_entities(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Decode HTML entities, including `#x...;` hex entities left after a page lost their `&`."""
    repairs: list[tuple[str, str, str]] = []

    def broken(match: re.Match[str]) -> str:
        try:
            char = chr(int(match.group(1), 16))
        except (ValueError, OverflowError):
            return match.group(0)
        repairs.append(("entity-missing-ampersand", match.group(0), char))
        return char

    def entity(match: re.Match[str]) -> str:
        decoded = html.unescape(match.group(0))
        if decoded != match.group(0):
            repairs.append(("html-entity", match.group(0), decoded))
        return decoded

    text = _BROKEN_HEX_ENTITY.sub(broken, text)
    text = _ENTITY.sub(entity, text)
    return text, repairs


def _plain(tex: str) -> str:
    """What KaTeX prints as text for a TeX string: commands, braces, ^ _ and spaces dropped."""
    return _TEX_SYNTAX.sub("", tex)


def _same_chars(a: str, b: str) -> bool:
    return sorted(a.replace(" ", "")) == sorted(b.replace(" ", ""))


def _candidates(text: str) -> Iterator[tuple[int, int]]:
    """Spans (start, end) that may hold a TeX source: they contain a command and balanced braces."""
    first = _TEX_COMMAND.search(text)
    if not first:
        return
    last = max(m.end() for m in _TEX_COMMAND.finditer(text))
    for start in range(first.start(), max(-1, first.start() - 300), -1):
        for end in range(min(len(text), last + 300), last - 1, -1):
            span = text[start:end]
            if span.count("{") == span.count("}") and span.strip() == span:
                yield start, end


def repair_katex(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Collapse "rendered-text TeX rendered-text" (KaTeX scraped as text) into one \\(TeX\\) formula."""
    if not _TEX_COMMAND.search(text) or "\\(" in text:
        return text, []
    for start, end in _candidates(text):
        tex = text[start:end]
        plain = _plain(tex)
        size = len(plain)
        if size < 3:
            continue
        before = text[max(0, start - size) : start]
        after = text[end : end + size]
        if len(before) == size and _same_chars(before, plain) and len(after) == size and _same_chars(after, plain):
            fixed = text[: start - size] + f"\\({tex}\\)" + text[end + size :]
            return fixed, [("katex-triple-render", text[start - size : end + size], f"\\({tex}\\)")]
    return text, []


def repair_doubled_math(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Collapse a formula printed twice in a row as text ("1−p1−p" → "1−p"): a letter and a math mark in the unit."""
    repairs: list[tuple[str, str, str]] = []

    def once(match: re.Match[str]) -> str:
        unit = match.group(1)
        if not (_LETTER.search(unit) and _MATH_MARK.search(unit)) or "\\(" in text:
            return match.group(0)
        repairs.append(("formula-text-doubled", match.group(0), unit))
        return unit

    return _DOUBLED.sub(once, text), repairs
