"""Structures met on real blog pages nobody here had seen (each fixture is invented, in the same shape): pages
copied as plain text whose answers hold their own indented numbered lists, question banks that print a difficulty
badge under each question and its number on a line above it, articles numbering questions "01|", accordions
copied with every title twice, numbered section lines among numbered questions."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Rules
from tests.conftest import FIXTURES, extract_file


def test_indented_numbered_lines_stay_inside_the_answer_of_a_copied_page(rules: Rules) -> None:
    source = extract_file(FIXTURES / "copied-blog-nested-numbering.txt", rules)
    assert [i.question for i in source.items] == [
        "为什么大模型训练要用混合精度?", "梯度累积解决什么问题?", "优化器状态为什么占显存最多", "什么是 ZeRO?"]
    assert [i.number for i in source.items] == ["1", "2", "3", "4"]
    precision, accumulation, states, zero = source.items
    # the follow-ups numbered 1., 2. under question 1 are points of its answer, not questions restarting the count
    assert "损失缩放的系数怎么定?" in precision.answer and "bf16 还需要损失缩放吗?" in precision.answer
    assert "它的指数位和 fp32 一样多" in precision.answer
    assert accumulation.answer == "- 要点:显存放不下大 batch 时,多步累加梯度再更新一次,等效于更大的 batch。"
    # "  3. 主权重副本" is numbered one more than "  2." but is nested: still part of answer 3
    assert "一阶动量" in states.answer and "主权重副本" in states.answer and "混合精度时额外保存" in states.answer
    assert zero.answer.startswith("ZeRO 把优化器状态")
    assert not any(i.flags for i in source.items)


def test_difficulty_badges_are_dropped_and_the_answer_label_after_them_is_read(rules: Rules) -> None:
    source = extract_file(FIXTURES / "question-bank-difficulty-badges.txt", rules)
    assert [i.question for i in source.items] == [
        "What does momentum add to plain gradient descent?",
        "Why can a learning rate that is too large make the loss diverge?",
        "When is weight decay not the same as an L2 penalty?"]
    momentum, rate, decay = source.items
    assert momentum.answer.startswith("It keeps a running average of past gradients")
    # the bare "3" above the next question is its number, not the end of this answer
    assert rate.answer == "Each update overshoots the minimum by more than it corrects, so the error grows from " \
                          "step to step instead of shrinking."
    assert decay.answer.startswith("With adaptive optimizers such as Adam")
    assert decay.answer.endswith("comparison\n\n12\n\n(each one with its own seed)")  # no question after the 12
    for item in source.items:
        text = item.question + item.answer
        assert "Easy" not in text and "Hard" not in text and "Medium" not in text and "Answer:" not in text
    assert not any(i.flags for i in source.items)


def test_pipe_separated_numbers_mark_the_questions_and_table_rows_stay_in_answers(rules: Rules) -> None:
    source = extract_file(FIXTURES / "pipe-numbered-article.txt", rules)
    assert [i.question for i in source.items] == [
        "KV Cache 为什么能加速自回归生成?", "量化会带来哪些精度风险?", "什么是投机解码?"]
    assert [i.number for i in source.items] == ["01", "02", "03"]
    cache, quant, draft = source.items
    assert cache.answer.startswith("已生成 token 的 Key 和 Value") and "参考答案" not in cache.answer
    assert "1 | INT8 | 精度损失小" in quant.answer and "2 | INT4 | 需要校准" in quant.answer
    assert draft.answer == "先由小模型连续草拟几个 token,再让大模型一次并行验证,接受的部分直接输出。"
    assert all(i.section == "推理加速篇" for i in source.items)


def test_a_line_printed_twice_in_a_row_is_kept_once(rules: Rules) -> None:
    source = extract_file(FIXTURES / "accordion-copied-twice.txt", rules)
    assert [i.question for i in source.items] == [
        "What problem does reranking solve?", "Why split documents into overlapping chunks?",
        "When does hybrid search beat dense retrieval alone?"]
    rerank, chunks, hybrid = source.items
    assert rerank.answer.startswith("A first-stage retriever is tuned for recall")
    assert chunks.answer == "Overlap keeps a sentence that straddles a boundary whole in at least one chunk."
    assert hybrid.answer.endswith("keyword scores catch them.")
    assert not any(i.flags for i in source.items)


def test_plain_lines_an_answer_repeats_are_kept_and_badges_only_when_decorated(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "repeats.txt"
    page.write_text("1. What does the model print for 'Repeat twice: hello world'?\nhello world\nhello world\n"
                    "2. How does curriculum learning order samples?\nFrom easy to hard:\n- Easy\n- Medium\n- Hard\n"
                    "3. Is fine-tuning a 7B model hard on one GPU?\nHard\n"
                    "4. Which two regimes does the paper compare?\n1. Soft\n2. Hard\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.answer for i in source.items] == [
        "hello world\n\nhello world", "From easy to hard:\n\n- Easy\n- Medium\n- Hard", "Hard", "1. Soft\n2. Hard"]


def test_a_bare_number_numbers_the_next_question_only_when_it_is_that_questions_number(rules: Rules,
                                                                                      tmp_path: Path) -> None:
    page = tmp_path / "fibonacci.md"
    page.write_text("## 3. What are the first Fibonacci numbers?\n\nThe sequence starts\n\n1\n\n1\n\n2\n\n3\n\n"
                    "## 4. What is recursion?\n\nA function calling itself.\n", encoding="utf-8")
    first, second = extract_file(page, rules).items
    assert first.answer.endswith("1\n\n1\n\n2\n\n3") and second.question == "What is recursion?"


def test_a_numbered_line_that_breaks_the_question_count_is_a_section(rules: Rules) -> None:
    source = extract_file(FIXTURES / "numbered-sections-between-questions.txt", rules)
    assert [i.question for i in source.items] == [
        "What does a tokenizer do?", "Why do models need positional information?", "What is the context window?",
        "Why is decoding slower than prefill?"]
    positions, window, decoding = source.items[1:]
    # "3. rotary embeddings" continues the answer's own list: it stays in the answer, not a section
    assert positions.answer.endswith("1. sinusoidal tables\n2. learned position vectors\n3. rotary embeddings")
    assert window.answer == "The largest number of tokens the model attends over in one pass."  # no "2. Serving"
    assert decoding.section == "Serving" and positions.section != "rotary embeddings"
    assert decoding.answer.startswith("Each new token needs a full forward pass")
