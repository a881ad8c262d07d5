"""Clean a raw page: parse it into blocks, repair damage, remove junk by rule, cut the promo tail."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial

from pipeline.config import Rules
from pipeline.models import Block, CleanPage, RawPage, Removal, Repair
from pipeline.parse_html import parse_html
from pipeline.parse_markdown import parse_markdown
from pipeline.parse_text import parse_text
from pipeline.pdf_traces import drop_page_numbers, mend_hyphen_breaks
from pipeline.questions import is_question_text, looks_like_question_line, numbering, section_title, strip_markup
from pipeline.repair import repair_doubled_math, repair_entities, repair_katex
from pipeline.tables import table_rows

_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_ENUMERATOR = re.compile(r"^\s*([(（]\s*\d+\s*[)）]|[①-⑩]|\d+\s*[、.．)])")
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u3000]+")
_TEXT_KINDS = ("para", "item", "heading", "quote", "table", "qa")


def _repair_blocks(blocks: list[Block]) -> tuple[list[Block], list[Repair]]:
    out: list[Block] = []
    repairs: list[Repair] = []
    for block in blocks:
        if block.kind == "code":
            out.append(block)
            continue
        text, answer = block.text, block.answer
        for fix in (repair_entities, repair_katex, repair_doubled_math):
            text, found = fix(text)
            repairs.extend(Repair(rule, before, after, block.line) for rule, before, after in found)
            if answer:
                answer, found = fix(answer)
                repairs.extend(Repair(rule, before, after, block.line) for rule, before, after in found)
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()
        if text or answer:
            out.append(replace(block, text=text, answer=answer))
    return out, repairs


def _faq_tables(blocks: list[Block], rules: Rules) -> list[Block]:
    """A table with a question column and an answer column (question | answer, question | what it tests | answer
    sketch) becomes one Q&A pair per row; another column's cell follows the answer under its header."""
    out: list[Block] = []
    for block in blocks:
        rows = table_rows(block.text) if block.kind == "table" else []
        header = rows[0] if rows else []
        ask = next((i for i, h in enumerate(header) if rules.structure.faq_question.match(h.strip())), None)
        tell = next((i for i, h in enumerate(header) if rules.structure.faq_answer.match(h.strip())), None)
        if ask is None or tell is None or ask == tell:
            out.append(block)
            continue
        for row in rows[1:]:
            if len(row) != len(header) or not row[ask].strip():
                continue
            extras = [f"**{header[i].strip()}:** {cell.strip()}" for i, cell in enumerate(row)
                      if i not in (ask, tell) and cell.strip() and header[i].strip()]
            answer = "\n\n".join([row[tell].strip(), *extras]) if row[tell].strip() else ""
            out.append(Block("qa", row[ask].strip(), line=block.line, answer=answer))
    return out


def _drop_spans(blocks: list[Block], rules: Rules) -> tuple[list[Block], list[Removal]]:
    out: list[Block] = []
    removals: list[Removal] = []
    for block in blocks:
        text = block.text
        if block.kind != "code":
            for rule in rules.junk.drop_span:
                for match in rule.regex.finditer(text):
                    removals.append(Removal(rule.name, match.group(0), block.line))
                text = rule.regex.sub("", text)
        if text.strip() or block.answer:
            out.append(replace(block, text=text.strip()))
    return out, removals


def _drop_blocks(blocks: list[Block], rules: Rules) -> tuple[list[Block], list[Removal]]:
    out: list[Block] = []
    removals: list[Removal] = []
    for block in blocks:
        rule = None
        if block.kind in _TEXT_KINDS:
            rule = next((r for r in rules.junk.drop_block if r.matches(block.text)), None)
        if rule is not None:
            removals.append(Removal(rule.name, block.text, block.line))
        elif out and _echoes(out[-1], block, rules):
            removals.append(Removal("repeated-line", block.text, block.line))
            if out[-1].kind == block.kind == "para":  # a copied accordion's title: a collapsed block, as <details>
                out[-1] = replace(out[-1], kind="qa")
        elif out and _glued_echo(out[-1], block, rules):
            # "…of RNN/LSTM.3. Tokenization" over "3. Tokenization": the panel's last line took the title's first copy
            removals.append(Removal("repeated-line", block.text, block.line))
            out[-1] = replace(out[-1], text=out[-1].text[: -len(block.text.strip())].rstrip())
            out.append(replace(block, kind="qa"))
        else:
            out.append(block)
    return out, removals


def _glued_echo(prev: Block, block: Block, rules: Rules) -> bool:
    """A copied accordion's title whose first copy was glued to the end of the line above: that line ends with this
    numbered line's whole text ("…problem of RNN/LSTM.3. Tokenization" then "3. Tokenization")."""
    text = block.text.strip()
    if block.kind != "para" or prev.kind != "para" or len(text) <= 3 or "\n" in text:
        return False
    head = prev.text.strip()[: -len(text)] if prev.text.strip().endswith(text) else ""
    return bool(head.strip()) and numbering(strip_markup(text), rules.structure) is not None


def _echoes(prev: Block, block: Block, rules: Rules) -> bool:
    """A title printed twice in a row, as a copied accordion prints it on the button and again over the panel
    ("3. Tokenization" / "3. Tokenization"): a heading, or a line numbered or asking like a question. Two equal
    lines of plain text are content (an answer may repeat a line on purpose)."""
    text = block.text.strip()
    if block.kind not in ("para", "heading") or prev.kind not in ("para", "heading") or text != prev.text.strip() \
            or len(text) <= 3:
        return False
    if "heading" in (block.kind, prev.kind):
        return True
    plain = strip_markup(text)
    return numbering(plain, rules.structure) is not None or is_question_text(plain, rules.structure)


def is_question_block(block: Block, rules: Rules) -> bool:
    """Whether a block opens a question: a structured pair, a question heading or a numbered question."""
    if block.kind == "qa":
        return True
    if block.kind == "heading":
        found = numbering(strip_markup(block.text), rules.structure)
        return is_question_text(found.rest if found else block.text, rules.structure)
    if block.kind == "quote" and "\n" in block.text.strip():
        return False  # a quoted passage, not a question set off as a one-line quote ("> 1、…？")
    return block.kind in ("para", "item", "quote") and looks_like_question_line(block.text, rules.structure)


def _asks_own(block: Block, rules: Rules) -> str | None:
    """The printed number of the question a block opens ("" when it has none), None when it opens no question."""
    if not is_question_block(block, rules):
        return None
    found = numbering(strip_markup(block.text), rules.structure)
    return found.num if found else ""


def _truncate_tail(blocks: list[Block], rules: Rules) -> tuple[list[Block], list[Removal]]:
    """Once questions have started, an end-of-content marker starts the postamble: cut it all."""
    first = next((i for i, b in enumerate(blocks) if is_question_block(b, rules)), None)
    if first is None:
        return blocks, []
    for i in range(first + 1, len(blocks)):
        block = blocks[i]
        if block.kind not in ("para", "heading", "item"):
            continue
        rule = next((r for r in rules.junk.end_of_content if r.matches(block.text)), None)
        if rule is not None:
            removals = [Removal(rule.name if j == i else f"{rule.name} (postamble)", b.text, b.line)
                        for j, b in enumerate(blocks[i:], i)]
            return blocks[:i], removals
    return blocks, []


def _continues(a: Block, b: Block, rules: Rules) -> bool:
    """Is `b` the rest of line `a`, broken in the middle of a word or term?"""
    if a.kind not in ("para", "item") or b.kind != "para" or b.line != a.line + 1:
        return False
    if len(a.text) < 20 or not _CJK_CHAR.match(a.text[-1]) or not _CJK_CHAR.match(b.text[0]):
        return False
    if _ENUMERATOR.match(a.text) and a.kind == "para":
        return False
    if b.text.rstrip().endswith((":", "：")) or numbering(b.text, rules.structure):
        return False
    if section_title(b.text, rules.structure):
        return False
    return not any(label.match(b.text) for label in rules.structure.answer_labels)


def _join_lines(blocks: list[Block], rules: Rules, fmt: str) -> tuple[list[Block], list[Repair]]:
    """Rejoin a term cut from its colon (any format) and plain-text lines broken mid-word (text pages only:
    in HTML and Markdown separate blocks are separate paragraphs)."""
    out: list[Block] = []
    repairs: list[Repair] = []
    for block in blocks:
        prev = out[-1] if out else None
        if prev is not None and block.kind == "para" and block.text[:1] in (":", "：") and \
                prev.kind in ("para", "item") and not prev.text.endswith((":", "：", "。")) and \
                0 < block.line - prev.line <= 3:
            joined = prev.text + block.text
            repairs.append(Repair("term-colon-rejoined", f"{prev.text} / {block.text}", joined, block.line))
            out[-1] = replace(prev, text=joined)
            continue
        if prev is not None and fmt == "txt" and _continues(prev, block, rules):
            joined = prev.text + block.text
            repairs.append(Repair("broken-line-joined", f"{prev.text[-12:]} / {block.text[:12]}",
                                  prev.text[-12:] + block.text[:12], block.line))
            out[-1] = replace(prev, text=joined, line=block.line)
            continue
        out.append(block)
    return out, repairs


def clean_page(raw: RawPage, rules: Rules) -> CleanPage:
    """Turn a raw page into structured, junk-free blocks, recording every removal and repair."""
    removals: list[Removal] = []
    if raw.fmt == "html":
        blocks, removals = parse_html(raw.text, rules.junk.html_drop, rules.junk.drop_block + rules.junk.end_of_content,
                                      page=True, asks=lambda text: is_question_text(text, rules.structure))
    elif raw.fmt == "md":
        blocks, removals = parse_markdown(raw.text, rules.junk.html_drop)
    else:
        blocks = parse_text(raw.text, rules.structure.bullets)
    blocks, repairs = _repair_blocks(_faq_tables(blocks, rules))
    blocks, spans = _drop_spans(blocks, rules)
    blocks, tail = _truncate_tail(blocks, rules)
    blocks, dropped = _drop_blocks(blocks, rules)
    blocks, pages, page_joins = drop_page_numbers(blocks, rules.junk.pdf_export, partial(_asks_own, rules=rules))
    blocks, hyphens = mend_hyphen_breaks(blocks, rules.junk.pdf_export, exported=bool(pages))
    blocks, joins = _join_lines(blocks, rules, raw.fmt)
    lines_in = sum(1 for line in raw.text.split("\n") if line.strip())
    return CleanPage(
        slug=raw.slug,
        filename=raw.filename,
        fmt=raw.fmt,
        encoding=raw.encoding,
        meta=raw.meta,
        lines_in=lines_in,
        blocks=tuple(blocks),
        removals=tuple(removals + spans + dropped + tail + pages),
        repairs=tuple(repairs + page_joins + hyphens + joins),
    )
