"""Structures met on real pages nobody here had seen (each fixture is invented, in the same shape): quoted
questions over collapsed answers, announced lists of bold questions, escaped bold, reference-style links,
decorated heading questions, remarks after a question, category headings over question lists, long questions."""

from __future__ import annotations

from pipeline.config import Rules
from tests.conftest import FIXTURES, extract_file


def test_one_line_quotes_ask_and_details_labelled_answer_reveal(rules: Rules) -> None:
    source = extract_file(FIXTURES / "quoted-questions-details-answers.md", rules)
    assert [i.question for i in source.items] == [
        "为什么梯度裁剪能稳定训练？", "Adam 和 SGD 的主要区别？", "学习率预热的做法",
        "权重衰减与 L2 正则在 Adam 下是否等价？"]
    clip, adam, warmup, decay = source.items
    assert clip.answer.startswith("梯度范数超过阈值时按比例缩小") and clip.answer.endswith("常见阈值在 1.0 左右。")
    assert adam.answer.endswith("SGD 对所有参数使用同一个学习率。")
    assert warmup.number == "3" and "让早期不稳定的梯度" in warmup.answer  # the statement in the gap is a question
    assert decay.answer.startswith("不等价") and "答案" not in "".join(i.answer for i in source.items)
    assert not any(i.flags for i in source.items)


def test_announced_list_of_bold_questions_escaped_bold_and_reference_links(rules: Rules) -> None:
    source = extract_file(FIXTURES / "announced-bold-list.md", rules)
    assert [i.question for i in source.items] == [
        "What does momentum add to gradient descent?", "Why does Adam need bias correction?",
        "Explain learning-rate warmup.", "When would you pick SGD over Adam?"]
    momentum, bias, warmup, sgd = source.items
    assert momentum.answer.endswith("steep directions ([notes](https://example.org/optimizer-notes)).")
    assert bias.answer.startswith("The moment estimates start at zero")
    assert "([paper](https://example.org/adam-paper))" in bias.answer
    assert warmup.answer.startswith("• **Idea**: start with a tiny step size") and "\\*" not in warmup.answer
    assert "[1]" not in "".join(i.answer for i in source.items)
    assert sgd.answer.startswith("When the best final generalization") and not any(i.flags for i in source.items)


def test_decorated_heading_questions_under_group_headings(rules: Rules) -> None:
    source = extract_file(FIXTURES / "emoji-heading-questions.md", rules)
    assert [i.question for i in source.items] == [
        "Name the two phases of generating text with a decoder model.", "Why does batching raise throughput?",
        "Explain speculative decoding.", "What limits the context length at serving time?"]
    assert [i.number for i in source.items] == ["1", "2", "3", "4"]
    phases, batching = source.items[:2]
    assert phases.answer == "Prefill reads the whole prompt in parallel and fills the cache; decode then produces " \
                            "one token per step."
    assert batching.answer.endswith("waiting on memory.")  # the next group's heading is not part of it
    for item in source.items:
        assert "Answer" not in item.answer and "Questions" not in item.answer and "📌" not in item.question
    assert not any(i.flags for i in source.items)


def test_a_bracketed_remark_after_a_question_is_not_its_answer(rules: Rules) -> None:
    source = extract_file(FIXTURES / "question-list-with-asides.md", rules)
    assert [i.question for i in source.items] == [
        "为什么 Transformer 用 LayerNorm？（和 BatchNorm 对比着说）",
        "Pre-Norm 和 Post-Norm 有什么区别？ （可以结合训练稳定性回答）",
        "RMSNorm 去掉了什么？",
        "BatchNorm 在推理时用什么统计量？(提示：滑动平均)"]
    assert all(i.answer == "" and i.flags == ("no-answer",) for i in source.items)


def test_a_category_heading_over_unanswered_questions_is_no_card(rules: Rules) -> None:
    source = extract_file(FIXTURES / "category-heading-over-questions.md", rules)
    assert "项目经验" not in [i.question for i in source.items]
    assert not [i for i in source.items if i.answer]


def test_a_long_question_in_the_numbered_run_keeps_its_place(rules: Rules) -> None:
    source = extract_file(FIXTURES / "long-numbered-question.md", rules)
    assert [i.number for i in source.items] == ["1", "2", "3"]
    long_one = source.items[1]
    assert long_one.question.startswith("Explain the difference between L1 and L2 penalties")
    assert long_one.question.endswith("choose the L1 penalty over the L2 penalty?")
    assert long_one.answer.startswith("L1 drives some weights exactly to zero")
    assert source.items[0].answer == "It zeroes a random share of activations so that units cannot rely on one another."
    assert not source.findings


def test_collapsed_question_lists_and_a_decorated_contribution_section_make_no_card(rules: Rules) -> None:
    source = extract_file(FIXTURES / "details-question-lists.md", rules)
    questions = [i.question for i in source.items]
    assert "查看问题" not in questions and "View Questions" not in questions
    assert not any("如何贡献" in q for q in questions)
    assert not [i for i in source.items if i.answer]


def test_q_and_a_labels_in_one_list_item_a_problem_label_and_bold_term_glosses(rules: Rules) -> None:
    source = extract_file(FIXTURES / "list-q-a-labels-and-bold-terms.md", rules)
    assert [i.question for i in source.items] == [
        "解释残差连接的作用", "为什么要做梯度累积？", "一个隐藏维度 1024、12 层的 Transformer，大约有多少参数？",
        "KV Cache：缓存的是什么"]  # a bold term with a gloss that asks by itself stays a question
    residual, accumulate, params, cache = source.items
    assert cache.answer == "只缓存每层注意力的 K 和 V，Q 每步重新算。"
    assert residual.answer == "残差连接让梯度可以绕过若干层直接回传，深层网络因此更容易训练。"
    assert accumulate.answer.startswith("显存放不下大 batch 时") and "**A**" not in accumulate.answer
    assert params.answer.startswith("- 每层约 12 × 1024² ≈ 1260 万") and params.answer.endswith("12 层合计约 1.5 亿")
    assert params.section == "计算题1：参数量估算"
    text = "".join(i.question + i.answer for i in source.items)
    assert "先讲清楚概念" not in text and "定义" not in text  # a term and its gloss are not questions


def test_bullet_questions_asking_without_a_question_mark_are_never_an_answer(rules: Rules) -> None:
    source = extract_file(FIXTURES / "bullet-questions-nested-answers.md", rules)
    assert [i.question for i in source.items] == [
        "What does a tokenizer do?", "Explain teacher forcing.", "Why do we shuffle training data?",
        "Describe beam search.", "Define perplexity.", "How is top-p sampling different from top-k?"]
    answers = {i.question: i.answer for i in source.items}
    assert answers["What does a tokenizer do?"] == "- it splits text into pieces the model has ids for"
    assert answers["Explain teacher forcing."].startswith("- during training the decoder reads the true")
    assert answers["Why do we shuffle training data?"] == ""  # not "Describe beam search."
    assert [i.question for i in source.items if i.answer] == ["What does a tokenizer do?", "Explain teacher forcing."]


def test_choices_without_the_right_one_are_no_answer_and_blanks_are_not_markup(rules: Rules) -> None:
    source = extract_file(FIXTURES / "quiz-options-without-answers.md", rules)
    assert [i.question for i in source.items] == [
        "哪个优化器为每个参数自适应调整步长？", "学习率越大，训练一定越快收敛。",
        "动量法把历史梯度做______平均，用来抑制震荡。", "请简述学习率预热的作用。"]
    adam, rate, blank, warmup = source.items
    assert adam.answer == "" and rate.answer == "" and blank.answer == ""
    assert all(i.flags == ("no-answer",) for i in (adam, rate, blank))  # no markup finding for "______"
    assert warmup.answer.startswith("训练初期梯度噪声大") and not warmup.flags


def test_a_long_question_numbered_next_in_the_form_of_the_last_one(rules: Rules) -> None:
    source = extract_file(FIXTURES / "long-next-question.md", rules)
    assert [i.number for i in source.items] == ["1", "2", "3"]
    decay, dropout, norm = source.items
    assert norm.question.endswith("Discuss what goes wrong with the other one at batch size one.")
    assert norm.answer.startswith("Layer normalization;")
    assert decay.answer.endswith("**Effect on small weights:** they barely move.")
    assert dropout.question.startswith("Explain why dropout is often described as training an ensemble")
    assert dropout.answer.startswith("Each step trains a different random sub-network")


def test_a_first_question_one_heading_level_off_its_restatement_and_answer_analysis_labels(rules: Rules) -> None:
    source = extract_file(FIXTURES / "off-level-first-question.md", rules)
    assert [i.question for i in source.items] == [
        "为什么 Transformer 用 LayerNorm 而不用 BatchNorm？", "Pre-Norm 为什么更容易训练？", "RMSNorm 省掉了哪一步？"]
    assert [i.answer for i in source.items] == [
        "序列长度不一、batch 往往很小，按样本在特征维上归一化更稳定。",
        "残差主干上没有归一化，梯度可以直接回传到浅层。", "省掉了减均值，只按均方根缩放。"]
    assert "这几道题网上都有答案" not in "".join(i.answer for i in source.items)
