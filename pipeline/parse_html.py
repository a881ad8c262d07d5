"""HTML pages to blocks: chrome dropped by selector rules, structure kept, TeX taken from formula markup."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup
from bs4.element import Comment, NavigableString, PageElement, Tag

from pipeline.config import SelectorRule
from pipeline.models import Block, Removal
from pipeline.tables import markdown_table

ALWAYS_DROP = ("script", "style", "noscript", "iframe", "form", "svg", "button", "input", "select",
               "textarea", "template", "object", "embed", "canvas", "link", "meta")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LANG = re.compile(r"(?:language|lang|highlight-source|brush:?)-?\s*([\w+#-]+)", re.I)
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")


def _tex_of(el: Tag) -> tuple[str, bool] | None:
    """The TeX source inside a KaTeX/MathJax/MathML element, and whether it is display math."""
    annotation = el.find("annotation", attrs={"encoding": re.compile("tex", re.I)})
    if isinstance(annotation, Tag):
        classes = " ".join(el.get("class") or [])
        display = "katex-display" in classes or el.get("display") == "block" or el.name == "div"
        parent = el.parent
        if isinstance(parent, Tag) and "katex-display" in " ".join(parent.get("class") or []):
            display = True
        return annotation.get_text().strip(), display
    return None


def _replace_math(soup: BeautifulSoup) -> None:
    for script in soup.find_all("script", attrs={"type": re.compile(r"math/tex", re.I)}):
        display = "mode=display" in str(script.get("type", ""))
        tex = script.get_text().strip()
        script.replace_with(NavigableString(f"\\[{tex}\\]" if display else f"\\({tex}\\)"))
    for el in soup.select(".katex-display, .katex, mjx-container, math"):
        if el.parent is None:  # already replaced with an enclosing element
            continue
        found = _tex_of(el)
        if found is None:
            continue
        tex, display = found
        el.replace_with(NavigableString(f"\\[{tex}\\]" if display else f"\\({tex}\\)"))
    for el in soup.select(".MathJax_Preview, .MathJax, .MJX_Assistive_MathML"):
        el.decompose()


def _inline(el: PageElement, code: bool = False) -> str:
    if isinstance(el, Comment):
        return ""
    if isinstance(el, NavigableString):
        return str(el)
    if not isinstance(el, Tag):
        return ""
    if el.name == "br":
        return "\n"
    if el.name == "img":  # images are not shipped: their alt text says what was there
        alt = str(el.get("alt") or "").strip()
        if not alt:
            return ""
        return f"（图：{alt}）" if re.search(r"[\u3400-\u9fff]", alt) else f" (image: {alt}) "
    inner = "".join(_inline(child, code or el.name == "code") for child in el.children)
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
    if rows:
        yield Block("table", markdown_table(rows))


def _walk(el: Tag, depth: int = 0) -> Iterator[Block]:
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
                buffer.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name not in _BLOCK_TAGS:
            buffer.append(_inline(child))
            continue
        yield from flush()
        if name in _HEADINGS:
            text = _clean_inline(_inline(child)).replace("\n", " ")
            if text:
                yield Block("heading", text, level=_HEADINGS[name])
        elif name == "pre":
            code = child.find("code")
            classes = " ".join(_classes(child) + (_classes(code) if isinstance(code, Tag) else []))
            lang_match = _LANG.search(classes) or _LANG.search(str(child.get("data-lang") or ""))
            body = child.get_text().strip("\n")
            if body.strip():
                yield Block("code", body, lang=lang_match.group(1).lower() if lang_match else "")
        elif name in ("ul", "ol"):
            for number, li in enumerate(child.find_all("li", recursive=False), 1):
                yield from _list_item(li, depth, number if name == "ol" else 0)
        elif name == "table":
            yield from _table(child)
        elif name == "blockquote":
            text = "\n".join(b.text for b in _walk(child, depth))
            if text.strip():
                yield Block("quote", text)
        elif name == "details":
            summary = child.find("summary")
            question = _clean_inline(_inline(summary)) if isinstance(summary, Tag) else ""
            if isinstance(summary, Tag):
                summary.extract()
            answer = "\n\n".join(_block_markdown(b) for b in _walk(child, depth))
            if question:
                yield Block("qa", question.replace("\n", " "), answer=answer)
        elif name == "dl":
            term = ""
            for part in child.find_all(["dt", "dd"], recursive=False):
                if part.name == "dt":
                    term = _clean_inline(_inline(part)).replace("\n", " ")
                elif term:
                    yield Block("qa", term, answer="\n\n".join(_block_markdown(b) for b in _walk(part, depth)))
                    term = ""
        elif name == "hr":
            continue
        else:
            yield from _walk(child, depth)
    yield from flush()


def _list_item(li: Tag, depth: int, number: int) -> Iterator[Block]:
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
                blocks.extend(_list_item(item, depth + 1, n if child.name == "ol" else 0))
        elif isinstance(child, Tag):
            holder = BeautifulSoup("<div></div>", "lxml").div
            assert holder is not None
            holder.append(child.extract())
            blocks.extend(Block(b.kind, b.text, max(b.level, depth + 1) if b.kind == "item" else b.level, b.lang,
                                b.line, b.answer) for b in _walk(holder, depth + 1))
        elif str(child).strip():
            blocks.append(Block("para", _clean_inline(str(child))))
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


def parse_html(text: str, drop: tuple[SelectorRule, ...]) -> tuple[list[Block], list[Removal]]:
    """Parse an HTML page into blocks; returns the blocks and the chrome it removed."""
    soup = BeautifulSoup(text, "lxml")
    removals: list[Removal] = []
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    _replace_math(soup)
    for name in ALWAYS_DROP:
        for el in soup.find_all(name):
            el.decompose()
    for rule in drop:
        for el in soup.select(rule.selector):
            if el.parent is None:
                continue
            removed = _clean_inline(el.get_text(" "))
            if removed:
                removals.append(Removal(rule.name, removed[:200], 0))
            el.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    title = soup.find("title")
    blocks = list(_walk(root if isinstance(root, Tag) else soup))
    if isinstance(title, Tag) and title.get_text(strip=True) and not any(b.kind == "heading" for b in blocks[:1]):
        blocks.insert(0, Block("heading", title.get_text(strip=True), level=1))
    return [Block(b.kind, b.text, b.level, b.lang, n, b.answer) for n, b in enumerate(blocks, 1)], removals
