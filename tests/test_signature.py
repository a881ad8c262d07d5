"""Structure inference on invented pages: the question signature that wins, and what it delimits."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Rules
from pipeline.models import Block
from pipeline.signature import Carrier, Signature, is_reveal_label, score_signatures
from tests.conftest import FIXTURES, extract_file


def test_bold_numbered_paragraphs_beat_a_stray_question_heading(rules: Rules) -> None:
    source = extract_file(FIXTURES / "signature-bold-q-paragraphs.md", rules)
    assert [i.question for i in source.items] == [
        "注意力机制为什么要除以根号d？",  # the link keeps its text and loses its URL (and the "?" inside it)
        "如果只改最少的参数让模型忘掉一条知识，应该改注意力层还是前馈层。",  # "Q2：" makes it a question
        "KV Cache 为什么只存 K 和 V？",
    ]
    first, second, third = source.items
    assert first.answer == "点积的方差随维度增大，缩放后 softmax 不会饱和。"
    assert second.answer.startswith("前馈层更像键值记忆") and "用约束解码" in second.answer
    assert third.answer == "![kv](https://example.org/kv.png)" and "link-only" not in third.flags


def test_toc_entries_reveal_labels_and_explicit_styles_across_levels(rules: Rules) -> None:
    source = extract_file(FIXTURES / "signature-toc-and-levels.md", rules)
    assert [i.question for i in source.items] == [
        "What is dropout?", "Why normalize inputs?", "What is a residual connection?"]
    residual = source.items[2]
    assert "A skip path" in residual.answer and "It lets gradients flow" in residual.answer
    assert "Show Answer" not in residual.answer
    assert source.items[0].answer.startswith("Randomly zeroing")


def test_numbered_items_with_a_question_marker(rules: Rules) -> None:
    source = extract_file(FIXTURES / "signature-numbered-marker-items.md", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("Explain layer norm.", "Normalise over the features of one token."),
        ("Explain weight decay.", "An L2 penalty applied by the optimiser.")]


def test_scores_rank_answered_regular_signatures_first(rules: Rules) -> None:
    toc = [Block("item", f"{n}. What is topic {n}?") for n in range(1, 6)]
    body = [b for n in range(1, 4) for b in (Block("heading", f"What is part {n}?", level=3),
                                              Block("para", f"Part {n} is explained here."))]
    scored = score_signatures(toc + body, rules)
    assert scored[0].signature == Signature(Carrier.HEADING, 3)
    assert scored[0].answered == 1.0 and scored[1].answered == 0.0


def test_reveal_labels(rules: Rules) -> None:
    assert is_reveal_label("**💡 Show Answer**", rules)
    assert is_reveal_label("答案", rules)
    assert not is_reveal_label("What is the answer to overfitting?", rules)


def test_mkdocs_admonitions_and_tabs_are_unwrapped(rules: Rules) -> None:
    source = extract_file(FIXTURES / "mkdocs-admonition-tabs.md", rules)
    assert [i.question for i in source.items] == ["What is perplexity?", "Why use beam search?"]
    first, second = source.items
    assert first.answer.startswith("The exponential of the average")
    assert "```python\nppl = math.exp(loss)\n```" in first.answer
    assert second.answer.startswith("It keeps several partial outputs")
    text = "\n".join(i.question + i.answer for i in source.items)
    assert "===" not in text and "!!!" not in text and '"Answer"' not in text


def test_topic_heading_with_marked_question_and_follow_ups(rules: Rules) -> None:
    source = extract_file(FIXTURES / "topic-headings-follow-ups.md", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("如何讲清后训练流程？",
         "先讲预训练，再讲 SFT，最后讲偏好对齐。\n\n**常见追问：**\n\n1. PPO 为什么难？\n2. 后训练和微调是什么关系？"),
        ("DPO 为什么更稳？", "它去掉了奖励模型和在线采样。"),
        ("DPO 的代价是什么？", "对偏好数据的质量更敏感。"),
        ("LoRA 的秩怎么选？", "从 8 或 16 起步，看验证集再调。"),
        ("QLoRA 为什么省显存？", "基座权重量化为 4 bit，只训练适配器。"),
    ]
    assert source.items[0].section == "主干问题：后训练怎么理解？"


def test_a_numbered_line_in_the_questions_form_fills_the_sequence(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "bold.md"
    page.write_text("## Pretraining\n\n**1. What is pretraining?**\n\nLearning from raw text.\n\n"
                    "**2. Briefly explain transfer learning.**\n\nReusing what was learned.\n\n"
                    "**3. Why does scale matter?**\n\nLoss falls with scale.\n\n"
                    "**4. Summarise the page.**\n\nNot filled: nothing follows 4 in this form.\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == ["What is pretraining?", "Briefly explain transfer learning.",
                                                  "Why does scale matter?"]
    assert source.items[1].answer == "Reusing what was learned."


def test_markdown_with_inline_html_stays_markdown(rules: Rules) -> None:
    source = extract_file(FIXTURES / "markdown-inline-html-answers.md", rules)
    assert source.fmt == "md"
    answered = [i for i in source.items if i.answered]
    assert [i.question for i in answered] == [
        "什么是位置编码？", "请比较几种常见的 LLM 架构，并说明各自擅长的任务。",
        "有哪些解码策略？请解释 Greedy Search 和 Nucleus Sampling 的原理和优缺点。"]  # one question, not split
    assert answered[0].answer.startswith("给每个位置一个向量")
    assert "显存放不下整个模型。" in answered[1].answer  # "问题：" stating a problem is not a question


def test_navigation_links_and_a_postscript_after_the_last_rule_are_dropped(rules: Rules) -> None:
    source = extract_file(FIXTURES / "markdown-postscript.md", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("What is dropout?", "Randomly zeroing activations while training."),
        ("What is weight decay?", "An L2 penalty on the weights.\n\nIts strength is a hyper-parameter."),
    ]
    assert [d.rule for d in source.dropped if d.text.startswith("🙏")] == ["postscript"]


def test_numbered_lines_folded_into_a_paragraph_are_split_out(rules: Rules) -> None:
    source = extract_file(FIXTURES / "markdown-folded-numbered-lines.md", rules)
    assert [i.question for i in source.items] == [
        "What is underfitting?", "What May Cause an Early Stopping of Training?", "Describe Dropout as a Method"]
    assert source.items[0].answer.endswith("Symptoms: high bias.")
    assert source.items[2].answer == "Units are dropped at random while training."


def test_follow_up_sub_headings_and_page_references(rules: Rules) -> None:
    source = extract_file(FIXTURES / "nested-follow-up-headings.md", rules)
    assert [i.question for i in source.items] == [
        "什么是梯度消失？", "Transformer相比RNN的优势", "Why is Transformer better for long sequences?",
        "What are the trade-offs?", "批归一化的作用", "训练时用 batch 统计？推理时呢"]
    assert source.items[2].answer == "Every position attends to every other one directly."
    assert source.items[5].answer == "推理时用滑动平均。"
    assert [d.rule for d in source.dropped if "example.org" in d.text] == ["page-references"]


def test_a_section_heading_with_an_answer_of_its_own_is_a_question(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "topics.md"
    page.write_text("# Notes\n\n### ELMO\n\n#### 简单介绍下ELMO\n\n双向语言模型的词向量。\n\n"
                    "#### ELMO有什么好处？\n\n一词多义。\n\n### ELMO的缺点\n\nLSTM 抽取特征能力弱。\n\n"
                    "### GPT\n\n#### 简单介绍下GPT\n\n单向 Transformer 解码器。\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == ["简单介绍下ELMO", "ELMO有什么好处？", "ELMO的缺点", "简单介绍下GPT"]
    assert source.items[2].answer == "LSTM 抽取特征能力弱。"


def test_fused_question_items_in_a_question_section(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "outline.md"
    page.write_text("# SFT 全流程\n\n## 一、数据\n- 数据格式：instruction/output\n"
                    "- 面试问：如何避免泄漏？\n  - 严格按时间切分\n"
                    "- 面试问：为何需要 packing？\n  - 减少 padding 浪费\n\n"
                    "## 二、面试高频追问\n- 数据倾斜如何处理？采样重加权、温度混合\n"
                    "- 如何控制幻觉？检索增强\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("如何避免泄漏？", "- 严格按时间切分"), ("为何需要 packing？", "- 减少 padding 浪费"),
        ("数据倾斜如何处理？", "采样重加权、温度混合"), ("如何控制幻觉？", "检索增强")]


def test_long_scenario_headings_and_contribution_sections(rules: Rules, tmp_path: Path) -> None:
    scenario = ("We have trained two binary classifiers on one dataset; the first has 70% accuracy and the second "
                "has 90% accuracy, but on a skewed test set the first one catches far more of the rare class. "
                "Which one would you deploy, and why?")
    assert len(scenario) > rules.structure.max_question_chars
    page = tmp_path / "bank.md"
    page.write_text(f"# Question bank\n\n## How to contribute?\n\n#### How old are you?\n\n29 years.\n\n"
                    f"## Questions\n\n#### What is variance?\n\nSpread around the mean.\n\n#### {scenario}\n\n"
                    "The second, if precision matters.\n\n#### What is PCA?\n\nA projection on top components.\n",
                    encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == ["What is variance?", scenario, "What is PCA?"]


def test_sign_off_omission_note_and_related_link_are_junk(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "qa.md"
    page.write_text("# 面试题\n\n**Q1：什么是 RoPE？**\n\n旋转位置编码。\n\n_Related: [20 Python Questions](https://e.org/py)_\n\n"
                    "**Q2：为什么要 KV Cache？**\n\n避免重复计算。\n\n（下略：其余各节结构同上。）\n\n"
                    "到这里我们的面试小结就写完了，欢迎大家指正。\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [(i.question, i.answer) for i in source.items] == [("什么是 RoPE？", "旋转位置编码。"),
                                                              ("为什么要 KV Cache？", "避免重复计算。")]


def test_details_blocks_glued_onto_one_line_are_split_back(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "glued.md"
    summary = "<details><summary><b>💡 Show Answer</b></summary>"
    page.write_text(f"## RNN\n\n### Q: What is an LSTM?\n\n{summary}\n\nA gated recurrent cell.\n\n"
                    f"Its cell state carries gradients far back. </details> --- ### Q: How do GRUs compare? "
                    f"<details> <summary><b>💡 Show Answer</b></summary> Fewer gates, often as good. </details> --- "
                    f"## Attention ### Q: Why positional encodings? {summary} Attention has no notion of order. "
                    "</details>\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("What is an LSTM?", "A gated recurrent cell.\n\nIts cell state carries gradients far back."),
        ("How do GRUs compare?", "Fewer gates, often as good."),
        ("Why positional encodings?", "Attention has no notion of order.")]


def test_option_and_answer_headings_belong_to_the_question(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "quiz.md"
    page.write_text("# Machine Learning\n\n## Feature scaling\n\n#### Problem\n\n"
                    "Which model needs no feature scaling?\n\n#### Options\n\n- SVM\n- Decision Trees\n\n"
                    "#### Answer\n\nDecision Trees\n\n#### Solution\n\n"
                    "Trees split on thresholds, so scale does not matter.\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == ["Which model needs no feature scaling?"]
    assert source.items[0].answer == ("**Options**\n\n- SVM\n- Decision Trees\n\n**Answer**\n\nDecision Trees\n\n"
                                      "**Solution**\n\nTrees split on thresholds, so scale does not matter.")
