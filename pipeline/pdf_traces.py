"""Traces a PDF export leaves in a page's text: page numbers between paragraphs, words hyphenated at a line end."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from pipeline.models import Block, Removal, Repair
from pipeline.rules_model import PdfTraceRules

_SENTENCE_END = (".", "!", "?", ":", ";", "。", "！", "？", "：", "；", ")", "）", "\"", "”")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def counting_runs(numbers: list[tuple[int, int]]) -> list[list[int]]:
    """The chains of (index, value) pairs whose values count up by one, in page order, as lists of indexes."""
    chains: dict[int, list[int]] = {}  # the value a chain expects next -> the indexes in it
    done: list[list[int]] = []
    for index, value in numbers:
        chain = chains.pop(value, None)
        if chain is None:
            chain = []
            done.append(chain)
        chain.append(index)
        chains[value + 1] = chain
    return done


def drop_page_numbers(blocks: list[Block], rules: PdfTraceRules,
                      asks_own: Callable[[Block], str | None]) -> tuple[list[Block], list[Removal], list[Repair]]:
    """Drop the page numbers a PDF export left between paragraphs and join a paragraph a page break cut in two.

    `asks_own(block)` is the printed number of the question a block opens ("" when unnumbered), None when it asks
    nothing: a number alone above a question with no other number (or the same) is that question's number, kept."""
    numbers = [(i, int(found.group("n"))) for i, b in enumerate(blocks)
               if b.kind == "para" and (found := rules.page_number.match(b.text.strip()))]
    pages: set[int] = set()
    for chain in counting_runs(numbers):
        between = sum(len(b.text) for b in blocks[chain[0] : chain[-1] + 1])
        if len(chain) >= rules.min_run and between >= rules.min_chars_between * (len(chain) - 1):
            pages.update(chain)
    out: list[Block] = []
    removals: list[Removal] = []
    repairs: list[Repair] = []
    joined_next = False
    for i, block in enumerate(blocks):
        if joined_next:
            joined_next = False
            continue
        own = asks_own(blocks[i + 1]) if i in pages and i + 1 < len(blocks) else None
        if i not in pages or (own is not None and own in ("", block.text.strip())):
            out.append(block)
            continue
        removals.append(Removal("pdf-page-number", block.text, block.line))
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        before = out[-1] if out else None
        if before is not None and after is not None and before.kind == after.kind == "para" and \
                not before.text.rstrip().endswith(_SENTENCE_END) and after.text[:1].islower():
            out[-1] = replace(before, text=f"{before.text.rstrip()} {after.text.lstrip()}")
            repairs.append(Repair("page-break-joined", f"{before.text[-20:]} / {after.text[:20]}",
                                  f"{before.text[-20:]} {after.text[:20]}", after.line))
            joined_next = True
    return out, removals, repairs


def mend_hyphen_breaks(blocks: list[Block], rules: PdfTraceRules,
                       exported: bool) -> tuple[list[Block], list[Repair]]:
    """Join words a line end hyphenated ("ini- tialized" -> "initialized", "fine- tuning" -> "fine-tuning"): the
    page's own words decide (its spelling of the word, or another compound it starts with a hyphen); a break whose
    first half the page also uses alone (a dash in prose) stays as it is. Only a page `exported` from PDF (its page
    numbers found) has a break the page does not spell out mended: elsewhere "cheap- it is" is a dash in prose."""
    texts = [b.text for b in blocks if b.kind != "code"]
    if not any(rules.hyphen_break.search(t) for t in texts):
        return blocks, []
    words = Counter(w.lower() for t in texts for w in _WORD.findall(rules.hyphen_break.sub(" ", t)))
    hyphenated = Counter(w.split("-")[0] for w in words if "-" in w)  # "fine" of "fine-tuned"
    repairs: list[Repair] = []

    def mend(match: re.Match[str], line: int) -> str:
        first, second = match.group(1), match.group(2)
        if second.lower() in rules.suspended_before:
            return match.group(0)
        if words[f"{first}-{second}".lower()] or (exported and hyphenated[first.lower()]):
            mended = f"{first}-{second}"  # "fine- tuning" where the page writes "fine-tuned"
        elif words[f"{first}{second}".lower()] or (exported and not words[first.lower()]):
            mended = f"{first}{second}"
        else:
            return match.group(0)
        repairs.append(Repair("line-break-hyphen", match.group(0), mended, line))
        return mended

    out = [b if b.kind == "code" else replace(b, text=rules.hyphen_break.sub(partial(mend, line=b.line), b.text))
           for b in blocks]
    return out, repairs
