"""Self-checks that catch a wrong parse: numbering gaps and restarts, questions folded into answers, markup or a
bare label as a question, answers made of questions, a title promising more questions than were found."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.config import Rules
from pipeline.models import Block, Check, Finding
from pipeline.questions import asking_lines, made_of_questions, numbering, strip_marker, strip_markup
from pipeline.signature import is_reveal_label, signature_of


@dataclass(frozen=True)
class Asked:
    """One extracted question as the checks see it: the block that asked it and the blocks of its answer."""

    question: str
    number: str
    style: str
    section: str
    line: int
    block: Block
    answer: tuple[Block, ...]


def _numbering(asked: list[Asked]) -> list[Finding]:
    findings = []
    previous: dict[tuple[str, str], tuple[int, Asked]] = {}  # (section, style) -> last number and its question
    for item in asked:
        if not item.number.isdigit():
            continue
        num, key = int(item.number), (item.section, item.style)
        if key in previous:
            last, before = previous[key]
            if num > last + 1:
                missing = f"{last + 1}" if num == last + 2 else f"{last + 1}-{num - 1}"
                findings.append(Finding(Check.NUMBERING_GAP, before.line, f"{last} is followed by {num}: "
                                        f"{missing} missing", before.question))
            elif num <= last:
                findings.append(Finding(Check.NUMBERING_RESTART, item.line, f"{last} is followed by {num}",
                                        item.question))
        previous[key] = (num, item)
    return findings


def _asks(block: Block, rules: Rules) -> bool:
    """Plainly a question: it ends with a question mark, carries a marker ("Q:") or an explicit question number."""
    text = strip_markup(block.text)
    found = numbering(text, rules.structure)
    explicit = found is not None and found.style in rules.structure.question_numbering
    rest = found.rest if found else text
    return explicit or strip_marker(rest, rules.structure)[1] or strip_markup(rest).rstrip().endswith(("?", "？"))


def _answer_holds_questions(item: Asked, rules: Rules) -> Finding | None:
    """An answer block carrying the question's own signature and reading as a question."""
    mine = signature_of(item.block, rules)
    if mine is None:
        return None
    for block in item.answer:
        theirs = signature_of(block, rules)
        if theirs is not None and theirs[0] == mine[0] and theirs[1] and _asks(block, rules):
            return Finding(Check.ANSWER_HOLDS_QUESTIONS, block.line, strip_markup(block.text)[:120], item.question)
    return None


def _answer_of_questions(item: Asked, rules: Rules) -> Finding | None:
    if made_of_questions(item.answer, rules.structure):
        asking, lines = asking_lines(item.answer, rules.structure)
        return Finding(Check.ANSWER_OF_QUESTIONS, item.line, f"{asking} of {lines} answer lines are questions",
                       item.question)
    return None


def _question_text(item: Asked, rules: Rules) -> list[Finding]:
    findings = []
    markup = rules.structure.self_checks.question_markup.search(item.question)
    if markup:
        findings.append(Finding(Check.MARKUP_IN_QUESTION, item.line, f"{markup.group(0)!r} in the question",
                                item.question))
    bare = strip_marker(item.question, rules.structure)[0]
    found = numbering(bare, rules.structure)
    bare = found.rest if found else bare
    if is_reveal_label(bare, rules) or not any(ch.isalnum() for ch in strip_marker(bare, rules.structure)[0]):
        findings.append(Finding(Check.LABEL_ONLY_QUESTION, item.line, "only a label", item.question))
    return findings


def promised(title: str, rules: Rules) -> int:
    """How many questions a page title promises ("100道面试题" -> 100; 0 when it promises none)."""
    match = rules.structure.self_checks.promise.search(title)
    return int(match.group("n")) if match else 0


def check_page(asked: list[Asked], title: str, rules: Rules) -> list[Finding]:
    """Every finding on one page, page-level ones (fewer-than-promised) with no question."""
    findings = _numbering(asked)
    for item in asked:
        findings.extend(_question_text(item, rules))
        for check in (_answer_holds_questions, _answer_of_questions):
            found = check(item, rules)
            if found is not None:
                findings.append(found)
    wanted = promised(title, rules)
    if wanted and len(asked) < rules.structure.self_checks.promise_ratio * wanted:
        findings.append(Finding(Check.FEWER_THAN_PROMISED, 0, f"the title promises {wanted} questions; "
                                f"{len(asked)} found"))
    return sorted(findings, key=lambda f: (f.line, str(f.check)))
