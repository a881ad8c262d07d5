"""Question structures on pages deckmill was not written for (tests/fixtures): exact questions, answers' first
and last words, and junk absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.answers import is_link_only
from pipeline.clean import clean_page
from pipeline.config import Rules
from pipeline.extract import extract
from pipeline.models import QAItem, SourceItems
from pipeline.sources import load_page
from tests.conftest import FIXTURES, extract_file, session_for


def _text(source: SourceItems) -> str:
    return "\n".join(f"{i.question}\n{i.answer}\n{i.alt_question}\n{i.alt_answer}" for i in source.items)


def _check(item: QAItem, question: str, first: str, last: str) -> None:
    assert item.question == question
    assert item.answer.startswith(first), item.answer
    assert item.answer.endswith(last), item.answer


def test_html_headings_as_questions(rules: Rules) -> None:
    source = extract_file(FIXTURES / "blog-headings.html", rules)
    assert source.fmt == "html"
    assert [i.question for i in source.items] == [
        "什么是 Self-Attention？", "为什么要除以根号 d_k", "多头注意力有什么好处?", "RAG 的基本流程是什么",
        "RAG 和微调怎么选？"]
    attention, scale, heads, rag, choose = source.items
    _check(attention, "什么是 Self-Attention？", "Self-Attention 让序列中每个位置", "再做 softmax 得到权重。")
    assert "\\(\\mathrm{softmax}(QK^T/\\sqrt{d_k})V\\)" in attention.answer  # TeX from the annotation
    assert "softmax(QKT/dk)V" not in attention.answer  # never the rendered text
    assert "**1. 计算相似度**" in attention.answer  # numbered sub-heading inside the answer: not a question
    assert attention.section == "Transformer 基础" and rag.section == "RAG"
    _check(heads, "多头注意力有什么好处?", "- 不同的头关注不同的子空间；", "/ d_k ** 0.5\n```")
    assert "  - 例如一个头关注句法，" in heads.answer and "```python\nimport torch" in heads.answer
    _check(rag, "RAG 的基本流程是什么", "1. 把文档切块并向量化；", "交给模型生成。")
    _check(choose, "RAG 和微调怎么选？", "知识频繁变化", "| 风格迁移 | 微调 |")
    assert scale.answer == ("点积的方差随维度增大，不缩放会让 softmax 进入饱和区、梯度变小。"
                            "\n\n（图：softmax 饱和示意图）")
    assert not scale.flags
    text = _text(source)
    for junk in ("首页", "归档", "热门文章", "扫码关注", "Cookie", "分享到", "写得好", "京ICP备", "相关文章",
                 "什么是 LoRA", "Attention Is All You Need", "console.log", "dataLayer", "阅读 1234"):
        assert junk not in text


def test_markdown_notes_with_numbered_headings(rules: Rules) -> None:
    source = extract_file(FIXTURES / "github-notes.md", rules)
    assert source.fmt == "md"
    assert [i.question for i in source.items] == [
        "LoRA 的原理是什么？", "全参数微调需要多少显存", "什么是灾难性遗忘？", "KV Cache 为什么能加速推理？",
        "投机解码（Speculative Decoding）的思路", "如何评估 RAG 系统？"]
    lora, memory, forgetting, kv, speculative, rag = source.items
    _check(lora, "LoRA 的原理是什么？", "LoRA 冻结预训练权重", "W = W0 + B @ A  # rank r << d\n```")
    assert "两个低秩矩阵 A 和 B" in lora.answer  # &#x20; decoded
    _check(memory, "全参数微调需要多少显存", "粗略估计", "3. 优化器状态（fp32）：12 字节")
    _check(forgetting, "什么是灾难性遗忘？", "模型在新任务上微调后", "- 为什么 LoRA 遗忘更少？")
    assert "- 如何缓解灾难性遗忘？" in forgetting.answer  # a follow-up list stays in the answer
    _check(kv, "KV Cache 为什么能加速推理？", "解码时每步只需计算新 token", "| 有 KV Cache | 高 | 快 |")
    assert "避免重复计算。\n代价是显存随**序列长度**线性增长。" in kv.answer  # inline HTML: <br>, <b>
    _check(speculative, "投机解码（Speculative Decoding）的思路", "用小模型先起草", "接受正确的前缀。")
    assert rag.flags == ("no-answer",) and rag.answer == ""
    assert (lora.section, kv.section) == ("训练与微调", "推理")
    text = _text(source)
    for junk in ("[toc]", "欢迎 Star", "点个 Star", "公众号", "LoRA 论文", "vLLM 文档", "持续更新"):
        assert junk not in text


def test_qa_markers_bold_questions_quote_answers_and_numbered_items(rules: Rules) -> None:
    source = extract_file(FIXTURES / "qa-formats.md", rules)
    assert [i.question for i in source.items] == [
        "What is RLHF?", "Why is a KL penalty used in RLHF?", "什么是 DPO？",
        "What does the temperature parameter do?", "How do you stop generation at a custom string?",
        "Write the scaled dot-product attention in PyTorch.",
        "What is the difference between top-k and top-p sampling?"]
    rlhf, kl, dpo, temperature, stop, code, topk = source.items
    _check(rlhf, "What is RLHF?", "Reinforcement learning from human feedback", "optimised against it with PPO.")
    _check(kl, "Why is a KL penalty used in RLHF?", "It keeps the policy close", "exploit the reward model.")
    assert dpo.answer == "直接偏好优化，不训练奖励模型，直接用偏好对构造分类式损失来优化策略。"
    _check(temperature, "What does the temperature parameter do?", "It rescales the logits", "higher values flatter.")
    assert stop.answer == "在解码循环里检查已生成文本是否以停止串结尾，命中即截断并结束。"  # "> 答：" unwrapped
    assert code.answer.startswith("```python\ndef attention(q, k, v):") and code.answer.endswith("@ v\n```")
    _check(topk, "What is the difference between top-k and top-p sampling?", "Top-k keeps", "reaches p.")
    text = _text(source)
    for junk in ("newsletter", "buy me a coffee", "Thanks for reading", "Posted by", "asked in 2024"):
        assert junk not in text


def test_details_definition_lists_and_faq_tables(rules: Rules) -> None:
    source = extract_file(FIXTURES / "faq-structures.html", rules)
    assert [(i.question, i.section) for i in source.items] == [
        ("What is a token?", "Basics"), ("Why do context windows have a limit?", "Basics"),
        ("What is perplexity?", "Glossary"), ("What is a logit?", "Glossary"),
        ("What does RoPE encode?", "Quick answers"), ("Is fine-tuning always needed?", "Quick answers")]
    token, window, perplexity, logit, rope, finetune = source.items
    _check(token, "What is a token?", "A token is the unit", "depending on the tokenizer.")
    _check(window, "Why do context windows have a limit?", "Attention cost grows",
           "[long-context methods](https://example.org/long-context).")
    assert perplexity.answer == "The exponential of the average negative log-likelihood per token; lower is better."
    _check(logit, "What is a logit?", "An unnormalised score", "before softmax.")
    assert rope.answer == "Relative position, by rotating query and key vectors."
    assert finetune.answer == "No: prompting or RAG is often enough."
    assert not any(i.flags for i in source.items)
    text = _text(source)
    for junk in ("Docs Blog", "Subscribe", "© Example Docs", "alert", "Last updated"):
        assert junk not in text


def test_bilingual_pairs_on_consecutive_lines(rules: Rules) -> None:
    source = extract_file(FIXTURES / "bilingual-notes.txt", rules)
    assert [(i.question, i.alt_question) for i in source.items] == [
        ("什么是梯度检查点？", "What is gradient checkpointing?"),
        ("为什么使用混合精度训练？", "Why use mixed precision training?"),
        ("什么是 ZeRO？", "What is ZeRO?")]
    checkpoint, precision, zero = source.items
    assert checkpoint.answer == "它用计算换显存：反向传播时重新计算激活值，而不是全部保存。"
    assert checkpoint.alt_answer.startswith("It trades compute for memory")
    assert checkpoint.alt_answer.endswith("instead of being stored.")
    assert precision.answer.endswith("损失缩放防止小梯度下溢。")
    assert zero.flags == ("no-answer",) and not zero.answered
    assert "扫码" not in _text(source) and "点个赞" not in _text(source)


def test_english_page_unanswered_link_only_follow_ups_and_references(rules: Rules) -> None:
    source = extract_file(FIXTURES / "english-interview.md", rules)
    # the title promises ten questions; the page holds four
    assert [i.question for i in source.items] == [
        "What is overfitting", "Explain the bias-variance trade-off", "How does batch normalization work?",
        "What is the vanishing gradient problem?"]
    overfit, tradeoff, batchnorm, vanishing = source.items
    _check(overfit, "What is overfitting", "Overfitting is when", "2. Which regularisation would you try first?")
    _check(tradeoff, "Explain the bias-variance trade-off", "Bias is error", "tuned on validation data.")
    assert batchnorm.flags == ("link-only",)
    assert vanishing.flags == ("no-answer",)
    text = _text(source)
    for junk in ("Table of Contents", "Deep Learning book", "What is dropout", "affiliate", "LinkedIn"):
        assert junk not in text


def test_gb18030_export(rules: Rules) -> None:
    source = extract_file(FIXTURES / "gbk-export.txt", rules)
    assert source.encoding == "gb18030"
    assert [(i.question, i.answer) for i in source.items] == [
        ("什么是BatchNorm？", "对每个小批量的激活做标准化，再做可学习的缩放和平移。"),
        ("Dropout在推理时如何处理？", "推理时不丢弃神经元，训练时按保留概率缩放激活（inverted dropout）。")]


@pytest.mark.parametrize(("name", "cards"), [("blog-headings.html", 5), ("github-notes.md", 5),
                                             ("qa-formats.md", 7), ("faq-structures.html", 6),
                                             ("bilingual-notes.txt", 2), ("english-interview.md", 2)])
def test_fixture_pages_build_into_cards(name: str, cards: int, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_bytes((FIXTURES / name).read_bytes())
    report = session_for(tmp_path, raw).build()
    assert len(report.new) == report.sources[0].cards == cards  # answered questions only (no link-only)


def test_bold_numbered_paragraphs_in_html_with_action_bars(rules: Rules) -> None:
    source = extract_file(FIXTURES / "qa-site-bold-paragraphs.html", rules)
    assert [i.question for i in source.items] == [
        "介绍一下 RoPE 位置编码", "为什么现在大模型都用 decoder-only 架构？", "LayerNorm 和 RMSNorm 有什么区别？"]
    assert source.items[1].answer == ("训练效率高、zero-shot 能力强，且 KV Cache 友好。\n\n"
                                      "另外，causal attention 的注意力矩阵满秩，表达能力更强。")
    assert source.items[2].answer == "RMSNorm 去掉了减均值，只用均方根做缩放，计算更省。"
    for junk in ("编辑于", "著作权", "赞同", "添加评论", "推荐阅读", "等你来答"):
        assert junk not in _text(source)


def test_english_q_numbered_text_page(rules: Rules) -> None:
    source = extract_file(FIXTURES / "english-q-numbered.txt", rules)
    assert [(i.number, i.question) for i in source.items] == [
        ("1", "What is the difference between L1 and L2 regularization?"), ("2", "Explain cross-validation."),
        ("3", "What is data leakage?")]
    _check(source.items[0], source.items[0].question, "L1 adds the absolute values", "shrinks all of them smoothly.")
    assert source.items[2].flags == ("no-answer",)
    assert "Share" not in _text(source) and "LinkedIn" not in _text(source)


def test_markdown_numbered_items_with_bold_questions(rules: Rules) -> None:
    source = extract_file(FIXTURES / "markdown-numbered-bold-items.md", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("Transformer 为什么用 LayerNorm 而不是 BatchNorm？",
         "序列长度不一，BatchNorm 的统计量不稳定；LayerNorm 对每个样本独立归一化。"),
        ("多头注意力的头数如何选择？", "通常让每个头的维度为 64，头数 = d_model / 64。"),
        ("FFN 的作用是什么？", "为每个位置提供非线性变换，存储大量知识。")]


def test_saved_blog_page_with_h2_questions_and_widgets(rules: Rules) -> None:
    source = extract_file(FIXTURES / "saved-blog-h2-questions.html", rules)
    assert [i.question for i in source.items] == [
        "RAG 中文档切块（chunk）大小怎么定？", "如何提升检索召回率？", "RAG 的评估指标"]
    recall = source.items[1]
    assert recall.answer.startswith("- 混合检索：BM25 + 向量检索；")
    assert "```python\nretriever = EnsembleRetriever(" in recall.answer
    assert source.items[2].answer == "检索侧看 Recall@k、MRR；生成侧看忠实度（faithfulness）与答案相关性。"
    for junk in ("CSDN", "会员中心", "阅读量", "在这里插入图片描述", "点赞", "相关推荐", "评论", "本文整理"):
        assert junk not in _text(source)


def test_chinese_numerals_number_questions_when_nothing_else_does(rules: Rules) -> None:
    source = extract_file(FIXTURES / "chinese-numeral-questions.txt", rules)
    assert [(i.number, i.question) for i in source.items] == [
        ("一", "什么是梯度消失？"), ("二", "如何缓解梯度消失？"), ("三", "Dropout 的原理")]
    assert source.items[2].answer == "训练时随机置零部分神经元，相当于集成多个子网络。"


@pytest.mark.parametrize("saved_as", ["saved-page.txt", "saved-page"])
def test_a_page_is_read_by_its_content_not_its_suffix(saved_as: str, tmp_path: Path, rules: Rules) -> None:
    page = tmp_path / saved_as
    page.write_bytes((FIXTURES / "blog-headings.html").read_bytes())
    raw = load_page(page)
    assert raw.fmt == "html"
    source = extract(clean_page(raw, rules), rules)
    assert [i.question for i in source.items][:2] == ["什么是 Self-Attention？", "为什么要除以根号 d_k"]


def test_numbered_q_and_a_labels(rules: Rules) -> None:
    source = extract_file(FIXTURES / "numbered-q-a-labels.txt", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("什么是 BPE？", "字节对编码，反复合并出现最频繁的相邻符号对来构建子词词表。"),
        ("WordPiece 和 BPE 有什么不同？", "WordPiece 按合并后语言模型似然的提升来选择合并对，而不是按频次。"),
        ("SentencePiece 的特点？", "直接在原始文本上训练，把空格当作普通符号，适合多语言。")]


def test_heading_questions_with_bold_answer_labels(rules: Rules) -> None:
    source = extract_file(FIXTURES / "markdown-heading-q-bold-a.md", rules)
    assert [i.question for i in source.items] == [
        "What is weight decay?", "Why does AdamW decouple weight decay?", "What is label smoothing?"]
    assert source.items[0].answer.startswith("An L2 penalty on the weights")
    assert source.items[1].answer.startswith("With Adam, L2 regularisation")
    assert "**A" not in _text(source) and "Answer:" not in _text(source)


def test_a_plain_label_is_stripped_only_from_the_first_answer_block(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text("1、RAG 的答案从哪来?\n答案:来自检索到的文档。\n答案是否可靠取决于检索质量。\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert source.items[0].answer == "来自检索到的文档。\n\n答案是否可靠取决于检索质量。"


def test_html_ordered_list_items_holding_question_and_answer(rules: Rules) -> None:
    source = extract_file(FIXTURES / "ordered-list-questions.html", rules)
    assert [(i.number, i.question) for i in source.items] == [
        ("1", "What is instruction tuning?"), ("2", "What is a system prompt?"),
        ("3", "Name two ways to reduce hallucination.")]
    assert source.items[1].answer == ("A message that sets the assistant's role and rules before the conversation."
                                      "\n\nIt is usually hidden from the end user.")
    assert source.items[2].answer == "- Ground answers with retrieval.\n- Ask the model to cite sources."


def test_questions_and_answers_separated_by_br_in_one_paragraph(rules: Rules) -> None:
    source = extract_file(FIXTURES / "wechat-export.html", rules)
    assert [i.question for i in source.items] == [
        "什么是 ReAct？", "Agent 的记忆怎么设计？", "Function Calling 的原理是什么？"]
    _check(source.items[0], "什么是 ReAct？", "把推理（Reason）和行动（Act）交替进行", "并根据观察继续推理。")
    assert source.items[1].answer == "短期记忆放在上下文里，长期记忆存入向量库，按相关性检索回填。"
    for junk in ("END", "在看", "扫一扫", "蓝字关注", "原创"):
        assert junk not in _text(source)


def test_a_numbered_list_announced_by_a_colon_is_the_answer_not_new_questions(rules: Rules) -> None:
    source = extract_file(FIXTURES / "english-numbered-steps.txt", rules)
    assert [i.question for i in source.items] == ["What is gradient descent?", "What is momentum?"]
    assert source.items[0].answer == ("An iterative method. The steps:\n\n1. Define a loss function.\n"
                                      "2. Compute its gradient.\n3. Step against the gradient.")


def test_a_labelled_question_heading_over_a_plain_heading_in_another_language_is_no_twin(
        rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# 注意力笔记\n\n### Q:多头注意力中每个头的作用\n\n### Heads, Subspaces\n\n"
                    "每个头在自己的子空间里计算注意力，最后拼接。\n\n### Q:为什么要做缩放？\n\n"
                    "防止点积过大导致 softmax 饱和。\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [(i.question, i.alt_question) for i in source.items] == [
        ("多头注意力中每个头的作用", ""), ("为什么要做缩放？", "")]
    assert "Heads, Subspaces" in source.items[0].answer
    assert "每个头在自己的子空间里计算注意力" in source.items[0].answer


def test_a_labelled_question_heading_over_its_translation_heading_is_a_twin(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# 微调笔记\n\n### Q: 什么是LoRA？\n\n### What is LoRA?\n\n"
                    "LoRA 冻结原权重，只训练低秩增量。\n\nLoRA freezes the weights and trains a low-rank update.\n",
                    encoding="utf-8")
    source = extract_file(page, rules)
    assert [(i.question, i.alt_question) for i in source.items] == [("什么是LoRA？", "What is LoRA?")]
    assert source.items[0].answer == "LoRA 冻结原权重，只训练低秩增量。"
    assert source.items[0].alt_answer == "LoRA freezes the weights and trains a low-rank update."


@pytest.mark.parametrize("name", ["casual-notes.md", "casual-notes.txt"])
def test_casual_notes_with_unnumbered_question_lines(name: str, rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / name
    page.write_bytes((FIXTURES / "casual-notes.md").read_bytes())
    source = extract_file(page, rules)
    assert [(i.question, i.alt_question) for i in source.items] == [
        ("什么是 RAG？", ""), ("为什么需要重排序？", "Why do we need reranking?"), ("向量库怎么选？", "")]
    assert source.items[1].answer == "第一阶段检索快但粗糙，交叉编码器对前几名重新排序。"
    assert source.items[1].alt_answer.startswith("The first-stage retriever is fast but coarse")
    assert source.items[2].answer == "- 看数据量、延迟和是否需要混合检索。"
    assert "笔记" not in _text(source)


def test_markdown_zh_headings_with_bold_answer_labels_and_repost_notices(rules: Rules) -> None:
    source = extract_file(FIXTURES / "markdown-zh-answer-labels.md", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("CLIP 是如何训练的？", "用图文对做对比学习：同一对的图像和文本向量靠近，不同对的推远。"),
        ("BLIP-2 的 Q-Former 有什么作用",
         "用一组可学习的查询向量从冻结的图像编码器中抽取与文本相关的视觉特征，再送入冻结的 LLM。"),
        ("多模态幻觉如何评估？", "常用 POPE、CHAIR 等基准。")]


def test_bold_q_a_leads_question_number_headings_and_label_lines(rules: Rules) -> None:
    source = extract_file(FIXTURES / "notion-export.md", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("What is perplexity?", "The exponentiated average negative log-likelihood of a sequence."),
        ("What is BLEU?", "An n-gram precision metric with a brevity penalty, used for translation."),
        ("What is ROUGE?", "A recall-oriented n-gram overlap metric used for summarization.")]


def test_html_strong_q_and_a_paragraphs(rules: Rules) -> None:
    source = extract_file(FIXTURES / "html-strong-q-a.html", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("What is MMLU?", "A multiple-choice benchmark covering 57 subjects."),
        ("What is HumanEval?", "A set of 164 Python programming problems scored by pass@k.")]


def test_a_non_question_heading_between_questions_belongs_to_the_answer(rules: Rules, tmp_path: Path) -> None:
    source = extract_file(FIXTURES / "markdown-answer-subheadings.md", rules)
    assert [i.question for i in source.items] == ["什么是 LoRA？", "什么是 QLoRA？"]
    assert source.items[0].answer == "只训练低秩增量。\n\n**代码示例**\n\n```python\nW = W0 + B @ A\n```"
    page = tmp_path / "same-level.md"  # numbered section headings at the questions' level stay sections
    page.write_text("# 笔记\n\n## 一、基础\n\n## 1. 什么是 LoRA？\n\n只训练低秩增量。\n\n## 二、进阶\n\n"
                    "## 2. 什么是 QLoRA？\n\n在 4bit 量化模型上做 LoRA。\n", encoding="utf-8")
    items = extract_file(page, rules).items
    assert [(i.question, i.section, i.answer) for i in items] == [
        ("什么是 LoRA？", "基础", "只训练低秩增量。"), ("什么是 QLoRA？", "进阶", "在 4bit 量化模型上做 LoRA。")]


def test_a_page_answering_the_one_question_in_its_title(rules: Rules) -> None:
    source = extract_file(FIXTURES / "single-question-page.html", rules)
    assert [i.question for i in source.items] == ["如何理解 Transformer 中的注意力机制？"]
    _check(source.items[0], "如何理解 Transformer 中的注意力机制？", "注意力让每个位置按相关性加权汇总",
           "**2. 为什么有效**\n\n它能直接建模长距离依赖。")


def test_markdown_faq_table_and_table_round_trip(rules: Rules, tmp_path: Path) -> None:
    from pipeline.tables import markdown_table, table_rows

    rows = [["a | b", "c"], ["1", "x|y"]]
    assert table_rows(markdown_table(rows)) == rows
    page = tmp_path / "faq.md"
    page.write_text("# FAQ\n\n| 问题 | 答案 |\n| --- | --- |\n| 什么是 SFT？ | 监督微调。 |\n"
                    "| 什么是 RM？ | 奖励模型，给回答打分。 |\n", encoding="utf-8")
    items = extract_file(page, rules).items
    assert [(i.question, i.answer) for i in items] == [
        ("什么是 SFT？", "监督微调。"), ("什么是 RM？", "奖励模型，给回答打分。")]


def test_bracketed_and_chinese_index_numbering(rules: Rules) -> None:
    source = extract_file(FIXTURES / "bracketed-numbering.txt", rules)
    assert [(i.number, i.question, i.answer) for i in source.items] == [
        ("1", "什么是 KV Cache？", "缓存历史 K、V，解码时复用。"),
        ("2", "什么是 PagedAttention？", "像操作系统分页一样管理 KV Cache 显存。"),
        ("3", "什么是连续批处理？", "请求级别动态拼批，提升吞吐。")]


def test_statement_headings_among_question_headings_are_questions(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "memo.md"
    page.write_text("\n\n".join([
        "# 笔记", "## 前言", "随手记的面试题。", "## 随机森林的特点", "### 分类", "- 投票",
        "## 什么是 Bagging？", "并行训练多个基学习器。", "## Boosting 的原理", "串行训练，关注错分样本。",
        "## 代码示例", "```python\nclf.fit(X, y)\n```", "## 逻辑回归的目的", "二分类。",
        "## GBDT 和 XGBoost 的区别", "二阶导数与正则项。", "## 为什么要剪枝？", "防止过拟合。",
        "## 如何处理缺失值？", "填充或丢弃。", "## 什么是 Stacking？", "用元学习器组合。", "## 空的标题",
        "## 总结", "多复习。"]) + "\n", encoding="utf-8")
    items = extract_file(page, rules).items
    assert [i.question for i in items] == ["随机森林的特点", "什么是 Bagging？", "Boosting 的原理", "逻辑回归的目的",
                                           "GBDT 和 XGBoost 的区别", "为什么要剪枝？", "如何处理缺失值？",
                                           "什么是 Stacking？"]
    assert items[0].answer == "**分类**\n\n- 投票"
    assert items[2].answer.startswith("串行训练") and "clf.fit(X, y)" in items[2].answer


def test_statement_headings_stay_sections_when_few_headings_ask(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# 笔记\n\n## 随机森林\n\n投票。\n\n## 梯度提升\n\n串行。\n\n## 支持向量机\n\n间隔。\n\n"
                    "## 什么是 Bagging？\n\n并行训练。\n\n## 什么是 Boosting？\n\n串行训练。\n", encoding="utf-8")
    items = extract_file(page, rules).items
    assert [i.question for i in items] == ["什么是 Bagging？", "什么是 Boosting？"]


def test_a_list_of_named_links_is_an_answer_a_single_link_is_not(rules: Rules) -> None:
    assert not is_link_only("1. [KL divergence](https://x.org/kl)\n2. [Q-Q plot](https://x.org/qq)", rules)
    assert is_link_only("See [this explainer](https://x.org/a).", rules)
    assert is_link_only("- [A very long paper title that goes on about attention and more](https://x.org/p)\n"
                        "- [Another paper title that is far too long to be a named concept](https://x.org/q)", rules)


def test_quoted_question_arrow_answer_items_are_follow_up_questions(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "probes.md"
    page.write_text("\n\n".join([
        "# Guide", "1. **What is an autoencoder?**", "A network trained to reconstruct its input.",
        "**Follow-up probes**",
        "- “Is the bottleneck always a vector?” → No, it can be a **sequence**.",
        "- “Say it plainly” → not a question, stays in the answer."]) + "\n", encoding="utf-8")
    items = extract_file(page, rules).items
    assert [(i.question, i.answer) for i in items] == [
        ("What is an autoencoder?", "A network trained to reconstruct its input.\n\n**Follow-up probes**"),
        ("Is the bottleneck always a vector?", "No, it can be a **sequence**.\n\n- “Say it plainly” → not a question, "
         "stays in the answer.")]
