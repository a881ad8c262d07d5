"""Markdown pages to blocks with a real CommonMark parser (markdown-it-py); inline Markdown is kept."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from pipeline.config import SelectorRule
from pipeline.models import Block, BlockKind, Removal
from pipeline.parse_html import html_inline_text, parse_html
from pipeline.questions import is_aside
from pipeline.tables import markdown_table

_INLINE_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_SHIELDED = re.compile("\ue000(\\d+)\ue001")
_TOC = re.compile(r"^\s*\[(toc|TOC)\]\s*$|^\s*\[\[_?toc_?\]\]\s*$|^\s*\$\{toc\}\s*$", re.I)


# MkDocs/Python-Markdown containers: an admonition ("!!! note", "??? question") or a content tab ('=== "Answer"')
# whose body is the following lines indented four more spaces.
_CONTAINER = re.compile(r'^[ \t]*(?:(?:!!!|\?\?\?\+?)[ \t]*[\w-]*(?:[ \t]+"[^"\n]*")?|===\+?[ \t]+"[^"\n]*")[ \t]*$')
_FENCE_LINE = re.compile(r"^[ \t]*(```|~~~)")


_GLUED_DETAILS = re.compile(r"</?details\b", re.I)
_GLUED_HEADING = re.compile(r"\s(?=#{2,6}\s+\S)")


def _unglue_line(line: str) -> list[str]:
    """One line holding <details> wrappers, rules and headings glued together (a paste that lost its line
    breaks: "… </details> --- ### Q: … <details> <summary>…</summary> …") as the lines it was made of."""
    line = re.sub(r"\s*(</details>)\s*", r"\n\n\1\n\n", line, flags=re.I)
    line = re.sub(r"\s*(<details>)\s*", r"\n\n\1\n", line, flags=re.I)
    line = re.sub(r"(</summary>)\s*", r"\1\n\n", line, flags=re.I)
    out: list[str] = []
    for part in line.split("\n"):
        rule = re.match(r"^\s*(---+|\*\*\*+)\s+(?=\S)", part)
        if rule:
            out += [rule.group(1), ""]
            part = part[rule.end() :]
        if part.lstrip().startswith("#"):
            out += [piece for heading in _GLUED_HEADING.split(part) for piece in (heading, "")]
        else:
            out.append(part)
    return out


def unglue_details(text: str) -> str:
    """Lines where <details> blocks, rules and headings were glued onto one line are split back apart."""
    lines = text.split("\n")
    if not any(_GLUED_DETAILS.search(line) and len(_GLUED_DETAILS.sub("", line).strip(" <>/")) > 20
               for line in lines):
        return text
    out: list[str] = []
    in_fence = False
    for line in lines:
        if _FENCE_LINE.match(line):
            in_fence = not in_fence
        glued = _GLUED_DETAILS.search(line) and len(re.sub(r"</?(details|summary|b)>", "", line).strip()) > 20
        out.extend(_unglue_line(line) if glued and not in_fence else [line])
    return "\n".join(out)


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def open_containers(text: str) -> str:
    """Admonitions and content tabs unwrapped: marker lines dropped, their bodies dedented to the marker's level
    (CommonMark would read the indented body as a code block)."""
    lines = text.split("\n")
    if not any(_CONTAINER.match(line) for line in lines):
        return text
    out: list[str] = []
    stack: list[int] = []  # indent of each open container's marker
    in_fence = False
    for line in lines:
        if line.strip():
            while stack and _indent(line) < stack[-1] + 4:
                stack.pop()
        shift = 4 * len(stack)
        body = line.expandtabs(4)[shift:] if line.strip() and _indent(line) >= shift else line.strip("\n")
        if _FENCE_LINE.match(line):
            in_fence = not in_fence
        marker = None if in_fence else _CONTAINER.match(body)
        if marker is not None:
            stack.append(_indent(line))
            out.append("")
            continue
        out.append(body if line.strip() else "")
    return "\n".join(out)


THEMATIC_BREAK = "thematic-break"
_MD_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")  # not images
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def is_nav_links(content: str) -> bool:
    """A paragraph that is only links within the page or the repository ("[⬆ Back to top](#questions) |
    [Index](./README.md)"): navigation, never part of an answer."""
    if "![" in content:
        return False  # an image is content (a diagram kept beside the page), not navigation
    links = _MD_LINK.findall(content)
    if not links or "![" in content or any(_SCHEME.match(target) or not target for _, target in links):
        return False
    return not re.sub(r"[\W_]+", "", _MD_LINK.sub("", content))


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def _table(tokens: list[Token], start: int) -> tuple[Block, int]:
    rows: list[list[str]] = []
    i = start
    while i < len(tokens) and tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type == "inline" and rows:
            rows[-1].append(tokens[i].content.strip())
        i += 1
    return Block("table", markdown_table(rows)), i


# "\*\*What is X?\*\*": bold whose asterisks a converter escaped (it shows the asterisks as text)
_ESCAPED_BOLD = re.compile(r"\\\*\\\*(?=\S)([^*\n]+?)(?<=\S)\\\*\\\*")
# "[tutorialspoint.com][1]": a reference-style link whose definition ("[1]: https://…") sits at the page's end
_REF_LINK = re.compile(r"(?<![!\]\\])\[([^\[\]\n]+)\]\[([^\[\]\n]*)\]")


def _resolve_references(content: str, references: dict[str, dict[str, str]]) -> str:
    """Reference-style links as inline links: the definitions stay behind at the end of the page, the answer
    that cites them travels alone."""
    def inline(match: re.Match[str]) -> str:
        ref = references.get(normalizeReference(match.group(2) or match.group(1)))
        return f"[{match.group(1)}]({ref['href']})" if ref and ref.get("href") else match.group(0)
    return _REF_LINK.sub(inline, content) if references else content


def _inline(content: str, references: dict[str, dict[str, str]] | None = None) -> str:
    """Inline Markdown as written (escaped bold restored, reference links made inline); inline HTML (<br>, <b>,
    <sup>...) turned into text and Markdown."""
    content = _resolve_references(_ESCAPED_BOLD.sub(r"**\1**", content), references or {})
    spans: list[str] = []

    def shield(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\ue000{len(spans) - 1}\ue001"

    shielded = _CODE_SPAN.sub(shield, content)  # a code span is text as written: `<think>` is no tag
    if not _INLINE_HTML.search(shielded):
        return content.strip()
    return _SHIELDED.sub(lambda m: spans[int(m.group(1))], html_inline_text(shielded))


_LEAD_LINE = re.compile(r"^(\*\*[^*\n]+\*\*|__[^_\n]+__|[^\n]*[?？]\**)[ \t]*\n(.+)$", re.S)


def _split_bold_lead(kind: BlockKind, content: str, level: int, line: int) -> list[Block]:
    """A paragraph whose first lines are a question ("**Question?**", or a line ending in "?") followed by the
    answer on the next lines, as the question block(s) and one answer block."""
    out: list[Block] = []
    while (match := _LEAD_LINE.match(content)) is not None and not is_aside(match.group(2)):
        out.append(Block(kind if not out else "para", match.group(1).strip(), level=level if not out else 0,
                         line=line + len(out)))
        content = match.group(2).strip()
    if not out:
        return [Block(kind, content, level=level, line=line)]
    out.append(Block("para", content, level=level + 1 if kind == "item" else 0, line=line + len(out)))
    return out


_NUMBERED_LINE = re.compile(r"^\d{1,3}[.)]\s+\S")


def _numbered_lines(content: str) -> list[tuple[int, BlockKind, str]]:
    """A paragraph split where a later line starts with a list number ("…data.\n2. What may cause…?"): in
    CommonMark only "1." may interrupt a paragraph, so the writer's next numbered point was folded into it."""
    parts: list[tuple[int, BlockKind, str]] = []
    start, lines = 0, content.split("\n")
    for index, text in enumerate(lines):
        if index and _NUMBERED_LINE.match(text):
            if start < index:
                parts.append((start, "para", "\n".join(lines[start:index])))
            parts.append((index, "item", text))
            start = index + 1
    if start < len(lines):
        parts.append((start, "para", "\n".join(lines[start:])))
    return [(o, k, t) for o, k, t in parts if t.strip()]


def parse_markdown(text: str, drop: tuple[SelectorRule, ...]) -> tuple[list[Block], list[Removal]]:
    """Parse a Markdown page into blocks (HTML blocks inside it go through the HTML parser)."""
    env: dict[str, dict[str, dict[str, str]]] = {}
    tokens = _parser().parse(unglue_details(open_containers(text)), env)
    refs = env.get("references", {})
    blocks: list[Block] = []
    removals: list[Removal] = []
    list_depth = -1
    in_item = 0
    quote_depth = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = (tok.map[0] + 1) if tok.map else 0
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type == "list_item_open":
            in_item += 1
            number = tok.info if tok.info and tokens[i].markup in (".", ")") else ""
            item_line = line
            # the item's text is its first paragraph's inline token
            j = i + 1
            while j < len(tokens) and tokens[j].type != "inline" and tokens[j].type != "list_item_close":
                j += 1
            if j < len(tokens) and tokens[j].type == "inline":
                content = _inline(tokens[j].content, refs)
                prefix = f"{number}. " if number else ""
                if content:
                    first, *rest = _split_bold_lead("item", content, max(0, list_depth), item_line)
                    blocks.append(Block("item", prefix + first.text, level=first.level, line=item_line))
                    blocks.extend(rest)
                tokens[j] = Token("text", "", 0)  # consumed
        elif tok.type == "list_item_close":
            in_item -= 1
        elif tok.type == "blockquote_open":
            quote_depth += 1
            j = i + 1
            parts = []
            depth = 1
            while j < len(tokens) and depth:
                if tokens[j].type == "blockquote_open":
                    depth += 1
                elif tokens[j].type == "blockquote_close":
                    depth -= 1
                elif tokens[j].type == "inline":
                    parts.append(_inline(tokens[j].content, refs))
                elif tokens[j].type in ("fence", "code_block"):
                    parts.append(f"```\n{tokens[j].content.rstrip()}\n```")
                j += 1
            blocks.append(Block("quote", "\n\n".join(p for p in parts if p), line=line))
            quote_depth -= 1
            i = j
            continue
        elif tok.type == "heading_open":
            inline = tokens[i + 1]
            blocks.append(Block("heading", _inline(inline.content, refs), level=int(tok.tag[1]), line=line))
            i += 3
            continue
        elif tok.type == "paragraph_open" and not in_item:
            content = _inline(tokens[i + 1].content, refs)
            if _TOC.match(content):
                removals.append(Removal("markdown-toc-placeholder", content, line))
            elif is_nav_links(content):
                removals.append(Removal("markdown-nav-links", content, line))
            elif content:
                for offset, kind, part in _numbered_lines(content):
                    if kind == "item":
                        blocks.append(Block("item", part, line=line + offset))
                    else:
                        blocks.extend(_split_bold_lead("para", part, 0, line + offset))
            i += 3
            continue
        elif tok.type == "paragraph_open" and in_item:
            content = _inline(tokens[i + 1].content, refs)
            if content:
                blocks.append(Block("para", content, level=max(0, list_depth) + 1, line=line))
            i += 3
            continue
        elif tok.type == "hr" and not in_item and not quote_depth:
            # recorded so that extraction can tell a postscript after the last rule from the last answer
            removals.append(Removal(THEMATIC_BREAK, tok.markup, line))
        elif tok.type in ("fence", "code_block"):
            lang = tok.info.strip().split(" ")[0] if tok.info else ""
            blocks.append(Block("code", tok.content.rstrip("\n"), lang=lang, line=line))
        elif tok.type == "table_open":
            table, i = _table(tokens, i)
            if table.text:
                blocks.append(Block("table", table.text, line=line))
        elif tok.type == "html_block":
            html_blocks, html_removals = parse_html(tok.content, drop)
            blocks.extend(Block(b.kind, b.text, b.level, b.lang, line, b.answer) for b in html_blocks
                          if not (b.kind == "heading" and b.level == 1 and not tok.content.lower().count("<h1")))
            removals.extend(html_removals)
        i += 1
    return blocks, removals
