"""Recognise question lines: numbering, question-likeness, and a question fused with its answer on one line."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pipeline.config import StructureRules
from pipeline.models import Block

_CJK = re.compile(r"[\u3400-\u9fff]")
_TERM_EXPLANATION = re.compile(r"^[^:：?？。]{1,30}[:：]\s*\S.{7,}")
_SENTENCE_END = "。！？!?"


@dataclass(frozen=True)
class Numbered:
    """A line that starts with a numbering style."""

    style: str
    num: str
    rest: str


def numbering(text: str, rules: StructureRules) -> Numbered | None:
    """The numbering a line starts with, if any (first matching style wins)."""
    for rule in rules.numbering:
        match = rule.regex.match(text)
        if match and text[match.end() :].strip():
            return Numbered(rule.name, match.group("num"), text[match.end() :].strip())
    return None


def line_lang(text: str) -> str:
    """'zh' or 'en' by CJK characters against Latin words (a term in English does not make a line English)."""
    cjk = len(_CJK.findall(text))
    words = len(re.findall(r"[A-Za-z]+", text))
    if not cjk + words:
        return ""
    return "zh" if cjk / (cjk + words) >= 0.3 else "en"


_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")


def unlink(text: str) -> str:
    """Markdown links replaced by their text: a question's front never needs the URL ("[RoPE](url)" -> "RoPE")."""
    return _LINK.sub(r"\1", text)


_QUOTES = {'"': '"', "“": "”", "「": "」", "'": "'", "‘": "’"}


def unquote(text: str) -> str:
    """A question wrapped whole in quotes loses them (#### Q1: "Why …?" -> Why …?)."""
    stripped = text.strip()
    close = _QUOTES.get(stripped[:1])
    if close and len(stripped) > 2 and stripped.endswith(close) and close not in stripped[1:-1]:
        return stripped[1:-1].strip()
    return stripped


def whole_emphasis(text: str) -> bool:
    """The whole line is bold or italic ("**Q3：…？**"): the emphasis delimits the question."""
    stripped = text.strip()
    return any(stripped.startswith(m) and stripped.endswith(m) and len(stripped) > 2 * len(m) and
               m not in stripped[len(m) : -len(m)] for m in ("**", "__"))


_BOLD_LEAD = re.compile(r"^(\*\*|__)([^*_\n]{1,12}?)([:：]?)\1\s*(?=[:：]|\S)")
# pictographs that decorate the start of a heading or a question line ("📌 Q1: …", "✅ Answer", "🔥 **What …?**")
_LEAD_EMOJI = re.compile(r"^(?:[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF][\uFE0F\u200D]?\s*)+(?=\S)")


@functools.lru_cache(maxsize=1 << 14)  # pure, and asked of each line many times while a page's structure is scored
def strip_markup(text: str) -> str:
    """Drop Markdown emphasis around a whole line ("**1. Q?**" -> "1. Q?") or a short lead ("**Q**: x" -> "Q: x"),
    and the pictographs that decorate its start ("📌 Q1: …" -> "Q1: …")."""
    stripped = _LEAD_EMOJI.sub("", unlink(text).strip())
    lead = _BOLD_LEAD.match(stripped)
    if lead and not stripped.endswith(lead.group(1)):
        rest = stripped[lead.end() :]
        return f"{lead.group(2)}{lead.group(3)} {rest}".replace(" :", ":").replace(" ：", "：").strip()
    for mark in ("**", "__", "*", "_"):
        if stripped.startswith(mark) and stripped.endswith(mark) and len(stripped) > 2 * len(mark):
            return stripped[len(mark) : -len(mark)].strip()
    return stripped


_FIRST_WORD = re.compile(r"(?:[\[(（【][^\])）】]{1,24}[\])）】]\s*)?([a-z']+)")

def has_question_word(text: str, rules: StructureRules, topic_words: bool = False) -> bool:
    """An interrogative (or, with `topic_words`, a topic word such as 区别) or an English question opener."""
    lowered = text.lower()
    words = rules.question_words_zh + (rules.question_words_zh_topic if topic_words else ())
    if any(word in text for word in words):
        return True
    first = _FIRST_WORD.match(lowered)  # after a leading tag such as "(Core)" or "[Easy]"
    return bool(first and first.group(1) in rules.question_words_en)


def _marked_statement(text: str, rules: StructureRules) -> bool:
    """After a marker, a Chinese sentence that states rather than asks ("问题：显存放不下。" = "Problem: …")."""
    return text.rstrip().endswith("。") and not has_question_word(text, rules)


def is_question_text(text: str, rules: StructureRules) -> bool:
    """Does this (already de-numbered) text read as a question?"""
    text, marked = strip_marker(text, rules)
    if not text or len(text) > rules.max_question_chars:
        return False
    if (marked and not _marked_statement(text, rules)) or text.rstrip().endswith(("?", "？")):
        return True
    if _TERM_EXPLANATION.match(text) or text.rstrip().endswith((";", "；", ":", "：")):
        return False
    if text.rstrip().endswith(("。", ".")):
        return has_question_word(text, rules)
    return has_question_word(text, rules, topic_words=len(text) <= 40)


_ASIDE = re.compile(r"[（(][^（()）\n]{1,80}[)）]")


def is_aside(text: str) -> bool:
    """Only a bracketed remark ("（注意和第一个问题的区别）", "(hint: think of the gradient)"): after a question it
    qualifies the question, it never answers it."""
    return bool(_ASIDE.fullmatch(text.strip()))


_LATIN_LETTER = re.compile(r"[A-Za-z]{2}")
_STATEMENT_END = (".", "。", "!", "！")


def _opens_with(sentence: str, words: tuple[str, ...]) -> bool:
    """Does the sentence open with one of the words? A Latin word must end there ("However" is not "How")."""
    return any(sentence.startswith(word) and not _LATIN_LETTER.match(word[-1] + sentence[len(word) : len(word) + 1])
               for word in words)


def continues_question(sentence: str, rules: StructureRules) -> bool:
    """Does the sentence after a question's "?" still belong to the question? It opens with a continuation word
    ("Name two…", "请举例"), or with a follow-up's interrogative and does not end as a statement does ("What is a
    kernel" with its "?" lost; "When the data is small." answers). "However, …" and "Named …" open answers."""
    return _opens_with(sentence, rules.question_continuations) or (
        _asks_again(sentence, rules) and not sentence.rstrip().endswith(_STATEMENT_END))


def _asks_again(sentence: str, rules: StructureRules) -> bool:
    """A follow-up question's opening ("Is it…", "What replaces it"); one that may open a statement's clause asks only
    with an auxiliary next ("When would you…"; "When the facts change" answers)."""
    if not _opens_with(sentence, rules.question_followups):
        return False
    words = [w.strip(",").lower() for w in sentence.split(maxsplit=2)]
    return words[0] not in rules.statement_openers or (len(words) > 1 and words[1] in rules.question_auxiliaries)


def split_fused(text: str, rules: StructureRules) -> tuple[str, str]:
    """Split "question? answer..." or "question-ending-in-有哪些 answer..." into (question, answer).

    Returns (text, "") when the line is a question alone and ("", "") when it is not a question.
    """
    text = strip_markup(text)
    # a run of short question sentences, each ending in ? (the answer may follow on the same line)
    end, pos = 0, 0
    for mark in re.finditer(r"[?？]", text):
        segment = text[pos : mark.end()]
        if len(segment) > 80 or "。" in segment or (end and segment.strip()[:1] in "\"“'"):
            break
        end = pos = mark.end()
    if end:
        question, answer = text[:end].strip(), text[end:].strip()
        if is_aside(answer):
            question, answer = " ".join(text.split()), ""  # "…一个头？（为什么不使用一个头）": a remark on the question
        if answer and len(answer) <= rules.continuation_max_chars and answer.count("。") <= 1 and \
                continues_question(answer, rules):
            question, answer = text, ""  # "...经验?请分享一个具体的案例。" is one question
        if len(question) <= rules.max_question_chars:
            return question, answer
        return "", ""
    if is_question_text(text, rules):
        return text, ""
    words = "|".join(re.escape(w) for w in sorted(rules.question_final_words, key=len, reverse=True))
    if words:
        match = re.search(rf"({words})[ \t\u3000]+(?=\S)", text)
        if match and match.end(1) <= 60 and not _TERM_EXPLANATION.match(text[: match.end(1)]):
            return text[: match.end(1)].strip(), text[match.end() :].strip()
    return "", ""


_BOLD_THEN_ANSWER = re.compile(
    r"^(\*\*|__)(?P<question>[^*_\n]{2,300}?)\1\s*(?:[—–―]{1,2}|-{1,2}|[:：])\s*(?P<answer>\S.*)$", re.S)


def bold_then_answer(text: str) -> tuple[str, str] | None:
    """A bold run, a dash or colon, then more: "**Why is decode memory-bound?** — it reads every weight" is the
    question (the bold run) and its answer (what follows the dash); None for other lines."""
    found = _BOLD_THEN_ANSWER.match(text.strip())
    return (unlink(found.group("question")).strip(), found.group("answer").strip()) if found else None


def strip_marker(text: str, rules: StructureRules) -> tuple[str, bool]:
    """Drop a question marker ("Q:", "问：") at the start of an already de-numbered line; (text, was marked)."""
    text = strip_markup(text)
    for marker in rules.question_markers:
        match = marker.match(text)
        if match and text[match.end() :].strip():
            return text[match.end() :].strip(), True
    return text, False


def is_link_entry(text: str) -> bool:
    """A line that is one link and nothing else: a table-of-contents entry or a pointer, not a question."""
    stripped = re.sub(r"^(\*\*|__)(.*)\1$", r"\2", text.strip())
    return bool(_LINK.fullmatch(stripped))


# a numbered bold term followed by its gloss ("1. **定义**：清晰解释概念", "2. **Recall**: share of positives found")
_BOLD_TERM = re.compile(r"^(?:\d{1,3}\s*[.、)）]\s*)?(\*\*|__)[^*_\n]{1,24}?\1\s*[:：]\s*\S")


def _asks_by_itself(text: str, rules: StructureRules) -> bool:
    """Holds an interrogative ("是什么", "how"), not only a prompt verb ("解释", "说明")."""
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(word)}\b", lowered) if word.isascii() else word in text
               for word in rules.interrogatives)


def looks_like_question_line(text: str, rules: StructureRules) -> bool:
    """A numbered line (not an answer-point style) whose text is a question, or a Q:-marked line."""
    if is_link_entry(text):
        return False
    raw, text = text, strip_markup(text)
    rest, marked = strip_marker(text, rules)
    if marked:
        return not _marked_statement(rest, rules)
    found = numbering(text, rules)
    if found is None or found.style in rules.answer_point_numbering:
        return False
    rest, marked = strip_marker(found.rest, rules)
    if marked or found.style in rules.question_numbering:
        return True
    if _BOLD_TERM.match(raw.strip()) and not rest.rstrip().endswith(("?", "？")) and \
            not _asks_by_itself(rest, rules):
        return False  # "1. **定义**：清晰解释概念": a term and its gloss, not a question
    return bool(split_fused(rest, rules)[0])


def section_title(text: str, rules: StructureRules) -> str:
    """The section title if the line is a plain-text section heading ("一、基础篇" -> "基础篇")."""
    for pattern in rules.section_patterns:
        match = pattern.match(text.strip())
        if match:
            return (match.groupdict().get("title") or text).strip()
    return ""


def ends_sentence(text: str) -> bool:
    return bool(text) and text.rstrip()[-1:] in _SENTENCE_END + ".;；…"


def asking_lines(blocks: tuple[Block, ...] | list[Block], rules: StructureRules) -> tuple[int, int]:
    """(lines that ask a question, lines) among the text lines of an answer."""
    lines = [b for b in blocks if b.kind in ("para", "item", "heading")]
    asking = [b for b in lines
              if strip_markup(b.text).rstrip().endswith(("?", "？")) and is_question_text(b.text, rules)]
    return len(asking), len(lines)


def made_of_questions(blocks: tuple[Block, ...] | list[Block], rules: StructureRules) -> bool:
    """An "answer" that is a list of other questions (a category over questions, or a question list)."""
    asking, lines = asking_lines(blocks, rules)
    settings = rules.self_checks
    return asking >= settings.answer_questions_min and asking >= settings.answer_questions_share * lines
