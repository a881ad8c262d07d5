"""Which block of a page plays which role (title, section, question, content): the passes of structure inference
over a cleaned page's blocks, led by the page's best question signature."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from itertools import pairwise

from pipeline.answers import strip_label
from pipeline.clean import is_question_block
from pipeline.config import Rules
from pipeline.models import Block
from pipeline.questions import (
    is_question_text,
    made_of_questions,
    numbering,
    section_title,
    split_fused,
    strip_marker,
    strip_markup,
    unlink,
    whole_emphasis,
)
from pipeline.signature import Role, body_outscores_headings, is_reveal_label, score_signatures


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


def parse_question(block: Block, rules: Rules) -> tuple[str, str, str, str]:
    """(question, inline answer, printed number, numbering style) of a question block."""
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
    if not question and _question_length(rest, rules):
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
    asker: Block | None = None  # the question whose answer the following blocks belong to
    for index, block in enumerate(blocks):
        role = Role.CONTENT
        if numbered_next and block.kind in ("para", "item", "heading"):
            numbered_next = False
            roles.append(Role.QUESTION)
            asker = block
            continue
        if block.kind in ("para", "heading") and rules.structure.number_only.match(strip_markup(block.text)):
            numbered_next = True
            roles.append(Role.QNUMBER)
            continue
        listed = numbering(block.text, rules.structure)
        continues_list = bool(list_next and listed and listed.num == str(list_next)
                              and not strip_markup(listed.rest).endswith(("?", "？")))
        if block is title:
            role = Role.TITLE
        elif block.kind == "heading":
            if rules.structure.non_question_sections.match(strip_markup(block.text)):
                role = Role.REFSECTION
            elif q_level and (block.level == q_level or _styled(block, explicit_styles, rules)) and \
                    (is_question_block(block, rules) or _styled(block, q_styles, rules) or
                     (block.level == q_level and _long_question_heading(block, rules))):
                role = Role.QUESTION  # "## Q23:" among "### Q1:" questions: an explicit question style at any level
            elif q_level and block.level == q_level and Role.QUESTION in roles and roles[-1] != Role.SECTION and \
                    not section_title(block.text, rules.structure) and not _labels_next_heading(blocks, index):
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
    _question_section_items(blocks, roles, rules)
    if q_level:
        _follow_ups(blocks, roles, rules)
        _answered_sections(blocks, roles, rules)
        _statement_questions(blocks, roles, q_level, rules)
        _off_level_questions(blocks, roles, q_styles, rules)
    else:
        _fill_sequence(blocks, roles, rules)
    if Role.QUESTION not in roles:  # casual notes: unnumbered lines that end with "?" are the questions
        for i, block in enumerate(blocks):
            ends = block.text.rstrip().endswith(("?", "？"))
            if roles[i] == Role.CONTENT and block.kind in ("para", "item") and block.level == 0 and ends and \
                    is_question_text(block.text, rules.structure):
                roles[i] = Role.QUESTION
        _imperative_items(blocks, roles, rules)
    for i, block in enumerate(blocks):  # "“question?” → answer" after the first question: a follow-up probe
        if roles[i] == Role.CONTENT and block.kind in ("para", "item") and Role.QUESTION in roles[:i] and \
                rules.structure.arrow_answer.match(block.text.strip()):
            roles[i] = Role.QUESTION
    _category_headings(blocks, roles, rules)
    asked = False
    for i, block in enumerate(blocks):  # "#### Options", "#### Answer" after a question: parts of its answer
        asked = asked or roles[i] == Role.QUESTION
        if asked and block.kind == "heading" and roles[i] == Role.SECTION and \
                rules.structure.answer_part_headings.match(strip_markup(block.text)):
            roles[i] = Role.CONTENT
    for i, block in enumerate(blocks[:-1]):  # "2" alone on the line above question 2: only its number
        if roles[i] == Role.CONTENT and roles[i + 1] == Role.QUESTION and block.kind == "para" and \
                rules.structure.bare_number.match(block.text.strip()) and \
                _own_number(blocks[i + 1].text) in ("", _own_number(block.text)):
            roles[i] = Role.QNUMBER
    return roles


_LEADING_DIGITS = re.compile(r"\s*(\d+)")


def _own_number(text: str) -> str:
    """The number a line starts with ("" when none): a bare number above a question numbered otherwise ("4." under
    a "3") ends the answer above, it does not number the question."""
    found = _LEADING_DIGITS.match(text)
    return found.group(1) if found else ""


def _imperative_items(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """When top-level bullet items asking "…?" are a page's questions, a sibling item that asks without "?"
    ("- Explain how a ROC curve works.", "- Define precision and recall.") is a question too, never the answer
    of the item above it."""
    asked = [i for i, b in enumerate(blocks) if roles[i] == Role.QUESTION and b.kind == "item" and not b.level]
    if len(asked) < rules.structure.signature.min_questions:
        return
    for i, block in enumerate(blocks):
        if roles[i] == Role.CONTENT and block.kind == "item" and not block.level and \
                is_question_text(block.text, rules.structure):
            roles[i] = Role.QUESTION


def _off_level_questions(blocks: list[Block], roles: list[Role], styles: set[str], rules: Rules) -> None:
    """A question heading one level off the others, numbered in their style where the sequence needs it
    ("##### 1.…？" before "#### 2.…？", "#### 3.…？") is a question too."""
    numbered = [(i, found) for i, b in enumerate(blocks) if b.kind == "heading"
                and (found := numbering(strip_markup(b.text), rules.structure)) and found.style in styles
                and found.num.isdigit()]
    for i, found in numbered:
        if roles[i] not in (Role.SECTION, Role.CONTENT) or not is_question_block(blocks[i], rules):
            continue
        asked = [(j, f) for j, f in numbered if roles[j] == Role.QUESTION and f.style == found.style]
        before = [f for j, f in asked if j < i]
        after = [f for j, f in asked if j > i]
        if (before and int(before[-1].num) + 1 == int(found.num)) or \
                (not before and after and int(after[0].num) - 1 == int(found.num)):
            roles[i] = Role.QUESTION


def _category_headings(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """A question heading that does not ask ("项目经验": a topic word made it read as a question) over nothing but
    questions ("- **数据获取**：训练数据集是如何获取的？", …) names a category of questions: it is a section."""
    for i, block in enumerate(blocks):
        if roles[i] != Role.QUESTION or block.kind != "heading" or strip_markup(block.text).endswith(("?", "？")):
            continue
        end = next((j for j in range(i + 1, len(blocks)) if roles[j] in (Role.QUESTION, Role.SECTION, Role.REFSECTION)
                    or (blocks[j].kind == "heading" and blocks[j].level <= block.level)), len(blocks))
        if made_of_questions([b for b in blocks[i + 1 : end] if b.kind != "heading"], rules.structure):
            roles[i] = Role.SECTION


def _labels_next_heading(blocks: list[Block], index: int) -> bool:
    """A heading with nothing of its own before the next heading ("## Questions 4-6" over "## Q4: …") labels a
    group of questions: it never belongs to the answer above it."""
    return index + 1 < len(blocks) and blocks[index + 1].kind == "heading"


def _shape(block: Block, rules: Rules) -> tuple[str, int, str, bool] | None:
    """A numbered paragraph or item's form: kind, nesting depth, numbering style, whole-line emphasis."""
    found = numbering(strip_markup(block.text), rules.structure)
    if block.kind not in ("para", "item", "quote") or found is None or not found.num.isdigit():
        return None
    return block.kind, block.level, found.style, whole_emphasis(unlink(block.text))


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
                    found.num == str(expected) and _question_length(text, rules):
                roles[i] = Role.QUESTION
                expected += 1
    _long_next_questions(blocks, roles, rules)


def _long_next_questions(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """A line in the form of an earlier question, numbered one more, that asks ("**2.** Explain X. Can you give an
    example of …?") is the next question even when too long to read as one on its own."""
    last: dict[tuple[str, int, str, bool], int] = {}  # shape -> number of its latest question
    for i, block in enumerate(blocks):
        shape = _shape(block, rules)
        if shape is None:
            continue
        text = strip_markup(block.text)
        found = numbering(text, rules.structure)
        if found is None:
            continue
        if roles[i] is Role.CONTENT and last.get(shape) == int(found.num) - 1 and _asks(text, rules) and \
                _question_length(text, rules):
            roles[i] = Role.QUESTION
        if roles[i] is Role.QUESTION:
            last[shape] = int(found.num)


def _question_length(text: str, rules: Rules) -> bool:
    """Short enough for a question; one that asks ("…?", or "…? Discuss …") may run as long as a question heading
    (a scenario in several sentences: "Explain X. Can you give an example of when …?")."""
    limit = rules.structure.max_heading_question_chars if _asks(text, rules) else rules.structure.max_question_chars
    return len(text) <= limit


def _asks(text: str, rules: Rules) -> bool:
    """Ends with "?", or goes on after its "?" with a sentence that still belongs to the question ("…? Discuss …")."""
    return text.endswith(("?", "？")) or any(text.partition(mark)[2].strip().startswith(
        rules.structure.question_continuations) for mark in ("?", "？") if mark in text)


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


def section_name(block: Block, rules: Rules) -> str:
    title = section_title(block.text, rules.structure)
    if title:
        return title
    found = numbering(block.text, rules.structure)
    return strip_markup(found.rest if found else block.text)
