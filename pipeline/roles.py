"""Which block of a page plays which role (title, section, question, content): the passes of structure inference
over a cleaned page's blocks, led by the page's best question signature."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from pipeline.answers import strip_label
from pipeline.clean import is_question_block
from pipeline.config import Rules
from pipeline.copied_layout import (
    card_labels,
    card_numbers,
    closing_section,
    copied_toc,
    numbers_next,
    outline_numbers,
    plain_sections,
    toc_sections,
)
from pipeline.models import Block
from pipeline.questions import (
    bold_then_answer,
    is_question_text,
    numbering,
    section_title,
    split_fused,
    strip_marker,
    strip_markup,
    unlink,
    unquote,
    whole_emphasis,
)
from pipeline.role_passes import (
    answered_sections,
    category_headings,
    fill_sequence,
    follow_ups,
    heads_content,
    imperative_items,
    labels_next_heading,
    long_question_heading,
    numbered_question,
    off_level_questions,
    own_number,
    page_title,
    question_length,
    question_section_items,
    revealed_questions,
    statement_questions,
    styled,
)
from pipeline.signature import Role, body_outscores_headings, is_reveal_label, score_signatures

_TERM_MAX_CHARS = 24  # a bold lead this short before a colon or dash may be a term being glossed


def _parent_number(num: str, child: str) -> bool:
    return child.startswith(num + ".") and child.count(".") == num.count(".") + 1


def _breaks_count(blocks: list[Block], roles: list[Role], index: int, rules: Rules) -> bool:
    """A numbered line between questions N and N+1 with a number of its own ("2. RAG" between "10." and "11.")
    numbers the page's sections, not its questions."""
    before = next((j for j in range(index - 1, -1, -1) if roles[j] == Role.QUESTION), None)
    if before is None or blocks[index].kind != "para":
        return False
    numbers = [numbering(strip_markup(blocks[j].text), rules.structure) for j in (before, index, index + 1)]
    if any(n is None or not n.num.isdigit() for n in numbers):
        return False
    last, mine, nxt = (int(n.num) for n in numbers if n is not None)
    listed = any((n := numbering(strip_markup(blocks[j].text), rules.structure)) and n.num == str(mine - 1)
                 for j in range(before + 1, index))  # "3." after "2." in the answer: the answer's own list
    return nxt == last + 1 and mine not in (last, nxt) and not listed


def _question_level(blocks: list[Block], rules: Rules) -> int:
    """The heading level that holds questions on this page (0 when questions are not headings)."""
    levels = Counter(b.level for b in blocks if b.kind == "heading" and is_question_block(b, rules))
    if not levels:
        return 0
    level, count = max(levels.items(), key=lambda kv: (kv[1], -kv[0]))
    return level if count >= 2 or len(levels) == 1 else 0


def _labelled_answer(text: str, rules: Rules) -> tuple[str, str]:
    """A block whose later line starts with an answer label ("1. **Q**: 解释…\n**A**: 自注意力…") as (question
    lines, answer lines from the label on)."""
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if strip_label(lines[index].strip(), rules)[0] != lines[index].strip():
            return "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
    return text, ""


def parse_question(block: Block, rules: Rules, revealed: bool = False) -> tuple[str, str, str, str]:
    """(question, inline answer, printed number, numbering style) of a question block; a `revealed` one (a collapsed
    "Solution" follows it) is a question whatever its length."""
    head, labelled = _labelled_answer(block.text, rules)
    if labelled and block.kind in ("para", "item", "quote"):
        question, _, number, style = parse_question(replace(block, text=head), rules)
        return question, labelled, number, style
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
    bold = _bold_question(found.rest if found else block.text, block, rules)
    if bold is not None:  # "7. **RAG or fine-tuning?** — knowledge versus behaviour"
        return bold[0], bold[1], found.num if found else "", found.style if found else "plain"
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
    if not question and (revealed or question_length(rest, rules)):
        question = rest  # a question by its form (marker, question numbering, place in the sequence)
    return question, inline, found.num, found.style


def _bold_question(text: str, block: Block, rules: Rules) -> tuple[str, str] | None:
    """The bold run and what follows its dash, when a line or item asks in bold and answers after a dash ("**Why
    …?** — because …"); a short bold term and its gloss ("**定义**：…") is no such pair."""
    found = bold_then_answer(text) if block.kind in ("para", "item") else None
    if found is None:
        return None
    question = found[0]
    asks = question.rstrip().endswith(("?", "？")) or is_question_text(question, rules.structure)
    return found if asks or len(question) > _TERM_MAX_CHARS else None


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
    title = page_title(blocks, rules)
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
    qa_blocks = [b for b in blocks if b.kind == "qa" and not is_reveal_label(b.text, rules)]
    qa_carrier = 2 * sum(is_question_text(unquote(b.text), rules.structure) for b in qa_blocks) >= len(qa_blocks) or \
        not any(is_question_block(b, rules) for b in blocks if b.kind != "qa")
    toc = copied_toc(blocks, rules)
    numbered_cards = card_numbers(blocks, rules)
    roles: list[Role] = []
    last_num: dict[str, float] = {}
    list_next = 0  # after "The steps:", the number the announced list continues with (0: no such list)
    numbered_next = False  # the previous block was only a question number: this one is the question
    asker: Block | None = None  # the question whose answer the following blocks belong to
    unit_level = 0  # the level of the heading that only numbered the current question ("## Question 3")
    for index, block in enumerate(blocks):
        role = Role.CONTENT
        if index in toc:
            roles.append(Role.TOC)
            continue
        if numbered_next and block.kind in ("para", "item", "heading"):
            numbered_next = False
            roles.append(Role.QUESTION)
            asker = block
            continue
        if index in numbered_cards or (block.kind in ("para", "heading") and numbers_next(blocks, index, rules)):
            numbered_next = True
            unit_level = block.level if block.kind == "heading" else 0
            roles.append(Role.QNUMBER)
            continue
        if block.kind == "heading" and block.level <= unit_level:
            unit_level = 0  # a heading as high as the numbering one ends that question's unit
        listed = numbering(block.text, rules.structure)
        continues_list = bool(list_next and listed and listed.num == str(list_next)
                              and not strip_markup(listed.rest).endswith(("?", "？")))
        if block is title:
            role = Role.TITLE
        elif block.kind == "heading":
            if unit_level and not strip_markup(block.text).endswith(("?", "？")):
                role = Role.CONTENT  # "### Definition" under "## Question 3": a part of that question's answer
            elif rules.structure.non_question_sections.match(strip_markup(block.text)):
                role = Role.REFSECTION
            elif q_level and (block.level == q_level or styled(block, explicit_styles, rules)) and \
                    (is_question_block(block, rules) or styled(block, q_styles, rules) or
                     (block.level == q_level and long_question_heading(block, rules))):
                role = Role.QUESTION  # "## Q23:" among "### Q1:" questions: an explicit question style at any level
            elif q_level and block.level == q_level and Role.QUESTION in roles and roles[-1] != Role.SECTION and \
                    not section_title(block.text, rules.structure) and not labels_next_heading(blocks, index):
                # "### 代码示例" between numbered "### N. ...?" questions: part of the answer; one with nothing under
                # it (the page ends, or the next heading follows) heads no part: a question listed without an answer
                role = Role.CONTENT if heads_content(blocks, index) else Role.QUESTION
            elif body_won and Role.QUESTION in roles and is_question_block(block, rules):
                role = Role.CONTENT  # a question-like heading inside an answer restates part of that question
            elif not q_level or block.level <= q_level:
                role = Role.QUESTION if not q_level and numbered_question(block, rules) else Role.SECTION
        elif block.kind == "qa":
            aside = not is_question_text(unquote(block.text), rules.structure) and not qa_carrier
            role = Role.CONTENT if is_reveal_label(block.text, rules) or aside else Role.QUESTION
        elif section_title(block.text, rules.structure) and block.kind == "para" and (
                numerals_are_sections or not is_question_block(block, rules)):
            role = Role.SECTION
        elif not q_level and is_question_block(block, rules) and not continues_list and \
                not (asker is not None and block.kind == "para" and block.level > asker.level):
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
        if role == Role.QUESTION:
            asker = block  # a plain-text line indented under it is a point of its answer ("    1. 追问…？")
        elif role == Role.SECTION:
            asker = None
    # a numbered non-question line that is the parent of the next question ("1.Attention" before "1.1 ...")
    for i, (block, role) in enumerate(zip(blocks, roles, strict=True)):
        if role != Role.CONTENT or i + 1 >= len(blocks) or roles[i + 1] != Role.QUESTION:
            continue
        mine, nxt = numbering(block.text, rules.structure), numbering(blocks[i + 1].text, rules.structure)
        if mine and nxt and (_parent_number(mine.num, nxt.num) or _breaks_count(blocks, roles, i, rules)):
            roles[i] = Role.SECTION
    question_section_items(blocks, roles, rules)
    if q_level:
        follow_ups(blocks, roles, rules)
        answered_sections(blocks, roles, rules)
        statement_questions(blocks, roles, q_level, rules)
        off_level_questions(blocks, roles, q_styles, rules)
    else:
        fill_sequence(blocks, roles, rules)
    if Role.QUESTION not in roles:  # casual notes: unnumbered lines that end with "?" are the questions
        for i, block in enumerate(blocks):
            ends = block.text.rstrip().endswith(("?", "？"))
            if roles[i] == Role.CONTENT and block.kind in ("para", "item") and block.level == 0 and ends and \
                    is_question_text(block.text, rules.structure):
                roles[i] = Role.QUESTION
        imperative_items(blocks, roles, rules)
    for i, block in enumerate(blocks):  # "“question?” → answer" after the first question: a follow-up probe
        if roles[i] == Role.CONTENT and block.kind in ("para", "item") and Role.QUESTION in roles[:i] and \
                rules.structure.arrow_answer.match(block.text.strip()):
            roles[i] = Role.QUESTION
    revealed_questions(blocks, roles, rules)
    category_headings(blocks, roles, rules)
    asked = False
    for i, block in enumerate(blocks):  # "#### Options", "#### Answer" after a question: parts of its answer
        asked = asked or roles[i] == Role.QUESTION
        if asked and block.kind == "heading" and roles[i] == Role.SECTION and \
                rules.structure.answer_part_headings.match(strip_markup(block.text)):
            roles[i] = Role.CONTENT
    closing_section(blocks, roles, q_level, rules)
    # "Show answer" copied from a collapsed answer's button: no content ("Solution:" with its colon labels what follows)
    for i, block in enumerate(blocks):
        if roles[i] == Role.CONTENT and block.kind in ("para", "item") and Role.QUESTION in roles[:i] and \
                is_reveal_label(block.text, rules) and not block.text.rstrip().endswith((":", "：")):
            roles[i] = Role.REVEAL
    for i, block in enumerate(blocks[:-1]):  # "2" alone on the line above question 2: only its number
        if roles[i] == Role.CONTENT and roles[i + 1] == Role.QUESTION and block.kind == "para" and \
                rules.structure.bare_number.match(block.text.strip()) and \
                own_number(blocks[i + 1].text) in ("", own_number(block.text)):
            roles[i] = Role.QNUMBER
    outline_numbers(blocks, roles, rules)
    toc_sections(blocks, roles, toc, rules)
    card_labels(blocks, roles, rules)
    plain_sections(blocks, roles, rules)
    return roles


def section_name(block: Block, rules: Rules) -> str:
    title = section_title(block.text, rules.structure)
    if title:
        return title
    found = numbering(block.text, rules.structure)
    return strip_markup(found.rest if found else block.text)
