"""Deduplication: the same question merges; related-but-different questions never do."""

from __future__ import annotations

import pytest

from pipeline.config import Rules
from pipeline.dedup import cluster, make_key, same_question
from pipeline.dedup.keys import Key
from pipeline.models import QAItem, SourceItems, SourceMeta


def _same(a: str, b: str, rules: Rules) -> bool:
    def key(question: str) -> Key:
        return make_key(question, "en" if question.isascii() else "zh", rules.dedup)

    return same_question(key(a), key(b), rules.dedup)[0]


@pytest.mark.parametrize(("a", "b"), [
    ("预训练和微调哪个阶段注入知识的?", "4.预训练和微调哪个阶段注入知识"),
    ("如何使用LangChain?", "LangChain 如何使用?"),
    ("请简述什么是Transformer?", "谈谈你对Transformer的理解"),
    ("什么是词元化(Tokenization)?", "什么是词元化？"),
    ("ＬｏＲＡ的原理是什么？", "LoRA的原理是什么?"),
])
def test_same_question_merges(a: str, b: str, rules: Rules) -> None:
    assert _same(a, b, rules)


@pytest.mark.parametrize(("a", "b"), [
    # one comparison of the same alternatives, whatever else each asks beside it
    ("LoRA和QLoRA相比各有什么优缺点?", "为什么越来越多人从LoRA转向QLoRA?"),
    ("与LayerNorm相比,RMSNorm有什么优点?", "RMSNorm和LayerNorm有什么区别?"),
    ("介绍一下Top-k采样,它和Top-p采样有什么不同?", "Top-k和Top-p采样的区别"),
    # the alternatives listed as examples ('例如 A, B, 和 C') are what a comparison compares
    ("请比较几种归一化方法，例如 LayerNorm, RMSNorm, 和 BatchNorm。", "LayerNorm、RMSNorm和BatchNorm各有什么优缺点？"),
    # the same asks of the same concepts in other names
    ("请你介绍一下旋转位置编码，对比绝对位置编码它有什么优点？", "请你介绍一下RoPE，对比绝对位置编码它有什么优点？"),
    # what is going on with a problem covers how to avoid it and why it happens
    ("梯度消失到底是怎么回事?", "如何缓解梯度消失?"),
    ("What is going on with hallucination in LLMs?", "为什么大模型会产生幻觉?"),
])
def test_asks_that_share_their_heart_merge(a: str, b: str, rules: Rules) -> None:
    assert _same(a, b, rules)


@pytest.mark.parametrize(("a", "b"), [
    ("LoRA和QLoRA的区别是什么?", "LoRA和Adapter的区别是什么?"),  # a comparison of other alternatives
    ("梯度消失是怎么回事?", "如何缓解梯度爆炸?"),  # a wide open request still names its concept
    ("梯度消失是怎么回事?", "ReLU如何缓解梯度消失?"),
    ("请比较几种归一化方法，例如 LayerNorm 和 BatchNorm。", "LayerNorm和RMSNorm有什么区别？"),
    ("什么是LLMs复读机问题?", "为什么会出现LLMs复读机问题?"),
    ("为什么会出现LLMs复读机问题?", "如何缓解LLMs复读机问题?"),
    ("什么是注意力分数?", "注意力分数如何计算?"),
    ("GPT-3 的上下文长度是多少?", "GPT-4 的上下文长度是多少?"),
    ("What is LoRA?", "What is QLoRA?"),
])
def test_related_but_different_never_merge(a: str, b: str, rules: Rules) -> None:
    assert not _same(a, b, rules)


def test_clusters_keep_every_member_as_provenance(rules: Rules) -> None:
    def source(slug: str, *questions: str) -> SourceItems:
        items = tuple(QAItem(f"q{n}", q, "答案", "", "zh") for n, q in enumerate(questions))
        return SourceItems(slug, f"{slug}.txt", SourceMeta(), "utf-8", "txt", 1, 0, items)

    clusters, related = cluster([source("a", "什么是RAG?", "RAG有哪些步骤?"),
                                 source("b", "什么是 RAG？", "什么是LoRA?")], rules.dedup)
    assert [[(m.source, m.item_id, m.reason) for m in c.members] for c in clusters] == [
        [("a", "q0", "first"), ("b", "q0", "exact")], [("a", "q1", "first")], [("b", "q1", "first")]]
    assert all(r.why_not for r in related)


def test_an_english_question_merges_with_the_english_side_of_a_bilingual_item(rules: Rules) -> None:
    bilingual = SourceItems("zh", "zh.txt", SourceMeta(), "utf-8", "txt", 1, 0, (
        QAItem("q1", "LLM中的上下文窗口是什么,它为什么重要?", "上下文窗口指……", "", "zh", alt_lang="en",
               alt_question="What is the context window in LLMs, and why does it matter?",
               alt_answer="The context window refers to..."),))
    english = SourceItems("en", "en.md", SourceMeta(), "utf-8", "md", 1, 0, (
        QAItem("q9", "What is the context window in LLMs and why does it matter?", "It is ...", "", "en"),))
    clusters, _ = cluster([bilingual, english], rules.dedup)
    assert [[m.source for m in c.members] for c in clusters] == [["zh", "en"]]
