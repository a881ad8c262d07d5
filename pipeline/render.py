"""Card field HTML: Markdown rendered, math kept for MathJax, code highlighted at build time, all sanitized."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound

from pipeline.media import MEDIA_NAME, card_images
from pipeline.yamlio import write_text

_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$|(?<![\\$\w])\$([^$\n]+?)\$(?![\w$])", re.S)
_PLACEHOLDER = "\ue000{}\ue001"
_FORMATTER = HtmlFormatter(nowrap=True, classprefix="hl-")

ALLOWED_TAGS = {"p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "span", "div",
                "table", "thead", "tbody", "tr", "th", "td", "blockquote", "a", "h3", "h4", "h5", "h6", "del",
                "sup", "sub", "img"}
ALLOWED_ATTRIBUTES = {"span": {"class"}, "div": {"class"}, "pre": {"class"}, "code": {"class"},
                      "a": {"href", "title"}, "img": {"src", "alt"}, "ol": {"start"}, "td": {"align"}, "th": {"align"}}


def _highlight(code: str, lang: str, _attrs: str = "") -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else guess_lexer(code)
    except ClassNotFound:
        return ""
    if not lang and lexer.name == "Text only":
        return ""
    name = lang or (lexer.aliases[0] if lexer.aliases else "code")
    body = highlight(code, lexer, _FORMATTER)
    return f'<pre class="code"><code class="language-{html.escape(name)}">{body}</code></pre>'


_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                "highlight": _highlight}).enable("table").enable("strikethrough")


def _protect_math(text: str) -> tuple[str, list[str]]:
    found: list[str] = []

    def keep(match: re.Match[str]) -> str:
        inline, display, dollars2, dollar = match.groups()
        if display is not None or dollars2 is not None:
            found.append(f"\\[{display if display is not None else dollars2}\\]")
        else:
            found.append(f"\\({inline if inline is not None else dollar}\\)")
        return _PLACEHOLDER.format(len(found) - 1)

    return _MATH.sub(keep, text), found


def _restore_math(rendered: str, found: list[str]) -> str:
    for index, tex in enumerate(found):
        rendered = rendered.replace(_PLACEHOLDER.format(index), html.escape(tex, quote=False))
    return rendered


def sanitize(fragment: str) -> str:
    """Only formatting tags survive; script/iframe/style, event handlers and javascript: URLs never do."""
    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                     attribute_filter=_media_only)


def _media_only(tag: str, attribute: str, value: str) -> str | None:
    """An image shows only the card's own media: a card never loads anything from the network."""
    if tag == "img" and attribute == "src" and not MEDIA_NAME.match(value):
        return None
    return value


# One line of words and plain punctuation is one paragraph of itself: it holds no Markdown, math, HTML, entity or
# image, does not open as a list, heading or code block would, and has no space at either end to trim.
_PLAIN_CHARS = "A-Za-z0-9\u3400-\u9fff,.?!:;()，。？！、：；（）-"
_PLAIN_LINE = re.compile(f"[A-Za-z\u3400-\u9fff](?:[ {_PLAIN_CHARS}]*[{_PLAIN_CHARS}])?")

# Rendering is a pure function of the text, so its results are remembered, within a build and (through
# load_memo/save_memo, keyed by deckmill's code) between builds: an unchanged card is not rendered again.
_memo: dict[str, str] = {}
_used: set[str] = set()


def markdown_html(text: str) -> str:
    """Render Markdown (possibly holding \\( \\) math) to sanitized HTML for an Anki field."""
    if not text.strip():
        return ""
    _used.add(text)
    hit = _memo.get(text)
    if hit is None:
        hit = _memo[text] = f"<p>{text}</p>" if _PLAIN_LINE.fullmatch(text) else render_markdown(text)
    return hit


def render_markdown(text: str) -> str:
    """Markdown (with math, images and code) to sanitized HTML, every step taken."""
    protected, found = _protect_math(card_images(text))
    return sanitize(_restore_math(_MD.render(protected), found)).strip()


def load_memo(path: Path, version: str) -> None:
    """Remember what an earlier build with the same code rendered (a missing or stale file is ignored); what this
    build renders is what `save_memo` keeps."""
    _used.clear()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("version") == version and isinstance(data.get("html"), dict):
        _memo.update(data["html"])


def save_memo(path: Path, version: str) -> None:
    """Keep what this build rendered, for the next build."""
    write_text(path, json.dumps({"version": version, "html": {t: _memo[t] for t in sorted(_used) if t in _memo}},
                                ensure_ascii=False))


def inline_html(text: str) -> str:
    """Render a one-line question: Markdown inline markup only, no wrapping <p>."""
    rendered = markdown_html(text)
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered
