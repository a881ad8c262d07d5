"""A fresh build of the seed pages (no ledger): the reworded duplicates merge, nothing else does."""

from __future__ import annotations

import pytest

from pipeline.config import load_rules
from pipeline.dedup import MergeRule, cluster
from pipeline.models import Cluster, QAItem
from pipeline.session import Paths, Session
from tests.conftest import NOW, SEEDS_DIR

# Every card of two or more questions a fresh build must make, by question text (all members, in any order).
EXPECTED = [
    {"讲讲对Attention的理解?", "大模型中的注意力机制是如何工作的?它在大模型中起到了什么作用?",
     "注意力机制(Attention Mechanism)在Transformer模型中如何运作?"},  # attention explained in three pages
    {"Attention的计算步骤是什么?", "在Transformer中,注意力分数(Attention Scores)是如何计算的?"},  # the formula in two
    {"对COT (chain of thought)的理解", "什么是思维链(Chain-of-Thought, CoT)提示,它如何辅助推理?"},
    {"在NLP中,生成模型(Generative Models)和判别模型(Discriminative Models)有何区别?",
     "判别式AI(Discriminative AI)和生成式AI(Generative AI)有何不同?"},
    {"微调后的模型出现能力劣化灾难性遗忘是怎么回事?",  # what is going on with it: whatever answers it, avoiding it too
     "LLM在微调过程中如何避免灾难性遗忘(Catastrophic Forgetting)?"},  # catastrophic forgetting
    {"大模型LLM的架构介绍?", "请简述你了解的大模型的主要结构特点。"},  # the model architecture question
    {"请简述什么是大模型,以及它与传统模型的主要区别是什么?", "如何定义大型语言模型(LLM)?"},
    {"预训练和微调哪个阶段注入知识的?", "预训练和微调哪个阶段注入知识"},
    {"如何使用LangChain?", "LangChain 如何使用?"},
]


@pytest.fixture(scope="module")
def clusters(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Cluster], dict[tuple[str, str], QAItem]]:
    session = Session(Paths(SEEDS_DIR, tmp_path_factory.mktemp("seeds") / "decks"), load_rules(), now=NOW)
    session.clean()
    sources = session.extract()
    items = {(s.slug, i.id): i for s in sources for i in s.items}
    return cluster(sources, session.rules.dedup)[0], items


def test_reworded_duplicates_merge_and_nothing_else(
        clusters: tuple[list[Cluster], dict[tuple[str, str], QAItem]]) -> None:
    found, items = clusters
    merged = [{items[(m.source, m.item_id)].question for m in c.members} for c in found if len(c.members) > 1]
    assert sorted(merged, key=sorted) == sorted(EXPECTED, key=sorted)


def test_each_member_says_why_it_joined(clusters: tuple[list[Cluster], dict[tuple[str, str], QAItem]]) -> None:
    found, _ = clusters
    rules = {m.reason for c in found for m in c.members}
    assert rules <= {r.value for r in MergeRule}
    assert all(c.members[0].reason == MergeRule.FIRST and all(m.reason != MergeRule.FIRST for m in c.members[1:])
               for c in found)
    assert all(0 < m.score <= 100 for c in found for m in c.members)


def test_close_but_different_seed_questions_stay_apart(
        clusters: tuple[list[Cluster], dict[tuple[str, str], QAItem]]) -> None:
    found, items = clusters
    card_of = {items[(m.source, m.item_id)].question: n for n, c in enumerate(found) for m in c.members}
    for a, b in [("PEFT如何缓解灾难性遗忘?", "LLM在微调过程中如何避免灾难性遗忘(Catastrophic Forgetting)?"),
                 ("微调后的模型出现能力劣化灾难性遗忘是怎么回事?", "PEFT如何缓解灾难性遗忘?"),
                 ("什么是LLMs复读机问题?", "为什么会出现LLMs复读机问题?"),
                 ("为什么会出现LLMs复读机问题?", "如何缓解LLMs复读机问题?"),
                 ("prefix LM 和 causal LM 区别是什么?",
                  "prefix LM 和 causal LM、encoder-decoder 区别及各自有什么优缺点?")]:
        assert card_of[a] != card_of[b], (a, b)

