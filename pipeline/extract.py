"""Segment a cleaned page into question/answer items: sections, bilingual pairs, question-only items."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import pairwise

from pipeline.answers import (
    block_markdown,
    damage,
    is_label,
    is_link_only,
    join_markdown,
    split_fused_heading,
    strip_label,
)
from pipeline.clean import is_question_block
from pipeline.config import Rules
from pipeline.models import Block, CleanPage, ItemFlag, QAItem, Removal, Repair, SourceItems
from pipeline.parse_markdown import THEMATIC_BREAK
from pipeline.questions import (
    is_question_text,
    line_lang,
    numbering,
    section_title,
    split_fused,
    strip_marker,
    strip_markup,
    unlink,
    unquote,
    whole_emphasis,
)
from pipeline.selfcheck import Asked, check_page
from pipeline.signature import Role, body_outscores_headings, is_reveal_label, score_signatures


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


def _parent_number(num: str, child: str) -> bool:
    return child.startswith(num + ".") and child.count(".") == num.count(".") + 1


def _question_level(blocks: list[Block], rules: Rules) -> int:
    """The heading level that holds questions on this page (0 when questions are not headings)."""
    levels = Counter(b.level for b in blocks if b.kind == "heading" and is_question_block(b, rules))
    if not levels:
        return 0
    level, count = max(levels.items(), key=lambda kv: (kv[1], -kv[0]))
    return level if count >= 2 or len(levels) == 1 else 0


def _parse_question(block: Block, rules: Rules) -> tuple[str, str, str, str]:
    """(question, inline answer, printed number, numbering style) of a question block."""
    text = strip_markup(block.text)
    arrow = rules.structure.arrow_answer.match(block.text.strip()) if block.kind in ("para", "item") else None
    if arrow:  # "“question?” → answer" (the answer keeps its markup)
        return strip_markup(arrow.group("question")), arrow.group("answer").strip(), "", "arrow"
    if block.kind == "qa":  # a collapsed block's summary may carry the question's number ("3. What ...")
        found = numbering(text, rules.structure)
        return (found.rest, "", found.num, "qa") if found and found.rest else (text, "", "", "qa")
    for marker in rules.structure.question_markers:
        match = marker.match(text)
        if match:
            rest = text[match.end() :].strip()
            if block.kind == "heading" or whole_emphasis(unlink(block.text)):
                return rest, "", "", "marker"  # the heading or the bold run is the whole question
            question, inline = split_fused(rest, rules.structure)
            return question or rest, inline, "", "marker"
    found = numbering(text, rules.structure)
    if found is None:
        if block.kind == "heading" or whole_emphasis(unlink(block.text)):
            return text, "", "", "heading"
        question, inline = split_fused(text, rules.structure)  # "- 数据倾斜如何处理？采样重加权…"
        return question or text, inline, "", "plain"
    if block.kind == "heading" or whole_emphasis(unlink(block.text)):
        rest = strip_marker(found.rest, rules.structure)[0] if block.kind == "heading" else found.rest
        return rest, "", found.num, found.style  # the heading or the bold run is the whole question
    if whole_emphasis(unlink(found.rest)):  # "5. **请比较…。**": the bold run after the number is the question
        return strip_marker(found.rest, rules.structure)[0], "", found.num, found.style
    rest = strip_marker(found.rest, rules.structure)[0]  # "1. **Q: Explain HyDE.**"
    question, inline = split_fused(rest, rules.structure)
    if not question and len(rest) <= rules.structure.max_question_chars:
        question = rest  # a question by its form (marker, question numbering, place in the sequence)
    return question, inline, found.num, found.style


def _single_question(blocks: list[Block], rules: Rules) -> Block | None:
    """The question of a page that answers one question: its title is the question, the rest the answer
    (a question-like sub-heading inside the answer aside)."""
    headings = [b for b in blocks if b.kind == "heading"]
    questions = [b for b in blocks if is_question_block(b, rules)]
    if not headings or not questions or questions[0] is not headings[0] or len(questions) > 2:
        return None
    top = headings[0]
    if any(h.level <= top.level for h in headings[1:]) or (len(questions) == 2 and questions[1].kind != "heading"):
        return None
    return top


def infer_roles(blocks: list[Block], rules: Rules) -> list[Role]:
    """The role of each block on the page: question, section, reference section, content, title..."""
    single = _single_question(blocks, rules)
    if single is not None:
        return [Role.QUESTION if b is single else Role.CONTENT for b in blocks]
    q_level = _question_level(blocks, rules)
    body_won = bool(q_level) and body_outscores_headings(score_signatures(blocks, rules), q_level, rules)
    if body_won:
        q_level = 0  # numbered/marked paragraphs carry the questions; headings are sections or answer parts
    title = _page_title(blocks, rules)
    # numbering styles of question headings: a numbered heading in that style is a question even without "?"
    q_styles = {found.style for b in blocks if b.kind == "heading" and b.level == q_level
                and is_question_block(b, rules) and (found := numbering(strip_markup(b.text), rules.structure))}
    explicit_styles = q_styles & rules.structure.question_numbering
    # styles like "一、" are questions only on pages that number no question in another style
    question_styles = {found.style for b in blocks if b.kind in ("para", "item") and is_question_block(b, rules)
                       and (found := numbering(strip_markup(b.text), rules.structure))}
    numerals_are_sections = bool(question_styles - rules.structure.section_numbering)
    # collapsed blocks (<details>) carry the questions when most of them read as questions or nothing else does;
    # elsewhere one whose summary is not a question ("Deep dive: ...") is part of the answer around it
    qa_blocks = [b for b in blocks if b.kind == "qa"]
    qa_carrier = 2 * sum(is_question_text(b.text, rules.structure) for b in qa_blocks) >= len(qa_blocks) or \
        not any(is_question_block(b, rules) for b in blocks if b.kind != "qa")
    roles: list[Role] = []
    last_num: dict[str, float] = {}
    list_next = 0  # after "The steps:", the number the announced list continues with (0: no such list)
    numbered_next = False  # the previous block was only a question number: this one is the question
    for block in blocks:
        role = Role.CONTENT
        if numbered_next and block.kind in ("para", "item", "heading"):
            numbered_next = False
            roles.append(Role.QUESTION)
            continue
        if block.kind in ("para", "heading") and rules.structure.number_only.match(strip_markup(block.text)):
            numbered_next = True
            roles.append(Role.QNUMBER)
            continue
        listed = numbering(block.text, rules.structure)
        continues_list = bool(list_next and listed and listed.num == str(list_next)
                              and not block.text.rstrip().endswith(("?", "？")))
        if block is title:
            role = Role.TITLE
        elif block.kind == "heading":
            if rules.structure.non_question_sections.match(block.text):
                role = Role.REFSECTION
            elif q_level and (block.level == q_level or _styled(block, explicit_styles, rules)) and \
                    (is_question_block(block, rules) or _styled(block, q_styles, rules) or
                     (block.level == q_level and _long_question_heading(block, rules))):
                role = Role.QUESTION  # "## Q23:" among "### Q1:" questions: an explicit question style at any level
            elif q_level and block.level == q_level and Role.QUESTION in roles and roles[-1] != Role.SECTION and \
                    not section_title(block.text, rules.structure):
                role = Role.CONTENT  # "### 代码示例" between numbered "### N. ...?" questions: part of the answer
            elif body_won and Role.QUESTION in roles and is_question_block(block, rules):
                role = Role.CONTENT  # a question-like heading inside an answer restates part of that question
            elif not q_level or block.level <= q_level:
                role = Role.QUESTION if not q_level and _numbered_question(block, rules) else Role.SECTION
        elif block.kind == "qa":
            aside = not is_question_text(block.text, rules.structure) and not qa_carrier
            role = Role.CONTENT if is_reveal_label(block.text, rules) or aside else Role.QUESTION
        elif section_title(block.text, rules.structure) and block.kind == "para" and (
                numerals_are_sections or not is_question_block(block, rules)):
            role = Role.SECTION
        elif not q_level and is_question_block(block, rules) and not continues_list:
            role = Role.QUESTION
            found = numbering(strip_markup(block.text), rules.structure)
            if found is not None and re.fullmatch(r"\d+", found.num):
                num, last = float(found.num), last_num.get(found.style, 0)
                if num < last:  # numbering going back (a restart at 1 too) inside one section: answer points
                    role = Role.CONTENT
                else:
                    last_num[found.style] = num
        if role == Role.SECTION:
            last_num.clear()
        if block.kind in ("para", "item") and role == Role.CONTENT and block.text.rstrip().endswith((":", "：")):
            list_next = 1
        elif role == Role.CONTENT and continues_list:
            list_next += 1
        else:
            list_next = 0
        roles.append(role)
    # a numbered non-question line that is the parent of the next question ("1.Attention" before "1.1 ...")
    for i, (block, role) in enumerate(zip(blocks, roles, strict=True)):
        if role != Role.CONTENT or i + 1 >= len(blocks) or roles[i + 1] != Role.QUESTION:
            continue
        mine, nxt = numbering(block.text, rules.structure), numbering(blocks[i + 1].text, rules.structure)
        if mine and nxt and _parent_number(mine.num, nxt.num):
            roles[i] = Role.SECTION
    _question_section_items(blocks, roles, rules)
    if q_level:
        _follow_ups(blocks, roles, rules)
        _answered_sections(blocks, roles, rules)
        _statement_questions(blocks, roles, q_level, rules)
    else:
        _fill_sequence(blocks, roles, rules)
    if Role.QUESTION not in roles:  # casual notes: unnumbered lines that end with "?" are the questions
        for i, block in enumerate(blocks):
            ends = block.text.rstrip().endswith(("?", "？"))
            if roles[i] == Role.CONTENT and block.kind in ("para", "item") and block.level == 0 and ends and \
                    is_question_text(block.text, rules.structure):
                roles[i] = Role.QUESTION
    for i, block in enumerate(blocks):  # "“question?” → answer" after the first question: a follow-up probe
        if roles[i] == Role.CONTENT and block.kind in ("para", "item") and Role.QUESTION in roles[:i] and \
                rules.structure.arrow_answer.match(block.text.strip()):
            roles[i] = Role.QUESTION
    asked = False
    for i, block in enumerate(blocks):  # "#### Options", "#### Answer" after a question: parts of its answer
        asked = asked or roles[i] == Role.QUESTION
        if asked and block.kind == "heading" and roles[i] == Role.SECTION and \
                rules.structure.answer_part_headings.match(strip_markup(block.text)):
            roles[i] = Role.CONTENT
    return roles


def _shape(block: Block, rules: Rules) -> tuple[str, str, bool] | None:
    """A numbered paragraph or item's form: kind, numbering style, whole-line emphasis."""
    found = numbering(strip_markup(block.text), rules.structure)
    if block.kind not in ("para", "item") or found is None or not found.num.isdigit():
        return None
    return block.kind, found.style, whole_emphasis(unlink(block.text))


def _fill_sequence(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """A numbered line in the very form of the questions around it, whose number is the one missing between
    them ("**7. How…?**", "**8. Briefly explain…**", "**9. How…?**"), is a question even if it does not read as one."""
    asked = [i for i, r in enumerate(roles) if r is Role.QUESTION and _shape(blocks[i], rules) is not None]
    for before, after in pairwise(asked):
        shape = _shape(blocks[before], rules)
        if shape != _shape(blocks[after], rules):
            continue
        first = numbering(strip_markup(blocks[before].text), rules.structure)
        last = numbering(strip_markup(blocks[after].text), rules.structure)
        if first is None or last is None or int(last.num) - int(first.num) < 2:
            continue
        expected = int(first.num) + 1
        for i in range(before + 1, after):
            text = strip_markup(blocks[i].text)
            found = numbering(text, rules.structure)
            if roles[i] is Role.CONTENT and _shape(blocks[i], rules) == shape and found and \
                    found.num == str(expected) and len(text) <= rules.structure.max_question_chars:
                roles[i] = Role.QUESTION
                expected += 1


def _follow_ups(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """Inside an answer, a marked question ("追问：…？", "Q: …") followed by its own answer is a question too."""
    asked = False
    for i, block in enumerate(blocks):
        if roles[i] == Role.QUESTION:
            asked = True
            continue
        if roles[i] in (Role.SECTION, Role.REFSECTION):
            asked = False
        if not asked or roles[i] != Role.CONTENT or block.kind not in ("para", "heading") or i + 1 >= len(blocks):
            continue
        if roles[i - 1] == Role.QUESTION and blocks[i - 1].kind == "heading":
            continue  # right under a question heading: the real question of a topic heading (see _topic_heading)
        nxt = blocks[i + 1]
        if _explicitly_asked(block, rules) and roles[i + 1] == Role.CONTENT and \
                nxt.kind in ("para", "item", "code", "table", "quote") and \
                not strip_marker(nxt.text, rules.structure)[1]:
            roles[i] = Role.QUESTION


def _question_section_items(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """In a section titled as questions ("面试高频追问", "FAQ"), a top-level list item asking a question with its
    answer on the same line ("- 数据倾斜如何处理？采样重加权、…") is a question."""
    asking = False
    for i, block in enumerate(blocks):
        if roles[i] in (Role.SECTION, Role.REFSECTION) or (block.kind == "heading" and roles[i] != Role.QUESTION):
            asking = roles[i] == Role.SECTION and bool(rules.structure.question_sections.search(block.text))
            continue
        if not asking or roles[i] != Role.CONTENT or block.kind != "item" or block.level:
            continue
        question, answer = split_fused(strip_markup(block.text), rules.structure)
        if question.rstrip().endswith(("?", "？")) and answer:
            roles[i] = Role.QUESTION


def _explicitly_asked(block: Block, rules: Rules) -> bool:
    """Marked as a question ("追问：…", "Q: …") or, for a sub-heading, numbered in a question style ("#### Q1: …")."""
    text = strip_markup(block.text)
    if strip_marker(text, rules.structure)[1]:
        return True
    found = numbering(text, rules.structure)
    return block.kind == "heading" and found is not None and found.style in rules.structure.question_numbering


def _answered_sections(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """A section heading that reads as a question and holds an answer of its own, with no question under it
    ("### ELMO的缺点" among "### ELMO" topics of "####" questions), is a question."""
    for i, block in enumerate(blocks):
        if roles[i] != Role.SECTION or block.kind != "heading" or i + 1 >= len(blocks) or \
                blocks[i + 1].kind == "heading" or not is_question_block(block, rules) or \
                section_title(block.text, rules.structure):
            continue
        end = next((j for j in range(i + 1, len(blocks)) if blocks[j].kind == "heading"
                    and blocks[j].level <= block.level), len(blocks))
        if all(r == Role.CONTENT for r in roles[i + 1 : end]) and "question" in roles[:i]:
            roles[i] = Role.QUESTION


def _statement_questions(blocks: list[Block], roles: list[Role], level: int, rules: Rules) -> None:
    """When most headings of the questions' level read as questions, one that only states its topic ("逻辑回归的目的")
    in the same numbering shape, with an answer of its own and no question under it, is a question too."""
    members = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == level and roles[i] != Role.TITLE]
    asked = [i for i in members if roles[i] == Role.QUESTION]
    if len(asked) < rules.structure.signature.min_questions or \
            len(asked) < rules.structure.signature.statement_share * len(members):
        return
    numbered = 2 * sum(numbering(strip_markup(blocks[i].text), rules.structure) is not None for i in asked) > len(asked)
    never = (rules.structure.non_question_sections, rules.structure.answer_part_headings,
             rules.structure.not_statement_questions)
    for i in members:
        text = strip_markup(blocks[i].text)
        found = numbering(text, rules.structure)
        topic = found.rest if found else text
        if roles[i] not in (Role.SECTION, Role.CONTENT) or (found is not None) != numbered or \
                len(topic) > rules.structure.max_question_chars or section_title(blocks[i].text, rules.structure) or \
                any(pattern.match(topic) for pattern in never):
            continue
        end = next((j for j in range(i + 1, len(blocks)) if blocks[j].kind == "heading"
                    and blocks[j].level <= level), len(blocks))
        span = range(i + 1, end)
        if any(blocks[j].kind != "heading" for j in span) and all(roles[j] == Role.CONTENT for j in span):
            roles[i] = Role.QUESTION


def _page_title(blocks: list[Block], rules: Rules) -> Block | None:
    """The page's title: the first heading, alone at the top level (and not itself a question)."""
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings:
        return None
    top = min(b.level for b in headings)
    tops = [b for b in headings if b.level == top]
    questions = [b for b in blocks if is_question_block(b, rules)]
    first_question = questions[0] if questions else None
    if len(tops) != 1 or tops[0] is not headings[0] or first_question is None:
        return None
    if questions[0] is tops[0] and len(questions) <= 2:
        return None  # a page answering the one question in its title (see _single_question)
    if blocks.index(tops[0]) > blocks.index(first_question):
        return None
    return tops[0] if len(headings) > 1 or not is_question_block(tops[0], rules) else None


def _long_question_heading(block: Block, rules: Rules) -> bool:
    """A heading that ends with a question mark is a question up to a longer limit than a line of prose."""
    text = strip_markup(block.text)
    return text.endswith(("?", "？")) and len(text) <= rules.structure.max_heading_question_chars


def _styled(block: Block, styles: set[str], rules: Rules) -> bool:
    found = numbering(strip_markup(block.text), rules.structure)
    return found is not None and found.style in styles


def _numbered_question(block: Block, rules: Rules) -> bool:
    found = numbering(strip_markup(block.text), rules.structure)
    return found is not None and is_question_text(found.rest, rules.structure)


def _section_name(block: Block, rules: Rules) -> str:
    title = section_title(block.text, rules.structure)
    if title:
        return title
    found = numbering(block.text, rules.structure)
    return strip_markup(found.rest if found else block.text)


def item_id(question: str) -> str:
    """An item id from the question's normalized text (not its printed number)."""
    norm = re.sub(r"\W+", "", unicodedata.normalize("NFKC", question).lower())
    return "q" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:10]


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
            section = "" if in_refsection else _section_name(block, rules)
            # a sibling question heading ends an ordinary section heading, not an explicit one ("二、进阶")
            explicit = bool(section_title(block.text, rules.structure))
            section_level = block.level if block.kind == "heading" and not explicit else 0
            if drafts:
                drafts.append(_Draft("", "", "", section, block.line))  # closes the previous answer
            continue
        if role == Role.QUESTION and block.kind == "heading" and section_level and block.level <= section_level:
            in_refsection, section, section_level = False, "", 0  # a sibling of the section heading, not inside it
        if role == Role.QUESTION and not in_refsection:
            question, inline, number, style = _parse_question(block, rules)
            question = unquote(question)
            if drafts and drafts[-1].question:
                _split_glued_heading(drafts[-1], repairs, blocks[i].line)
                section = drafts[-1].next_section or section
            drafts.append(_Draft(question, number, style, section, block.line, inline, [], block.answer,
                                 heading=block.kind == "heading", block=block))
            continue
        if drafts and _topic_heading(drafts[-1], block, rules):
            continue
        if drafts and drafts[-1].question and role not in (Role.TITLE, Role.QNUMBER):
            drafts[-1].blocks.append(block)
        else:
            reason = "reference-section" if in_refsection else ("section-intro" if drafts else "preamble")
            if role in (Role.TITLE, Role.QNUMBER):
                reason = "page-title" if role == Role.TITLE else "question-number"
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


def _pair_bilingual(drafts: list[_Draft], page_lang: str) -> list[tuple[_Draft, _Draft | None]]:
    """Join a question immediately followed by its twin in the other language (same number)."""
    pairs: list[tuple[_Draft, _Draft | None]] = []
    i = 0
    while i < len(drafts):
        cur = drafts[i]
        nxt = drafts[i + 1] if i + 1 < len(drafts) else None
        if nxt is not None and not cur.blocks and not cur.inline_answer and cur.number == nxt.number and \
                cur.line and nxt.line - cur.line <= 2 and line_lang(cur.question) != line_lang(nxt.question):
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
    pairs = _pair_bilingual(drafts, page_lang)
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
