"""Roles of a page's layout copied as plain text: a table of contents, question-card numbers and titles, headings that
lost their markup, a closing section."""

from __future__ import annotations

import re

from pipeline.clean import is_question_block
from pipeline.config import Rules
from pipeline.models import Block
from pipeline.pdf_traces import counting_runs
from pipeline.questions import is_question_text, numbering, strip_markup
from pipeline.signature import Role

_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_PLAIN_SECTIONS_MIN = 2  # unmarked heading lines are sections only when a page has at least this many
_TOC_MIN_ENTRIES = 3  # a copied table of contents lists at least this many lines
# a line holding one of these states or computes something ("In PyTorch: nn.Dropout(p)"): no title
_NOT_IN_TITLES = re.compile(r"[:：=(（,，;；]")
_TITLE_MAX_CHARS = 80  # a section title in a table of contents copied as text is at most this long


def numbers_next(blocks: list[Block], index: int, rules: Rules) -> bool:
    """A line that is only a question's number ("Question 3", "第5题"), or only the label "Question" of a copied card
    when the next line reads as a question: a label over anything else ("Problem:" over its explanation inside an
    answer) is part of that answer."""
    text = strip_markup(blocks[index].text)
    if not rules.structure.number_only.match(text):
        return False
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    return bool(_DIGIT.search(text)) or (after is not None and after.kind in ("para", "heading") and
                                         is_question_text(strip_markup(after.text), rules.structure))


def plain_sections(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """Headings that lost their markup in a copy ("Linear regression" between an answer and the next question): a
    short line of a few words, after an answer's own text and right before a question, is a section when the page
    has at least two of them (one alone may be a short last line of an answer)."""
    found = [i for i in range(2, len(blocks) - 1)
             if roles[i + 1] == Role.QUESTION and blocks[i + 1].kind == "para" and roles[i - 1] == Role.CONTENT and
             roles[i] == Role.CONTENT and title_line(blocks[i], roles[i], rules) and
             _plain(blocks[i + 1]) and _plain(blocks[i]) and not _NOT_IN_TITLES.search(blocks[i].text) and
             len(blocks[i].text.split()) <= rules.structure.plain_section_max_words and blocks[i].text[:1].isupper()]
    # a line before every question after the first is the answers' own last line, a habit of the page
    asked = [i for i, role in enumerate(roles) if role == Role.QUESTION][1:]
    if len(found) >= _PLAIN_SECTIONS_MIN and sum(i + 1 in asked for i in found) < len(asked):
        for i in found:
            roles[i] = Role.SECTION


def _plain(block: Block) -> bool:
    """A block with no markup of its own: a page that marks its questions ("**2. What…**") kept its headings too."""
    return strip_markup(block.text).strip() == block.text.strip()


def toc_sections(blocks: list[Block], roles: list[Role], toc: set[int], rules: Rules) -> None:
    """A line of the page that a copied table of contents listed as a title, not a question ("Questions on
    decoding"), heads a section there: it ends the answer above it."""
    titles = {_entry(blocks[i], rules) for i in toc if blocks[i].kind == "para" and
              not is_question_block(blocks[i], rules) and title_line(blocks[i], Role.CONTENT, rules)}
    if not titles:
        return
    for i, block in enumerate(blocks):
        if roles[i] == Role.CONTENT and block.kind == "para" and _entry(block, rules) in titles:
            roles[i] = Role.SECTION


def card_numbers(blocks: list[Block], rules: Rules) -> set[int]:
    """Numbers alone on their lines that count up by one ("1" … "8"), each over a line that asks or prompts ("Tell me
    about a time…"): a question bank printing each card's number above it. The indexes of those numbers. A prompt
    the next number follows at once has no answer: steps of a list copied as text ("1" / "Define the model" / "2")."""
    structure = rules.structure
    numbers = [(i, int(found.group(0).rstrip(".、"))) for i, b in enumerate(blocks[:-1])
               if b.kind == "para" and (found := structure.bare_number.match(b.text.strip())) and
               blocks[i + 1].kind == "para" and len(blocks[i + 1].text) <= structure.max_heading_question_chars and
               is_question_text(strip_markup(blocks[i + 1].text), structure) and
               not (i + 2 < len(blocks) and structure.bare_number.match(blocks[i + 2].text.strip()))]
    return {i for run in counting_runs(numbers) if len(run) >= structure.bare_number_run for i in run}


def _entry(block: Block, rules: Rules) -> str:
    """A line's title as a table of contents lists it: markup and leading number dropped, case folded."""
    text = strip_markup(block.text).strip()
    found = numbering(text, rules.structure)
    return " ".join((found.rest if found else text).split()).casefold()


def copied_toc(blocks: list[Block], rules: Rules) -> set[int]:
    """The blocks of a table of contents copied as text ("Contents", then "1." / "Overview" / "2." / "Questions…"):
    from its label to where its first entry's title comes back as the page's own text. Its entries are short and at
    least three; a label with no such return (the copy stops inside the list) marks nothing."""
    structure = rules.structure
    label = next((i for i, b in enumerate(blocks) if b.kind in ("para", "heading") and
                  structure.toc_label.match(strip_markup(b.text).strip())), None)
    if label is None:
        return set()
    first = next((i for i in range(label + 1, len(blocks)) if not (
        structure.outline_number.match(blocks[i].text.strip()) or structure.bare_number.match(blocks[i].text.strip()))),
        None)
    if first is None:
        return set()
    title = _entry(blocks[first], rules)
    end = next((j for j in range(first + 1, len(blocks)) if _entry(blocks[j], rules) == title), None)
    entries = range(label + 1, end or label)
    if end is None or len(entries) < _TOC_MIN_ENTRIES or \
            any(len(blocks[i].text) > structure.max_question_chars or "\n" in blocks[i].text.strip() for i in entries):
        return set()
    return set(range(label, end))


def outline_numbers(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """A table of contents copied as text: "2.1." alone above a question is only the entry's number; "2.1." alone
    above a short title line that a numbered entry or a question follows numbers a section (the title), and so does
    "3." above a title that "3.1." follows. "3." / "Run the decoder" over a question is the last step of a list."""
    structure = rules.structure

    def outline(i: int) -> bool:
        return i < len(blocks) and roles[i] == Role.CONTENT and blocks[i].kind == "para" and \
            bool(structure.outline_number.match(blocks[i].text.strip()))

    for i, block in enumerate(blocks[:-1]):
        if outline(i) and roles[i + 1] == Role.QUESTION:
            roles[i] = Role.QNUMBER
        elif roles[i] == Role.CONTENT and block.kind == "para" and i + 2 < len(blocks) and \
                title_line(blocks[i + 1], roles[i + 1], rules) and (outline(i + 2) or (
                    outline(i) and roles[i + 2] in (Role.QUESTION, Role.QNUMBER))) and \
                (outline(i) or structure.bare_number.match(block.text.strip())):
            roles[i], roles[i + 1] = Role.QNUMBER, Role.SECTION


def title_line(block: Block, role: Role, rules: Rules) -> bool:
    """A short line that names something in words: no sentence, no question, no number of its own."""
    text = strip_markup(block.text).strip()
    return role == Role.CONTENT and block.kind == "para" and len(text) <= _TITLE_MAX_CHARS and \
        bool(_LETTER.search(text)) and \
        "\n" not in text and not text.endswith((".", "?", "？", "。", ":", "：", "!", "！")) and \
        numbering(text, rules.structure) is None and not is_question_text(text, rules.structure)


def closing_section(blocks: list[Block], roles: list[Role], q_level: int, rules: Rules) -> None:
    """"## Conclusion" after the last question (at the questions' level or above; alone on a line in plain text)
    closes the page's questions: a section of its own, not a part of the last answer."""
    last = max((i for i, role in enumerate(roles) if role == Role.QUESTION), default=len(roles))
    for i in range(last + 1, len(blocks)):
        block = blocks[i]
        text = strip_markup(block.text).strip()
        # a line alone closes only a page whose questions are no headings, and only as plain text: "**Summary**"
        # under the last "## question" is a part of that answer
        level_ok = (block.kind == "para" and not q_level and text == block.text.strip()) or \
            (block.kind == "heading" and (not q_level or block.level <= q_level))
        if roles[i] == Role.CONTENT and level_ok and \
                rules.structure.closing_sections.match(text.rstrip(":：") if block.kind == "heading" else text):
            roles[i] = Role.SECTION
            return


def card_labels(blocks: list[Block], roles: list[Role], rules: Rules) -> None:
    """"RNN vs LSTM" over "Question" over the question: the card's own title, no part of the answer above."""
    for i, block in enumerate(blocks[1:], 1):
        if roles[i] == Role.QNUMBER and not _DIGIT.search(block.text) and \
                rules.structure.number_only.match(strip_markup(block.text)) and \
                title_line(blocks[i - 1], roles[i - 1], rules):
            roles[i - 1] = Role.LABEL
