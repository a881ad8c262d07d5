"""Answer blocks to Markdown: labels stripped, flattened lists split, damage (lost formulas, cut-offs) found."""

from __future__ import annotations

import re

from pipeline.config import Rules
from pipeline.models import Block
from pipeline.questions import ends_sentence, numbering

_SENTENCE_RUN = re.compile(r"(?<=[。！？])\s+(?=\S)")
_TERM_START = re.compile(r"^[^:：。]{1,30}[:：]")
_ENUMERATED = re.compile(r"^\s*([(（]\s*\d+\s*[)）]|[①-⑩]|\d+\s*[、.．)]|[-*•●])")
_LINKS = re.compile(r"\[[^\]]*\]\([^)\s]+\)|<?https?://\S+>?")
_NAMED_LINK_ITEM = re.compile(r"(?:[-*+]|\d{1,3}[.)])\s+\[([^\]]*)\]\([^)\s]+\)[.,;。；]?")
_FUSED_HEADING = re.compile(r"^(?P<body>.*[。！？!?])\s+(?P<heading>[^。！？.!?,，:：;；()（）]{2,16})$", re.S)


def announces_list(text: str, rules: Rules) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in rules.structure.list_announcers)


def is_label(text: str, rules: Rules) -> bool:
    """A short line with no sentence in it, such as "目的" or "Advantages:"."""
    body = text.strip().rstrip(":：")
    if announces_list(body, rules):
        return False  # "RAG包括:" introduces the list; it is a sentence, not a heading
    return 0 < len(body) <= 12 and not re.search(r"[。！？.!?,，;；*`\[]", body)


def strip_label(text: str, rules: Rules) -> tuple[str, str]:
    """Remove an answer label ("回答:", "A1：", "**A:**"); returns (text, variant such as "如果有经验")."""
    bold = re.match(r"^(\*\*|__)(.{1,24}?)\1\s*", text)
    if bold and any(label.match(bold.group(2)) or label.match(bold.group(2) + ":")
                    for label in rules.structure.answer_labels):
        # "**A:** text", "**A**: text", "**Answer**" -> "A: text", "A: text", "Answer: "
        text = bold.group(2).rstrip(":：") + ": " + text[bold.end() :].lstrip(":： ")
    for label in rules.structure.answer_labels:
        match = label.match(text)
        if match and text[match.end() :].strip():
            return text[match.end() :].strip(), (match.groupdict().get("variant") or "").strip()
    return text, ""


def split_fused_heading(text: str) -> tuple[str, str]:
    """'...部分。 大模型参数微调、训练、推理' -> (answer, heading) when a heading was glued to the end."""
    match = _FUSED_HEADING.match(text)
    if match and not match.group("heading").strip().isdigit():
        return match.group("body").strip(), match.group("heading").strip()
    return text, ""


def _escape_line_start(text: str) -> str:
    """Keep prose from being read as Markdown structure (a heading, a quote, a thematic break)."""
    return re.sub(r"^(#{1,6}\s|>|={3,}|-{3,})", r"\\\1", text, flags=re.M)


def block_markdown(block: Block, rules: Rules) -> str:
    """One answer block as Markdown."""
    if block.kind == "code":
        fence = "````" if "```" in block.text else "```"
        return f"{fence}{block.lang}\n{block.text}\n{fence}"
    if block.kind == "table":
        return block.text
    if block.kind == "heading":
        return f"**{block.text.strip('*')}**"
    if block.kind == "quote":
        return "\n".join("> " + line if line else ">" for line in block.text.split("\n"))
    if block.kind == "item":
        indent = "  " * block.level
        found = numbering(block.text, rules.structure)
        if found and found.style == "arabic-enum" and found.num.isdigit():
            return f"{indent}{found.num}. {_escape_line_start(found.rest)}"
        return f"{indent}- {_escape_line_start(block.text)}"
    found = numbering(block.text, rules.structure)
    if found and found.style == "arabic-enum" and found.num.isdigit():
        return f"{found.num}. {_escape_line_start(found.rest)}"
    parts = _SENTENCE_RUN.split(block.text) if len(_SENTENCE_RUN.findall(block.text)) >= 2 else [block.text]
    return "\n\n".join(_escape_line_start(p.strip()) for p in parts if p.strip())


def join_markdown(parts: list[str]) -> str:
    """Join Markdown blocks; consecutive list items stay one list."""
    out: list[str] = []
    for part in parts:
        if not part.strip():
            continue
        is_item = bool(re.match(r"^\s*(- |\d+\. )", part))
        if out and is_item and re.match(r"^\s*(- |\d+\. )", out[-1].split("\n")[-1]):
            out[-1] += "\n" + part
        else:
            out.append(part)
    return "\n\n".join(out).strip()


def is_link_only(answer: str, rules: Rules) -> bool:
    """An answer that only points elsewhere ("See [this explainer](url).")."""
    if "![" in answer:
        return False  # an image is content (a diagram, a table as a picture), not a pointer elsewhere
    if _named_links(answer, rules):
        return False
    links = _LINKS.findall(answer)
    rest = _LINKS.sub("", answer).lower()
    for word in sorted(rules.structure.link_words, key=len, reverse=True):
        rest = rest.replace(word.lower(), "")
    rest = re.sub(r"[\W_]", "", rest)
    return bool(links) and len(rest) <= 12


def _named_links(answer: str, rules: Rules) -> bool:
    """A list whose every item is one short named link ("1. [KL divergence](…)"): the link texts are the answer."""
    lines = [line.strip() for line in answer.splitlines() if line.strip()]
    texts = [m.group(1) for line in lines if (m := _NAMED_LINK_ITEM.fullmatch(line))]
    return len(lines) >= rules.structure.named_links_min_items and len(texts) == len(lines) and \
        all(0 < len(t.strip()) <= rules.structure.named_link_max_chars for t in texts)


def damage(blocks: list[Block], answer: str, inline: bool, rules: Rules) -> list[str]:
    """Names of the damage rules an answer trips (see damage.yaml)."""
    found: list[str] = []
    prose = [b for b in blocks if b.kind != "code"]
    for rule in rules.damage:
        if rule.regex is not None:
            text = "\n".join(b.text for b in prose) or answer
            if rule.regex.search(text):
                found.append(rule.name)
        elif rule.dangling_colon and _dangling_colon(blocks, rules):  # code after "例如：" is what it announces
            found.append(rule.name)
        elif rule.cut_off and _cut_off(blocks, answer, inline):
            found.append(rule.name)
    return found


def _dangling_colon(blocks: list[Block], rules: Rules) -> bool:
    for index, current in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        text = current.text.rstrip()
        if current.kind != "para" or not text.endswith((":", "：")) or len(text) < 18:
            continue
        if announces_list(text, rules):
            continue
        if following is None:
            return True
        nxt = following.text
        if following.kind == "para" and not (_TERM_START.match(nxt) or _ENUMERATED.match(nxt) or "=" in nxt
                                              or numbering(nxt, rules.structure) or "\\(" in nxt):
            return True
    return False


def _cut_off(blocks: list[Block], answer: str, inline: bool) -> bool:
    last_text = blocks[-1].text if blocks else answer
    if blocks and blocks[-1].kind != "para":
        return False
    last = last_text.strip()
    if not last or ends_sentence(last) or not (last[-1].isalpha()):
        return False
    final_sentence = re.split(r"[。！？.!?]", last)[-1]
    return inline or len(final_sentence) < 20
