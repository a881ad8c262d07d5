"""Dedup v2 recall rules: later clauses' asks, why = what-for, alternatives compared, scope, examples in glosses."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Rules, load_rules
from pipeline.dedup import MergeRule, WhyNot, cluster, make_key, verify
from pipeline.errors import ConfigError
from pipeline.models import QAItem, SourceItems, SourceMeta


def _lang(text: str) -> str:
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


def _page(slug: str, *questions: str) -> SourceItems:
    items = tuple(QAItem(f"q{n}", q, "answer", "", _lang(q)) for n, q in enumerate(questions))
    return SourceItems(slug, f"{slug}.txt", SourceMeta(), "utf-8", "txt", 1, 0, items)


def _cards(rules: Rules, *questions: str) -> list[list[str]]:
    """The cards of these questions, each on a page of its own, as lists of question texts."""
    pages = [_page(f"p{n}", q) for n, q in enumerate(questions)]
    text = {(p.slug, i.id): i.question for p in pages for i in p.items}
    return [[text[(m.source, m.item_id)] for m in c.members] for c in cluster(pages, rules.dedup)[0]]


@pytest.mark.parametrize(("a", "b"), [
    ("为什么会出现梯度消失，有哪些方法可以缓解梯度消失？", "如何缓解梯度消失？"),  # one ask of a two-ask question
    ("What is a KV cache, and why does it matter?", "Why does the KV cache matter?"),
    ("Why do we need layer normalization?", "What is the purpose of layer normalization?"),  # why = what for
    ("Dropout有什么作用？", "What is the purpose of dropout?"),  # '有什么' + '作用' asks what it is for, no list
    ("Dropout的作用有哪些？", "为什么要用Dropout？"),
    ("解释一下L1和L2正则化", "L1和L2正则化有什么区别？"),  # alternatives named together are compared
    ("BERT、GPT和T5的区别", "BERT和GPT的区别是什么？"),  # a comparison within a larger one
    ("ELMo、BERT和GPT三者有何不同？", "BERT和GPT的区别是什么？"),  # a third model is one more alternative (kind: model)
    ("What is tokenization in the context of machine translation?", "什么是分词？"),  # a scope is no subject
    ("注意力分数是如何计算的？", "How is attention computed?"),  # computing its scores is computing attention
    ("什么是词元化？请比较一下BPE和WordPiece", "BPE和WordPiece的区别"),  # a later ask with its own concepts
    ("在归一化为概率之前为何要除以根号dk？", "为什么要除以根号d？"),  # a frame says when, not what
    ("注意力的公式，公式里为什么要除以根号d？", "为什么要除以根号d？"),  # a repeated cue restates the subject
    ("什么是BPE分词？", "请解释一下BPE"),  # a definition naming the parent is still covered by the request
    # settings the subject implies
    ("为什么在算自注意力的时候要除以根号d?", "为什么在进行softmax之前需要除以dk的平方根"),
    # two settings that are no phases: one moment told two ways
    ("为什么在QK点积之后要除以根号d？", "为什么在进行softmax之前需要除以dk的平方根？"),
    ("Contrast SVM, logistic regression, and decision trees.", "SVM、逻辑回归和决策树的区别"),  # names after commas
    ("How do encoder–decoder and decoder-only models differ?", "Encoder-decoder vs decoder-only models?"),  # en dash
])
def test_reworded_asks_merge(a: str, b: str, rules: Rules) -> None:
    assert _cards(rules, a, b) == [[a, b]]


@pytest.mark.parametrize(("a", "b"), [
    ("BERT和GPT的区别", "BERT和T5的区别"),
    ("为什么需要归一化（BatchNorm、LayerNorm等）？", "BatchNorm和LayerNorm的区别？"),  # examples, not alternatives
    ("什么是注意力分数？", "什么是注意力机制？"),
    ("为什么会出现梯度消失？", "如何缓解梯度消失？"),
    ("什么是KV Cache，它为什么重要？", "KV Cache有哪些缺点？"),
    ("What is LoRA, and how does it compare to QLoRA?", "What is QLoRA?"),
    # the same subject asked in two settings (a frame or scope names when or where)
    ("在训练时Dropout如何工作？", "在推理时Dropout如何工作？"),
    ("在训练时BatchNorm如何计算均值？", "在推理时BatchNorm如何计算均值？"),
    ("在预训练时学习率如何设置？", "在微调时学习率如何设置？"),
    ("在训练时混合精度如何工作？", "在推理时混合精度如何工作？"),
    ("在预训练阶段如何处理数据？", "在评估阶段如何处理数据？"),
    # a comparison with something more asked beside it: the subject or problem named is no third alternative
    ("RNN和LSTM的区别?", "与RNN相比，LSTM如何缓解梯度消失？"),
    ("Compare LoRA and full fine-tuning.", "Compared with full fine-tuning, how does LoRA reduce GPU memory?"),
    ("与Post-LN相比，Pre-LN有什么好处？", "Post-LN和Pre-LN在训练稳定性上的差异？"),
    # the same alternatives, other things asked of them
    ("与LayerNorm相比，RMSNorm有什么优点？", "RMSNorm相比LayerNorm有哪些缺点？"),
    ("为什么要把ReLU换成GELU？", "GELU相比ReLU有什么缺点？"),
    ("LLM会取代搜索引擎吗？", "LLM和搜索引擎有什么区别？"),
    ("Why is a large learning rate problematic?", "Why is a large learning rate used?"),
    # what is going on with X covers what it is, why it happens and how to avoid it, not every ask
    ("梯度消失是怎么回事?", "如何检测梯度消失?"),
    ("幻觉是怎么回事?", "幻觉有哪些类型?"),
    ("KV cache是怎么回事?", "KV cache为什么能加速推理?"),
    # a first clause setting the scene ('…计算中，') asks nothing: the question is the clause after it
    ("Self-Attention 的计算过程是怎样的?", "Transformer自注意力计算中，为什么Q和K要使用不同的权重矩阵？"),
    # an open request does not cover why a concept is what its named parent says ('decoder-only' above GPT)
    ("Why is GPT decoder-only?", "简单介绍下GPT"),
    # 前 and 后 are parts of words, never filler
    ("大模型推理前需要做什么处理？", "大模型推理后需要做什么处理？"),
    ("什么是前向传播？", "什么是后向传播？"),
    ("后训练阶段包括什么？", "训练阶段包括什么？"),
    # a subject or a field named beside compared alternatives is no third alternative
    ("LoRA和全量微调在推理延迟上的区别？", "LoRA和全量微调的区别？"),
    ("How does dropout differ from weight decay in computer vision?", "How do dropout and weight decay differ in NLP?"),
    # a list after commas: two three-way comparisons that share two alternatives
    ("Compare SVM, logistic regression, and naive Bayes.", "Compare SVM, logistic regression, and decision trees."),
    # a word that is a cue elsewhere names a thing here ('优势函数'); '有什么作用' asks what for, not a list
    ("What is the advantage function in policy gradients?", "What are the advantages of policy gradients?"),
    ("KV Cache有几种实现？", "KV Cache有什么作用？"),
    # 'key' is a word of its own outside 'key differences', 'key components' ...
    ("Why does attention need a key?", "Why is attention needed?"),
    # one choice and its reverse
    ("为什么用LayerNorm而不用BatchNorm？", "为什么用BatchNorm而不用LayerNorm？"),
    ("Why choose RAG instead of fine-tuning?", "Why choose fine-tuning rather than RAG?"),
])
def test_close_asks_stay_apart(a: str, b: str, rules: Rules) -> None:
    assert len(_cards(rules, a, b)) == 2


def test_a_question_asking_two_things_joins_a_card_only_when_every_member_agrees(rules: Rules) -> None:
    both = "为什么会出现梯度消失，如何缓解梯度消失？"
    cards = _cards(rules, "为什么会出现梯度消失？", both, "如何缓解梯度消失？")
    assert cards == [["为什么会出现梯度消失？", both], ["如何缓解梯度消失？"]]
    keys = [make_key(q, "zh", rules.dedup) for q in ("如何缓解梯度消失？", both)]
    assert verify(keys[0], keys[1], rules.dedup).rule is MergeRule.CONTAINED


def test_why_and_what_for_stay_two_questions_of_one_page(rules: Rules) -> None:
    questions = ("LayerNorm的目的是什么？", "为什么LayerNorm有效？")
    one_page, _ = cluster([_page("a", *questions)], rules.dedup)
    two_pages, _ = cluster([_page("a", questions[0]), _page("b", questions[1])], rules.dedup)
    assert (len(one_page), len(two_pages)) == (2, 1)


@pytest.mark.parametrize(("a", "b", "why"), [
    ("哪些任务适合用RAG？", "哪些任务不适合用RAG？", WhyNot.NEGATION),
    ("Which tasks are suited to RAG?", "Which tasks are not suited to RAG?", WhyNot.NEGATION),
    ("When is dropout harmful?", "When is dropout not harmful?", WhyNot.NEGATION),
    ("batch size设置得过大对模型收敛有什么影响？", "batch size设置得过小对模型收敛有什么影响？", WhyNot.DIRECTION),
    ("模型参数量增大时，显存占用如何变化？", "模型参数量减小时，显存占用如何变化？", WhyNot.DIRECTION),  # in a frame
    ("Why does increasing the temperature make outputs more diverse?",
     "Why does decreasing the temperature make outputs more diverse?", WhyNot.DIRECTION),
    ("Transformer解码器在每一步的输入是什么？", "Transformer解码器在每一步的输出是什么？", WhyNot.OPPOSITE),
    ("Why is left padding preferred for batched generation with decoder-only models?",
     "Why is right padding preferred for batched generation with decoder-only models?", WhyNot.OPPOSITE),
    ("上采样有哪些方法？", "下采样有哪些方法？", WhyNot.CONCEPTS),  # '上'/'下' are filler: two concepts
    ("残差连接为什么放在LayerNorm之前？", "残差连接为什么放在LayerNorm之后？", WhyNot.DIRECTION),
    ("为什么要在softmax之前除以根号d？", "为什么要在softmax之后除以根号d？", WhyNot.DIRECTION),  # one moment, two sides
])
def test_a_question_and_its_negation_or_mirror_stay_apart(a: str, b: str, why: WhyNot, rules: Rules) -> None:
    assert sorted(map(len, _cards(rules, a, b))) == [1, 1]
    assert verify(make_key(a, _lang(a), rules.dedup), make_key(b, _lang(b), rules.dedup), rules.dedup).why_not == why


@pytest.mark.parametrize(("a", "b"), [
    ("为什么RNN不能并行？", "RNN为什么不能并行？"),
    ("Why can't RNNs be trained in parallel?", "Why can RNNs not be trained in parallel?"),
    ("Why doesn't BERT use a decoder?", "Why does BERT not use a decoder?"),
    ("为什么模型越大需要的显存越多？", "为什么模型越大显存占用越多？"),
    ("What is low-rank adaptation?", "什么是LoRA？"),  # a name's own 'low' says no direction
    ("大模型会不会取代搜索引擎？", "大模型会取代搜索引擎吗？"),  # 'A不A' asks yes or no, and negates nothing
    ("Transformer需不需要位置编码？", "Transformer需要位置编码吗？"),
    ("RAG有没有必要做重排序？", "RAG有必要做重排序吗？"),
])
def test_both_negated_or_the_same_direction_still_merge(a: str, b: str, rules: Rules) -> None:
    assert _cards(rules, a, b) == [[a, b]]


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("dedup:\n  directions: [up]\n", "deckmill.yaml:2: directions must be a mapping"),
    ("dedup:\n  opposites: [[最大, 最小]]\n", "deckmill.yaml:2: '最大' must be one Chinese character"),
    ("dedup:\n  opposites: [[in, in]]\n", "deckmill.yaml:2: an opposite is a pair of two different words"),
    ("dedup:\n  relative: [sideways]\n", "deckmill.yaml:2: unknown direction 'sideways' in relative"),
    ("dedup:\n  rewrites:\n    - {name: bad, pattern: '(', replace: ''}\n", "deckmill.yaml:3:"),
    ("dedup:\n  negation: [不是]\n", "deckmill.yaml:2: '不是' must be one Chinese character"),
    ("dedup:\n  intents:\n    - {name: cause, words: [为什么], same_as: nosuch}\n", "unknown intent 'nosuch'"),
    ("dedup:\n  siblings: {ask: nosuch, asked: [explain]}\n", "unknown intent 'nosuch'"),
    ("dedup:\n  phases: [train, 推理阶段]\n", "deckmill.yaml:2: unknown phase '推理阶段'"),
    ("taxonomy:\n  topics:\n    - id: mine\n      title: 我的\n      concepts:\n"
     "        - {id: thing, aliases: [东西甲], parent_when: [compute]}\n", "parent_when needs a parent"),
])
def test_broken_dedup_settings_are_reported(tmp_path: Path, yaml_text: str, message: str) -> None:
    config = tmp_path / "deckmill.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_rules(config)


def test_a_broad_question_never_bridges_two_phases(rules: Rules) -> None:
    cards = _cards(rules, "Dropout是怎么回事？", "在训练时Dropout如何工作？", "在推理时Dropout如何工作？")
    assert ["在训练时Dropout如何工作？"] in cards or ["在推理时Dropout如何工作？"] in cards
    assert not any({"在训练时Dropout如何工作？", "在推理时Dropout如何工作？"} <= set(card) for card in cards)


@pytest.mark.parametrize("wide_first", [True, False])
def test_a_wide_request_meets_its_card_whatever_came_before(rules: Rules, wide_first: bool) -> None:
    """More questions of one concept than a block holds keys: 'X是怎么回事' still finds the card it covers."""
    words = ("天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳"
             "云腾致雨露结为霜金生丽水玉出昆冈剑号巨阙珠称夜光果珍李柰菜重芥姜海咸河淡鳞潜羽翔")
    others = [f"梯度消失和{words[n]}的关系?" for n in range(70)]  # one concept, 70 other asks
    wide, fix = "梯度消失是怎么回事?", "如何缓解梯度消失?"
    cards = _cards(rules, *([wide, *others, fix] if wide_first else [*others, fix, wide]))
    assert [wide, fix] in cards or [fix, wide] in cards
