"""Structures met on built documentation sites nobody here had seen (each fixture is invented, in the same markup
shape): interview questions as the titles of callout boxes of one kind, exercises in a list each followed by a
collapsed "Solution"."""

from __future__ import annotations

from pipeline.config import Rules
from tests.conftest import FIXTURES, assert_no_junk, extract_file


def test_titled_boxes_of_an_asking_kind_are_questions_and_other_boxes_stay_answer_text(rules: Rules) -> None:
    source = extract_file(FIXTURES / "builtsite-question-boxes.html", rules)
    questions = [i.question for i in source.items]
    assert questions[:3] == [
        "Why does Adam need bias correction?",
        # imperative, yet a box of the same kind as the two that ask
        "Estimate the optimizer memory of a 7B model trained with Adam in fp32.",
        "When is weight decay not the same as an L2 penalty?"]
    bias, memory, decay = source.items[:3]
    assert bias.answer.startswith("Both moment estimates start at zero") and "\\(1-\\beta^t\\)" in bias.answer
    assert memory.answer == "Two moments of four bytes each per parameter: about 56 GB before weights and gradients."
    assert decay.answer.startswith("With adaptive step sizes") and "Warmup" not in decay.answer
    # story boxes and a lone "Where to read more" note are no questions
    assert not any("switched" in q or "Where to read" in q or "tuned warmup" in q for q in questions)


def test_a_list_item_over_a_collapsed_solution_is_an_exercise_whatever_its_length(rules: Rules) -> None:
    source = extract_file(FIXTURES / "builtsite-question-boxes.html", rules)
    warmup, clip = source.items[3:]
    assert warmup.question.startswith("Work out how many steps of warmup") and \
        warmup.question.endswith("while the data stays the same.")
    assert warmup.answer == "About 244 steps; doubling the batch halves the count to about 122."
    assert clip.question == "Implement gradient clipping by global norm."
    assert "scale = min(1.0, max_norm / total_norm)\nfor g in grads:\n    g.mul_(scale)" in clip.answer
    assert len(source.items) == 5
    assert_no_junk(source, "Solution", "★", "Edit this page", "Back to top", "Material for MkDocs", "Previous",
                    "Initializing search", "On this page")


def test_a_component_file_whose_whole_content_is_a_template_is_read_from_it(rules: Rules) -> None:
    source = extract_file(FIXTURES / "builtsite-vue-template.html", rules)
    assert [i.question for i in source.items] == [
        "为什么要做梯度裁剪？", "混合精度训练为什么需要损失缩放？", "学习率预热有什么用"]
    clip, scaling, warmup = source.items
    assert clip.answer == "梯度范数偶尔暴涨时，一步更新就可能把参数推到很远的地方，裁剪把这一步限制在阈值之内。"
    # KaTeX keeps its TeX once (not the MathML text and the HTML copy too); a "</details" missing its ">" ends it
    assert scaling.answer == "半精度能表示的最小正数约为 \\(2^{-24}\\)，" \
                             "更小的梯度会变成零，先放大损失再缩回可以保住它们。"
    assert warmup.answer == "- 训练初期的统计量还不稳定，小步长能避免一开始就发散"
    assert not any("answer" in i.answer or "−24" in i.answer for i in source.items)


def test_placeholder_answers_and_a_bare_last_heading_are_questions_without_answers(rules: Rules) -> None:
    source = extract_file(FIXTURES / "builtsite-heading-notes.html", rules)
    assert [i.question for i in source.items] == [
        "批归一化在训练和推理时有什么不同？", "学习率衰减的常见做法有哪些？",
        "怎样在不改接口的前提下缓存一个函数的结果？", "Adam 的两个超参数分别控制什么？",
        "为什么残差连接让深层网络更好训练？", "上次项目里最难调的一个超参数（想不起来了"]
    norm, decay, cache, adam, residual, last = source.items
    # "...?" and "待补充" hold no answer yet: the questions are kept, flagged, and make no card
    assert decay.answer == "" and adam.answer == "" and "no-answer" in decay.flags and "no-answer" in adam.flags
    # a last heading with nothing under it is not a part of the answer above it
    assert residual.answer == "梯度可以沿着恒等映射直接回传，层数加深时不会逐层衰减。"
    assert last.answer == "" and "no-answer" in last.flags
    # code after "例如：" is what the colon announces: no damage flag
    assert cache.answer.endswith("例如：\n\n```\nfrom functools import lru_cache\n\n@lru_cache(maxsize=None)\n"
                                 "def slow(x):\n    return x * x\n```")
    assert not cache.flags
    assert norm.answer == "训练时用当前小批量的均值和方差，推理时用训练中累积的滑动平均。"
    assert_no_junk(source, "Share on", "Copy Link", "min read", "Recent Posts", "All Rights Reserved", "DP")


def test_a_bold_question_and_a_dash_answer_in_one_list_item_and_link_rows_make_no_card(rules: Rules) -> None:
    source = extract_file(FIXTURES / "builtsite-bold-dash-list.html", rules)
    answered = [(i.question, i.answer) for i in source.items if i.answer]
    assert answered == [
        ("Why clip gradients by their global norm?", "one outlier step cannot wreck the weights"),
        # a statement in the very form of the questions around it is a question too
        ("Your loss went flat after a learning-rate drop.", "the schedule decayed too early"),
        ("Does a warmup still matter with Adam?", "yes; early moment estimates are noisy")]
    assert [i.number for i in source.items if i.answer] == ["1", "2", "3"]
    assert_no_junk(source, "**", "Skip to content", "previous", "State the answer first", "Search the site")


def test_a_table_with_a_question_column_and_an_answer_sketch_column_is_a_question_bank(rules: Rules) -> None:
    source = extract_file(FIXTURES / "builtsite-question-table.html", rules)
    assert [i.question for i in source.items] == [
        "Why does dropout reduce overfitting?", "Early stopping or weight decay?",
        "The validation loss rises while accuracy still improves."]
    dropout, stopping, rising = source.items
    # the answer column answers; the other column follows under its header
    assert dropout.answer == ("Units cannot rely on one another, so the network learns redundant features; "
                              "at test time it acts like an average of many thinned networks."
                              "\n\n**What they are testing:** Intuition")
    assert stopping.answer.startswith("Both limit how far the weights travel")
    assert rising.answer.endswith("**What they are testing:** Diagnosis")
    assert_no_junk(source, "Failure mode", "eval mode", "Stop condition", "You are done", "previous",
                    "Skip to content")
