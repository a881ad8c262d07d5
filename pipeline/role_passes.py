"""The later passes of structure inference: each corrects the roles the signature gave some blocks (questions
numbered off level, category headings, follow-ups, statement questions, a bare number over its question)."""

from __future__ import annotations

import re
from itertools import pairwise

from pipeline.clean import is_question_block
from pipeline.config import Rules
from pipeline.models import Block
from pipeline.questions import (
    continues_question,
    is_aside,
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
from pipeline.signature import Role, is_reveal_label

_LEADING_DIGITS = re.compile(r"\s*(\d+)")


def own_number(text: str) -> str:
    """The number a line starts with ("" when none): a bare number above a question numbered otherwise ("4." under
    a "3") ends the answer above, it does not number the question."""
    found = _LEADING_DIGITS.match(text)
    return found.group(1) if found else ""


def imperative_items(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
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


def revealed_questions(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """A line followed straight by a collapsed "Solution"/"答案" reveal is what that reveal answers: an exercise
    in a list ("2. ★★ Extend the kernel to…" over <details><summary>Solution</summary>), unless it is the text right
    under a question (then the question is what is answered)."""
    for i, block in enumerate(blocks[:-1]):
        after = blocks[i + 1]
        if roles[i] == Role.CONTENT and block.kind in ("para", "item") and after.kind == "qa" and \
                is_reveal_label(after.text, rules) and (i == 0 or roles[i - 1] != Role.QUESTION):
            roles[i] = Role.QUESTION


def off_level_questions(blocks: list[Block], roles: list[Role], styles: set[str], rules: Rules) -> None:
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


def category_headings(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """A question heading that does not ask ("项目经验": a topic word made it read as a question) over nothing but
    questions ("- **数据获取**：训练数据集是如何获取的？", …) names a category of questions: it is a section."""
    for i, block in enumerate(blocks):
        if roles[i] != Role.QUESTION or block.kind != "heading" or strip_markup(block.text).endswith(("?", "？")):
            continue
        end = next((j for j in range(i + 1, len(blocks)) if roles[j] in (Role.QUESTION, Role.SECTION, Role.REFSECTION)
                    or (blocks[j].kind == "heading" and blocks[j].level <= block.level)), len(blocks))
        if made_of_questions([b for b in blocks[i + 1 : end] if b.kind != "heading"], rules.structure):
            roles[i] = Role.SECTION


def heads_content(blocks: list[Block], index: int) -> bool:
    """Does the heading at `index` have something under it (not the page's end, not at once a heading as high)?"""
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    return after is not None and not (after.kind == "heading" and after.level <= blocks[index].level)


def labels_next_heading(blocks: list[Block], index: int) -> bool:
    """A heading with nothing of its own before the next heading ("## Questions 4-6" over "## Q4: …") labels a
    group of questions: it never belongs to the answer above it."""
    return index + 1 < len(blocks) and blocks[index + 1].kind == "heading"


def _shape(block: Block, rules: Rules) -> tuple[str, int, str, bool] | None:
    """A numbered paragraph or item's form: kind, nesting depth, numbering style, whole-line emphasis."""
    found = numbering(strip_markup(block.text), rules.structure)
    if block.kind not in ("para", "item", "quote") or found is None or not found.num.isdigit():
        return None
    return block.kind, block.level, found.style, whole_emphasis(unlink(block.text))


def fill_sequence(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
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
                    found.num == str(expected) and question_length(text, rules):
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
                question_length(text, rules):
            roles[i] = Role.QUESTION
        if roles[i] is Role.QUESTION:
            last[shape] = int(found.num)


def question_length(text: str, rules: Rules) -> bool:
    """Short enough for a question; one that asks ("…?", or "…? Discuss …") may run as long as a question heading
    (a scenario in several sentences: "Explain X. Can you give an example of when …?")."""
    limit = rules.structure.max_heading_question_chars if _asks(text, rules) else rules.structure.max_question_chars
    return len(text) <= limit


def _asks(text: str, rules: Rules) -> bool:
    """Ends with "?", or goes on after its "?" with a sentence that still belongs to the question ("…? Discuss …")."""
    after = [text.rpartition(mark)[2].strip() for mark in ("?", "？") if mark in text]
    return text.endswith(("?", "？")) or any(continues_question(text.partition(mark)[2].strip(), rules.structure)
                                             for mark in ("?", "？") if mark in text) or \
        any(is_aside(rest) for rest in after)  # "…What would you do? (Assume a single machine.)"


def follow_ups(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
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


def question_section_items(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
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


def answered_sections(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
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


def statement_questions(blocks: list[Block], roles: list[Role], level: int, rules: Rules) -> None:
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


def page_title(blocks: list[Block], rules: Rules) -> Block | None:
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


def long_question_heading(block: Block, rules: Rules) -> bool:
    """A heading that ends with a question mark is a question up to a longer limit than a line of prose."""
    text = strip_markup(block.text)
    return text.endswith(("?", "？")) and len(text) <= rules.structure.max_heading_question_chars


def styled(block: Block, styles: set[str], rules: Rules) -> bool:
    found = numbering(strip_markup(block.text), rules.structure)
    return found is not None and found.style in styles


def numbered_question(block: Block, rules: Rules) -> bool:
    found = numbering(strip_markup(block.text), rules.structure)
    return found is not None and is_question_text(found.rest, rules.structure)
