"""HTML pages to blocks: the content region's structure kept (chrome removed in html_chrome), TeX from formulas."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator

from bs4 import BeautifulSoup
from bs4.element import Comment, NavigableString, PageElement, Tag

from pipeline.config import Rule, SelectorRule
from pipeline.html_chrome import content_root, drop_chrome, drop_heading_anchors, drop_postscript
from pipeline.html_math import image_tex, replace_math
from pipeline.media import MEDIA_NAME
from pipeline.models import Block, Removal
from pipeline.tables import markdown_table

ALWAYS_DROP = ("script", "style", "noscript", "iframe", "form", "svg", "input", "select",
               "textarea", "template", "object", "embed", "canvas", "link", "meta")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CODE_WRAPPER_DEPTH = 4  # how far up from a <pre> a highlighter's wrapper may name the language
_LANG = re.compile(r"(?:language|lang|highlight-source|brush:?)-?\s*([\w+#-]+)", re.I)
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")
_SOURCE_WS = re.compile(r"[ \t\r\n\f\v]+")  # in HTML source a line break is a space; <br> breaks lines
_WIDE = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_WIDE_BREAK = re.compile(rf"(?<=[{_WIDE}])[ \t]*\n[ \t]*(?=[{_WIDE}])")
_DOCUMENT = re.compile(r"<(!doctype\s+html|html|body)\b", re.I)
_BOX_TITLE = re.compile(r"(^|[-_]|(?<=[a-z]))(title|heading)(_[A-Za-z0-9]{4,6})?$", re.I)  # "admonitionHeading_Gvgb"
_MIN_BOXES = 2  # a kind of titled box seen once is no pattern of questions
_CHIP_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")  # "01" printed in its own element before a question
# a button shows its text where it stands among the content (a quiz option); elsewhere it is a control ("Copy")
_CONTENT_PARENTS = ("p", "td", "th", "li", "dd")


def _inline(el: PageElement, code: bool = False) -> str:
    if isinstance(el, Comment):
        return ""
    if isinstance(el, NavigableString):
        return str(el)
    if not isinstance(el, Tag):
        return ""
    if el.name == "br":
        return "\n"
    if el.name == "img":  # only images kept beside the page travel (as media); of others, the alt text
        tex = image_tex(str(el.get("src") or ""))
        if tex:
            return f"\\({tex}\\)"
        alt = str(el.get("alt") or "").strip()
        if MEDIA_NAME.match(str(el.get("src") or "")):
            return f"![{alt}]({el.get('src')})"
        if not alt:
            return ""
        return f"（图：{alt}）" if re.search(r"[\u3400-\u9fff]", alt) else f" (image: {alt}) "
    parts = [(child, _inline(child, code or el.name == "code")) for child in el.children]
    shown = [i for i, (_, text) in enumerate(parts) if text.strip()]
    # a number in its own element before the text ("<span>01</span>How ...") is the text's enumerator
    chip = shown[0] if len(shown) > 1 and isinstance(parts[shown[0]][0], Tag) and \
        _CHIP_NUMBER.match(parts[shown[0]][1]) else -1
    inner = "".join(text.strip() + ". " if i == chip else text for i, (_, text) in enumerate(parts))
    if el.name == "code" and not code and inner.strip():
        return f"`{inner.strip()}`"
    if el.name in ("strong", "b") and inner.strip() and not code:
        return f"**{inner.strip()}**"
    href = str(el.get("href") or "") if el.name == "a" else ""
    if href.startswith(("http://", "https://")) and inner.strip() and not code:
        return f"[{inner.strip()}]({href})"
    return inner


def _classes(el: Tag) -> list[str]:
    value = el.get("class")
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value or []]


def _clean_inline(text: str) -> str:
    lines = [_WS.sub(" ", part).strip() for part in text.split("\n")]
    return "\n".join(line for line in lines if line)


_BLOCK_TAGS = {"p", "div", "section", "article", "main", "ul", "ol", "li", "pre", "table", "blockquote",
               "details", "dl", "figure", "header", "footer", "nav", "aside", "body", "html", "center",
               "hr", "figcaption", *list(_HEADINGS)}


def _has_block_child(el: Tag) -> bool:
    return any(isinstance(c, Tag) and c.name in _BLOCK_TAGS for c in el.children)


def _table(el: Tag) -> Iterator[Block]:
    rows = []
    for tr in el.find_all("tr"):
        cells = [_clean_inline(_inline(td)).replace("\n", " ") for td in tr.find_all(["th", "td"])]
        if any(cells):
            rows.append(cells)
    if not rows:
        return
    if el.find("th") is None:  # no header row: a one-column table is a list, a wider one gets an empty header
        if max(len(r) for r in rows) == 1:
            for row in rows:
                yield Block("item", row[0])
            return
        rows.insert(0, [""] * max(len(r) for r in rows))
    yield Block("table", markdown_table(rows))


def _pre_text(pre: Tag) -> str:
    """The text of preformatted code; a <br> between highlighted line spans is a line break."""
    for br in pre.find_all("br"):
        br.replace_with(NavigableString("\n"))
    return pre.get_text().strip("\n")


def _code_lang(pre: Tag) -> str:
    """The language of a code block: on the <pre> or its <code> (language-x, lang-x, data-lang), else on a wrapper
    around it (Rouge's <div class="language-x">, Hexo's <figure class="highlight x">)."""
    code = pre.find("code")
    own = " ".join(_classes(pre) + (_classes(code) if isinstance(code, Tag) else []))
    found = _LANG.search(own) or _LANG.search(str(pre.get("data-lang") or ""))
    if found:
        return found.group(1).lower()
    for wrapper in list(pre.parents)[:_CODE_WRAPPER_DEPTH]:
        classes = _classes(wrapper)
        found = _LANG.search(" ".join(classes)) or _LANG.search(str(wrapper.get("data-lang") or ""))
        if found:
            return found.group(1).lower()
        if wrapper.name == "figure" and "highlight" in classes and len(classes) > 1:
            return next(c for c in classes if c != "highlight").lower()
    return ""


def _numbered_code(table: Tag) -> Tag | None:
    """The <pre> of code laid out in a table beside a column of line numbers (Hexo, Rouge, Pygments tables)."""
    cells = table.find_all("td")
    gutter = any(any("gutter" in c or c == "linenos" for c in _classes(td)) for td in cells)
    code = next((td for td in cells if any(c == "code" or c.endswith("-code") for c in _classes(td))), None)
    pre = code.find("pre") if gutter and isinstance(code, Tag) else None
    return pre if isinstance(pre, Tag) else None


def _box_title(el: Tag) -> Tag | None:
    """The title of a titled box (an admonition or callout: its first child is a "...-title" element)."""
    first = next((c for c in el.children if isinstance(c, Tag) or str(c).strip()), None)
    if isinstance(first, Tag) and first.name in ("p", "div", "span", "strong") and \
            any(_BOX_TITLE.search(c) for c in _classes(first)) and first.get_text().strip():
        return first
    return None


def _question_boxes(root: Tag, asks: Callable[[str], bool]) -> set[int]:
    """The titled boxes that hold a question and its answer: those of a kind (their classes) met several times whose
    titles mostly ask ("??? question", an "interview" callout), the imperative ones of that kind too; a lone box or a
    "note" box keeps its title as a bold line ("Where to go next" is a pointer, not a question)."""
    kinds: dict[tuple[str, ...], list[tuple[Tag, bool]]] = defaultdict(list)
    for box in root.find_all(("div", "section", "aside")):
        title = _box_title(box)
        if title is not None and len(_meaningful(box)) > 1:
            text = _clean_inline(_inline(title)).replace("\n", " ")
            kinds[tuple(sorted(_classes(box)))].append((box, asks(text)))
    return {id(box) for boxes in kinds.values()
            if len(boxes) >= _MIN_BOXES and 2 * sum(a for _, a in boxes) > len(boxes) for box, _ in boxes}


def _meaningful(el: Tag) -> list[PageElement]:
    return [c for c in el.children if (isinstance(c, Tag) and c.get_text().strip()) or
            (isinstance(c, NavigableString) and not isinstance(c, Comment) and str(c).strip())]


class _Walker:
    """Walks an element tree into blocks, remembering the last heading level (a box title sits below it)."""

    def __init__(self, question_boxes: set[int] | None = None) -> None:
        self.level = 0
        self.question_boxes = question_boxes or set()

    def heading(self, text: str, level: int) -> Block:
        self.level = level
        return Block("heading", text, level=level)

    def walk(self, el: Tag, depth: int = 0) -> Iterator[Block]:
        buffer: list[str] = []

        def flush() -> Iterator[Block]:
            text = _clean_inline("".join(buffer))
            buffer.clear()
            for line in text.split("\n"):  # <br>-separated lines are lines (exports put whole Q&A lists in one <p>)
                if line.strip():
                    yield Block("para", line)

        for child in el.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, Comment):
                    buffer.append(_inline(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name not in _BLOCK_TAGS:
                buffer.append(_inline(child))
                continue
            yield from flush()
            yield from self.block(child, depth)
        yield from flush()

    def block(self, child: Tag, depth: int) -> Iterator[Block]:
        name = child.name
        title = _box_title(child) if name in ("div", "section", "aside") else None
        if name in _HEADINGS:
            text = _clean_inline(_inline(child)).replace("\n", " ")
            if text:
                yield self.heading(text, _HEADINGS[name])
        elif title is not None and id(child) in self.question_boxes:  # a question box: its title asks, its body answers
            text = _clean_inline(_inline(title)).replace("\n", " ")
            title.extract()
            yield Block("qa", text, answer=self.markdown(child, depth))
        elif title is not None:  # the box title leads the box, as a bold line would
            text = _clean_inline(_inline(title)).replace("\n", " ")
            title.extract()
            yield Block("para", text if text.startswith("**") else f"**{text}**")
            yield from self.walk(child, depth)
        elif name == "pre":
            body = _pre_text(child)
            if body.strip():
                yield Block("code", body, lang=_code_lang(child))
        elif name == "table" and (numbered := _numbered_code(child)) is not None:
            body = _pre_text(numbered)
            if body.strip():
                yield Block("code", body, lang=_code_lang(numbered))
        elif name in ("ul", "ol"):
            for number, li in enumerate(child.find_all("li", recursive=False), 1):
                yield from self.list_item(li, depth, number if name == "ol" else 0)
        elif name == "table":
            yield from _table(child)
        elif name == "blockquote":
            text = "\n".join(b.text for b in self.walk(child, depth))
            if text.strip():
                yield Block("quote", text)
        elif name == "details":
            yield from self.details(child, depth)
        elif name == "dl":
            term = ""
            for part in child.find_all(["dt", "dd"], recursive=False):
                if part.name == "dt":
                    term = _clean_inline(_inline(part)).replace("\n", " ")
                elif term:
                    yield Block("qa", term, answer=self.markdown(part, depth))
                    term = ""
        elif name != "hr":
            yield from self.walk(child, depth)

    def details(self, child: Tag, depth: int) -> Iterator[Block]:
        """A collapsed block: its summary asks, its body answers; a body made only of collapsed blocks is a
        category (a heading over them), and an empty body is a question without an answer."""
        summary = child.find("summary")
        question = _clean_inline(_inline(summary)).replace("\n", " ") if isinstance(summary, Tag) else ""
        if isinstance(summary, Tag):
            summary.extract()
        body = _meaningful(child)
        if question and body and all(isinstance(c, Tag) and c.name == "details" for c in body):
            outer = self.level
            yield self.heading(question, min(6, outer + 1))
            yield from self.walk(child, depth)
            self.level = outer
        elif question:
            yield Block("qa", question, answer=self.markdown(child, depth))
        else:
            yield from self.walk(child, depth)

    def markdown(self, el: Tag, depth: int) -> str:
        outer = self.level
        text = "\n\n".join(_block_markdown(b) for b in self.walk(el, depth))
        self.level = outer
        return text

    def list_item(self, li: Tag, depth: int, number: int) -> Iterator[Block]:
        """The item's own (inline) text, then whatever blocks it holds (paragraphs, code, nested lists)."""
        lead: list[str] = []
        rest: list[PageElement] = []
        for child in list(li.children):
            if rest or (isinstance(child, Tag) and child.name in _BLOCK_TAGS):
                rest.append(child)
            else:
                lead.append(_inline(child))
        text = _clean_inline("".join(lead))
        blocks: list[Block] = []
        for child in rest:
            if isinstance(child, Tag) and child.name in ("ul", "ol"):
                for n, item in enumerate(child.find_all("li", recursive=False), 1):
                    blocks.extend(self.list_item(item, depth + 1, n if child.name == "ol" else 0))
            elif isinstance(child, Tag):
                holder = BeautifulSoup("<div></div>", "lxml").div
                assert holder is not None
                holder.append(child.extract())
                blocks.extend(Block(b.kind, b.text, max(b.level, depth + 1) if b.kind == "item" else b.level,
                                    b.lang, b.line, b.answer) for b in self.walk(holder, depth + 1))
            elif str(child).strip():
                blocks.append(Block("para", _clean_inline(_inline(child))))
        if not text and blocks and blocks[0].kind == "para":
            text, blocks = blocks[0].text, blocks[1:]
        if text:
            yield Block("item", f"{number}. {text}" if number else text, level=depth)
        yield from blocks


def _block_markdown(block: Block) -> str:
    if block.kind == "code":
        return f"```{block.lang}\n{block.text}\n```"
    if block.kind == "item":
        return "  " * block.level + ("" if re.match(r"\d+\. ", block.text) else "- ") + block.text
    if block.kind == "quote":
        return "\n".join("> " + line for line in block.text.split("\n"))
    return block.text


def html_inline_text(fragment: str) -> str:
    """A fragment of inline HTML as text with Markdown emphasis, code and links (for Markdown pages)."""
    soup = BeautifulSoup(f"<div>{fragment}</div>", "lxml")
    for name in ALWAYS_DROP:
        for el in soup.find_all(name):
            el.decompose()
    div = soup.find("div")
    return _clean_inline(_inline(div)) if isinstance(div, Tag) else fragment.strip()


def _buttons(soup: BeautifulSoup) -> None:
    for button in soup.find_all("button"):
        if button.find_parent(_CONTENT_PARENTS) is not None and button.get_text().strip():
            button.unwrap()
        else:
            button.decompose()


def _template_page(soup: BeautifulSoup) -> BeautifulSoup:
    """A <template> is inert markup a script may clone (dropped), unless the page holds nothing else: a component
    file (`<template><div>…</div></template>`) is read from its templates' markup."""
    templates = soup.find_all("template")
    inside = [t.decode_contents() for t in templates if t.find_parent("template") is None]
    outside = "".join(s for s in soup.find_all(string=True) if s.find_parent(("template", "script", "style")) is None
                      and not isinstance(s, Comment))
    if not inside or outside.strip():
        return soup
    page = BeautifulSoup("".join(inside), "lxml")
    return page if page.get_text().strip() else soup


def _collapse_source_breaks(root: Tag) -> None:
    """In a page's source a line break is a space (only <br> and blocks break lines; <pre> keeps its own)."""
    for string in list(root.find_all(string=True)):
        if isinstance(string, NavigableString) and not isinstance(string, Comment) and \
                string.find_parent("pre") is None and "\n" in string:
            joined = _WIDE_BREAK.sub("", str(string))  # between two CJK characters a line break is nothing
            string.replace_with(NavigableString(_SOURCE_WS.sub(" ", joined)))


def parse_html(text: str, drop: tuple[SelectorRule, ...], postscript: tuple[Rule, ...] = (),
               page: bool = False, asks: Callable[[str], bool] | None = None) -> tuple[list[Block], list[Removal]]:
    """Parse HTML into blocks; returns the blocks and the chrome it removed.

    `drop` are the chrome selectors. A whole saved `page` (not a fragment inside Markdown) is read from its content
    region; when it has a document shell (<html>, <body>), source line breaks are spaces and its postscript is cut
    (trailing link lists, a last section after an <hr> holding text the `postscript` rules match). `asks` tells
    whether a line reads as a question: titled boxes of a kind whose titles ask become question/answer pairs.
    """
    soup = _template_page(BeautifulSoup(text, "lxml"))
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    replace_math(soup)
    _buttons(soup)
    for name in ALWAYS_DROP:
        for el in soup.find_all(name):
            el.decompose()
    title = soup.find("title")
    title_text = title.get_text(strip=True) if isinstance(title, Tag) else ""
    for head in soup.find_all("head"):
        head.decompose()
    root = content_root(soup) if page else (soup.body or soup)
    removals = drop_chrome(soup, root, drop)
    removals += drop_heading_anchors(root)
    if page and _DOCUMENT.search(text[:4096]):  # text with a few tags but no document shell keeps its lines
        _collapse_source_breaks(root)
        removals += drop_postscript(root, postscript)
    try:
        blocks = list(_Walker(_question_boxes(root, asks) if asks else None).walk(root))
    except RecursionError:  # markup nested thousands deep: read its text line by line rather than fail
        blocks = [Block("para", line) for line in (_clean_inline(x) for x in root.get_text("\n").split("\n")) if line]
    if title_text and not any(b.kind == "heading" for b in blocks[:1]):
        blocks.insert(0, Block("heading", title_text, level=1))
    return [Block(b.kind, b.text, b.level, b.lang, n, b.answer) for n, b in enumerate(blocks, 1)], removals
