"""The dedup index kept between builds: resuming it gives exactly what a full build gives, matching only new items."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline.dedup.group as group_module
from pipeline.config import Rules
from pipeline.dedup import cluster
from pipeline.models import QAItem, SourceItems, SourceMeta

PAGES = {
    "a": ["什么是注意力机制?", "LoRA的原理是什么?", "什么是LoRA?", "如何缓解幻觉?", "LoRA 的原理是什么?"],
    "b": ["讲讲对Attention的理解", "What is QLoRA?", "What is LoRA?", "为什么会产生幻觉?"],
    "c": ["How can hallucination be mitigated?", "What is the attention mechanism?", "什么是QLoRA?"],
}


def _source(slug: str, questions: list[str]) -> SourceItems:
    items = tuple(QAItem(f"q{n}", q, "答案", "", "en" if q.isascii() else "zh") for n, q in enumerate(questions))
    return SourceItems(slug, f"{slug}.md", SourceMeta(), "utf-8", "md", 1, 0, items)


def _shape(result: tuple[list, list]) -> tuple[list, list]:  # type: ignore[type-arg]
    clusters, related = result
    return ([[(m.source, m.item_id, m.reason, m.score) for m in c.members] for c in clusters],
            [(r.a, r.b, r.score, r.why_not) for r in related])


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions reduced to keys (each costs a taxonomy scan)."""
    seen: list[str] = []
    real = group_module.make_key

    def make_key(question: str, lang: str, rules: object) -> object:
        seen.append(question)
        return real(question, lang, rules)  # type: ignore[arg-type]

    monkeypatch.setattr(group_module, "make_key", make_key)
    return seen


def test_resuming_the_index_equals_a_full_build_and_matches_only_new_items(
        tmp_path: Path, rules: Rules, counted: list[str]) -> None:
    sources = [_source(slug, qs) for slug, qs in PAGES.items()]
    full = _shape(cluster(sources, rules.dedup))
    assert len(full[0]) < sum(len(q) for q in PAGES.values())  # something merged: the comparison means something
    kept = tmp_path / "dedup-index.json"
    cluster(sources[:2], rules.dedup, kept)
    counted.clear()
    assert _shape(cluster(sources, rules.dedup, kept)) == full
    assert counted == PAGES["c"]
    counted.clear()
    assert _shape(cluster(sources, rules.dedup, kept)) == full  # nothing new: nothing matched again
    assert counted == []


def test_an_edited_early_item_or_other_rules_rebuild_from_scratch(
        tmp_path: Path, rules: Rules, counted: list[str]) -> None:
    kept = tmp_path / "dedup-index.json"
    sources = [_source(slug, qs) for slug, qs in PAGES.items()]
    cluster(sources, rules.dedup, kept)
    edited = [_source("a", ["什么是自注意力?", *PAGES["a"][1:]]), *sources[1:]]
    counted.clear()
    assert _shape(cluster(edited, rules.dedup, kept)) == _shape(cluster(edited, rules.dedup))
    assert len(counted) == 2 * sum(len(q) for q in PAGES.values())  # the kept build, then the plain one
    stricter = type(rules.dedup)(**{**rules.dedup.__dict__, "threshold": 99})
    counted.clear()
    cluster(edited, stricter, kept)
    assert len(counted) == sum(len(q) for q in PAGES.values())


def test_an_unreadable_index_is_rebuilt(tmp_path: Path, rules: Rules) -> None:
    kept = tmp_path / "dedup-index.json"
    kept.write_text("{not json", encoding="utf-8")
    sources = [_source(slug, qs) for slug, qs in PAGES.items()]
    assert _shape(cluster(sources, rules.dedup, kept)) == _shape(cluster(sources, rules.dedup))
    assert kept.read_text(encoding="utf-8").startswith('{"schema":1')
    (tmp_path / "dedup-index.state.pickle").write_bytes(b"\x80\x05junk")  # state lost: resuming starts over
    more = [*sources, _source("d", ["什么是RAG?"])]
    assert _shape(cluster(more, rules.dedup, kept)) == _shape(cluster(more, rules.dedup))
