"""Segment a cleaned page into question/answer items: sections, bilingual pairs, question-only items."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from pipeline.answers import (
    block_markdown,
    damage,
    is_label,
    is_link_only,
    join_markdown,
    split_fused_heading,
    strip_label,
)
from pipeline.config import Rules
from pipeline.models import Block, CleanPage, ItemFlag, QAItem, Removal, Repair, SourceItems
from pipeline.parse_markdown import THEMATIC_BREAK
from pipeline.questions import (
    is_question_text,
    line_lang,
    section_title,
    split_fused,
    strip_marker,
    strip_markup,
    unquote,
)
from pipeline.roles import infer_roles, parse_question, section_name
from pipeline.selfcheck import Asked, check_page
from pipeline.signature import Role, is_reveal_label

SUBHEADING = 4  # the level of a heading that opens an answer when the page gives none

@dataclass
class _Draft:
    """A question being assembled (mutable while its answer blocks are collected)."""

    question: str
    number: str
    style: str
    section: str
    line: int
    inline_answer: str = ""
    blocks: list[Block] = field(default_factory=list)
    qa_answer: str = ""
    next_section: str = ""
    heading: bool = False  # the question is a heading (a marked line right under it may be the real question)
    block: Block | None = None  # the block that asked the question


def item_id(question: str) -> str:
    """An item id from the question's normalized text (not its printed number)."""
    norm = _normalized(question)
    return "q" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:10]


# roles of blocks that never join an answer, with the reason their removal is recorded under
_NOT_CONTENT = {Role.TITLE: "page-title", Role.QNUMBER: "question-number", Role.REVEAL: "reveal-label",
                Role.TOC: "table-of-contents", Role.LABEL: "question-card-title"}


def _segment(page: CleanPage, rules: Rules) -> tuple[list[_Draft], list[Removal], list[Repair]]:
    blocks = list(page.blocks)
    roles = infer_roles(blocks, rules)
    drafts: list[_Draft] = []
    dropped: list[Removal] = []
    repairs: list[Repair] = []
    section = ""
    section_level = 0  # heading level of the current section (0: a plain-text section line)
    in_refsection = False
    for i, (block, role) in enumerate(zip(blocks, roles, strict=True)):
        if role in (Role.SECTION, Role.REFSECTION):
            in_refsection = role == Role.REFSECTION
            section = "" if in_refsection else section_name(block, rules)
            # a sibling question heading ends an ordinary section heading, not an explicit one ("二、进阶")
            explicit = bool(section_title(block.text, rules.structure))
            section_level = block.level if block.kind == "heading" and not explicit else 0
            if drafts:
                drafts.append(_Draft("", "", "", section, block.line))  # closes the previous answer
            continue
        if role == Role.QUESTION and block.kind == "heading" and section_level and block.level <= section_level:
            in_refsection, section, section_level = False, "", 0  # a sibling of the section heading, not inside it
        if role == Role.QUESTION and not in_refsection:
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            revealed = after is not None and after.kind == "qa" and is_reveal_label(after.text, rules)
            question, inline, number, style = parse_question(block, rules, revealed)
            question = unquote(question)
            if not question:  # a line that looked like a question but reads as none: accounted for, not lost
                dropped.append(Removal("unreadable-question", block.text[:300], block.line))
            if drafts and drafts[-1].question:
                _split_glued_heading(drafts[-1], repairs, blocks[i].line)
                section = drafts[-1].next_section or section
            drafts.append(_Draft(question, number, style, section, block.line, inline, [], block.answer,
                                 heading=block.kind == "heading", block=block))
            continue
        if drafts and _topic_heading(drafts[-1], block, rules):
            continue
        if drafts and drafts[-1].question and role not in _NOT_CONTENT:
            drafts[-1].blocks.append(block)
        else:
            reason = "reference-section" if in_refsection else ("section-intro" if drafts else "preamble")
            reason = _NOT_CONTENT.get(role, reason)
            dropped.append(Removal(reason, block.text[:300], block.line))
    return [d for d in drafts if d.question], dropped, repairs


def _topic_heading(draft: _Draft, block: Block, rules: Rules) -> bool:
    """A marked question right under a question heading ("### 子问题：微调实战" + "主问题：…？") is the real
    question: the heading only named the topic. Updates the draft and returns True when so."""
    if not draft.heading or draft.blocks or draft.inline_answer or block.kind != "para":
        return False
    text, marked = strip_marker(block.text, rules.structure)
    if not marked:
        return False
    question, inline = split_fused(text, rules.structure)
    draft.question, draft.inline_answer, draft.heading = question or text, inline, False
    return True


def _split_glued_heading(draft: _Draft, repairs: list[Repair], line: int) -> None:
    """A short heading glued to the end of the previous answer ('...部分。 大模型参数微调') is split off.

    It becomes the section of the questions that follow.
    """
    heading = ""
    if draft.blocks:
        last = draft.blocks[-1]
        if last.kind != "para":
            return
        body, heading = split_fused_heading(last.text)
        if heading:
            draft.blocks[-1] = Block(last.kind, body, last.level, last.lang, last.line)
    else:
        body, heading = split_fused_heading(draft.inline_answer)
        if heading:
            draft.inline_answer = body
    if heading:
        repairs.append(Repair("fused-heading-split", heading, f"section: {heading}", line))
        draft.next_section = heading


def _pair_bilingual(drafts: list[_Draft], page_lang: str, rules: Rules) -> list[tuple[_Draft, _Draft | None]]:
    """Join a question immediately followed by its twin in the other language: the same number, the same style,
    or a question itself ('### Q: 中文问题' over a plain '### Query, Key, Value' heading is a question and the
    first sub-heading of its answer)."""
    pairs: list[tuple[_Draft, _Draft | None]] = []
    i = 0
    while i < len(drafts):
        cur = drafts[i]
        nxt = drafts[i + 1] if i + 1 < len(drafts) else None
        if nxt is not None and not cur.blocks and not cur.inline_answer and cur.number == nxt.number and \
                cur.line and nxt.line - cur.line <= 2 and line_lang(cur.question) != line_lang(nxt.question):
            if not cur.number and cur.style != nxt.style and not is_question_text(nxt.question, rules.structure):
                # no twin: a plain heading under the question opens its answer
                level = nxt.block.level if nxt.block is not None and nxt.block.kind == "heading" else SUBHEADING
                heading = Block("heading", nxt.question, level, line_lang(nxt.question), nxt.line)
                pairs.append((_Draft(cur.question, cur.number, cur.style, cur.section, cur.line, nxt.inline_answer,
                                     [heading, *nxt.blocks], nxt.qa_answer), None))
                i += 2
                continue
            primary, alt = (cur, nxt) if line_lang(cur.question) == page_lang else (nxt, cur)
            merged = _Draft(primary.question, primary.number, primary.style, cur.section, cur.line,
                            nxt.inline_answer, nxt.blocks, nxt.qa_answer)
            pairs.append((merged, alt))
            i += 2
            continue
        pairs.append((cur, None))
        i += 1
    return pairs


def _answer_markdown(draft: _Draft, blocks: list[Block], rules: Rules) -> str:
    parts: list[str] = []
    if draft.qa_answer:
        parts.append(draft.qa_answer)
    if draft.inline_answer:
        text, variant = strip_label(draft.inline_answer, rules)
        parts.append(block_markdown(Block("para", text), rules))
    base = min((b.level for b in blocks if b.kind == "item"), default=0)  # an answer's lists start at level 0
    blocks = [replace(b, level=b.level - base) if b.kind == "item" else b for b in blocks]
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.kind == "qa":  # a reveal label ("Show Answer") inside an answer: only what it reveals is kept
            parts.append(block.answer)
            continue
        if index == 0 and draft.heading and block.kind == "heading" and is_reveal_label(block.text, rules):
            continue  # "### ✅ Answer" right under a question heading only introduces the answer below
        if index == 0 and block.kind == "item" and strip_label(block.text, rules)[0] != block.text:
            block = Block("para", block.text, 0, block.lang, block.line)  # "- **A:** ..." under the question
        if block.kind in ("para", "quote"):
            if index == 0 and not strip_label(block.text + " x", rules)[0].strip(" x*_"):
                continue  # a label alone on its line ("**Answer**", "答：") introduces the answer below
            text, variant = strip_label(block.text, rules)
            if variant == "" and (index > 0 or draft.inline_answer):
                text = block.text  # only the answer's first block starts with a plain label ("答案是…" stays)
            kind = "para" if text != block.text else block.kind  # "> 答：..." is the answer, not a quotation
            md = block_markdown(Block(kind, text, block.level, block.lang, block.line), rules)
            if following is not None and following.kind == "item" and is_label(text, rules):
                md = f"**{text}**"  # a short label over a list ("目的", "优点:") reads as a sub-heading
            parts.append(f"**{variant}:** {md}" if variant else md)
        else:
            parts.append(block_markdown(block, rules))
    return join_markdown(parts)


def extract(page: CleanPage, rules: Rules) -> SourceItems:
    """Every question on the page, with its answer, section and language(s)."""
    drafts, dropped, repairs = _segment(page, rules)
    dropped.extend(_cut_postscript(drafts, page, rules))
    page_lang = page.meta.lang or "zh"
    items: list[QAItem] = []
    seen: Counter[str] = Counter()
    pairs = _pair_bilingual(drafts, page_lang, rules)
    findings = check_page([Asked(d.question, d.number, d.style, d.section, d.line, d.block or Block("para", d.question),
                                 tuple(d.blocks)) for d, _ in pairs], _title(page), rules)
    for draft, alt in pairs:
        bilingual = alt is not None
        other = alt_lang(alt)
        blocks = draft.blocks
        if bilingual:  # a paragraph holding both languages line by line is split by line
            blocks = [replace(b, text=line) for b in blocks for line in
                      (b.text.split("\n") if b.kind == "para" else [b.text]) if line.strip()]
        main_blocks = [b for b in blocks if not bilingual or b.kind == "code" or line_lang(b.text) != other]
        main_blocks = _drop_restated_question(main_blocks, draft.question)
        if (_options_only(main_blocks, rules) or _placeholder_only(main_blocks, rules)) and \
                not draft.inline_answer and not draft.qa_answer:
            main_blocks = []  # the choices without the one that is right, or "...?": the question is unanswered
        alt_blocks = [b for b in blocks if bilingual and b.kind != "code" and line_lang(b.text) == other]
        answer = _answer_markdown(draft, main_blocks, rules)
        alt_answer = _answer_markdown(_Draft("", "", "", "", 0), alt_blocks, rules) if bilingual else ""
        flags: list[str] = []
        if not answer and not alt_answer:
            flags.append(ItemFlag.NO_ANSWER.value)
        elif is_link_only(answer or alt_answer, rules):
            flags.append(ItemFlag.LINK_ONLY.value)
        inline = bool(draft.inline_answer) and not draft.blocks
        for name in damage(main_blocks, answer, inline, rules) + damage(alt_blocks, alt_answer, False, rules):
            if ItemFlag.damaged(name) not in flags and (answer or alt_answer):
                flags.append(ItemFlag.damaged(name))
        flags.extend(ItemFlag.damaged(f.check) for f in findings if f.question == draft.question
                     and ItemFlag.damaged(f.check) not in flags)
        base = item_id(draft.question)
        seen[base] += 1
        ident = base if seen[base] == 1 else f"{base}-{seen[base]}"
        items.append(QAItem(
            id=ident,
            question=draft.question,
            answer=answer,
            section=draft.section,
            lang=line_lang(draft.question) or page_lang,
            number=draft.number,
            alt_lang=alt_lang(alt) if alt else "",
            alt_question=alt.question if alt else "",
            alt_answer=alt_answer,
            flags=tuple(flags),
            line=draft.line,
        ))
    junk = len(page.removals) + len(dropped)
    return SourceItems(page.slug, page.filename, page.meta, page.encoding, page.fmt, page.lines_in, junk,
                       tuple(items), tuple(dropped), tuple(repairs), tuple(findings))


def _cut_postscript(drafts: list[_Draft], page: CleanPage, rules: Rules) -> list[Removal]:
    """What follows the last thematic break after the last question, when it is short and holds no heading,
    code, table or question, is the page's postscript (a sign-off, promo, a footer), not the last answer."""
    if not drafts or not drafts[-1].blocks:
        return []
    last = drafts[-1]
    cut_refs: list[Removal] = []
    while len(last.blocks) > 1 and _reference_line(last.blocks[-1], rules):  # the page's references, at its end
        cut_refs.insert(0, Removal("page-references", last.blocks[-1].text[:300], last.blocks[-1].line))
        last.blocks.pop()
    breaks = sorted((r.line for r in page.removals if r.rule == THEMATIC_BREAK and r.line > last.line), reverse=True)
    for cut in breaks:
        head = [b for b in last.blocks if b.line < cut]
        tail = [b for b in last.blocks if b.line > cut]
        if tail:
            break
    else:
        return cut_refs
    settings = rules.structure.postscript
    if not head or len(tail) > settings.max_blocks or sum(len(b.text) for b in tail) > settings.max_chars or \
            any(b.kind in ("heading", "code", "table", "qa") or b.text.rstrip().endswith(("?", "？")) for b in tail):
        return cut_refs
    last.blocks = head
    return [Removal("postscript", b.text[:300], b.line) for b in tail] + cut_refs


def _normalized(text: str) -> str:
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", text).lower())


def _drop_restated_question(blocks: list[Block], question: str) -> list[Block]:
    """An answer that opens by repeating its question word for word loses that line (it is not part of the answer)."""
    if not blocks or blocks[0].kind != "para":
        return blocks
    first, _, rest = blocks[0].text.partition("\n")
    if not question or _normalized(strip_markup(first)) != _normalized(question):
        return blocks
    return ([replace(blocks[0], text=rest.strip())] if rest.strip() else []) + blocks[1:]


def _options_only(blocks: list[Block], rules: Rules) -> bool:
    """An "answer" that only lists a multiple-choice or true/false question's options ("A. …", "B. …")."""
    lines = [line.strip() for b in blocks for line in b.text.split("\n") if line.strip()]
    return len(lines) >= 2 and all(b.kind in ("para", "item") for b in blocks) and \
        all(rules.structure.choice_option.match(line) for line in lines)


def _placeholder_only(blocks: list[Block], rules: Rules) -> bool:
    """An "answer" that only holds a placeholder ("...?", "待补充", "**Answer:** _[To be filled]_"): nothing was
    written yet."""
    return bool(blocks) and all(b.kind in ("para", "item") and
                                rules.structure.answer_placeholder.match(strip_label(b.text.strip(), rules)[0])
                                for b in blocks)


def _reference_line(block: Block, rules: Rules) -> bool:
    """"参考: [url](url)", "References: <links>": a label over nothing but links."""
    match = rules.structure.reference_label.match(block.text.strip())
    return block.kind in ("para", "item") and match is not None and is_link_only(block.text[match.end() :], rules)


def _title(page: CleanPage) -> str:
    """The page's title as a reader sees it: the meta title, else the first heading."""
    first = next((b.text for b in page.blocks if b.kind == "heading"), "")
    return page.meta.title or first


def alt_lang(alt: _Draft | None) -> str:
    return line_lang(alt.question) if alt else ""
