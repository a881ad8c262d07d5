"""Structures met on clipped and generated question pages nobody here had seen (each fixture is invented, in the
same shape): question banks that number each question with a heading of its own and answer under sub-headings,
leaving later answers as a template placeholder; single-question notes clipped with their source line, a promise
of more in a channel and a QR image; LLM special tokens in inline code; calls named in prose; a short post saved
from a blog platform with a code gutter, a login wall, a like/collect toolbox and a registration footer; a column
post clipped with its reactions, IP-location footer and terms auto-linked to the platform's search; a blog post with
code copy buttons, a "posted @" line, editor's picks, tags under a bold label and a sidebar named by id; a docs-site
page with an admonition, an edit link, a pager and a table of contents."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Rules
from pipeline.models import SourceItems
from tests.conftest import FIXTURES, assert_no_junk, extract_file


def _visible(source: SourceItems) -> str:
    return "\n".join(item.question + "\n" + item.answer for item in source.items)


def test_sub_headings_under_a_numbering_heading_are_parts_of_that_answer(rules: Rules) -> None:
    source = extract_file(FIXTURES / "numbered-units-subheadings.md", rules)
    assert [i.question for i in source.items] == [
        "What problem does momentum solve in gradient descent?", "Explain the difference between Adam and RMSProp.",
        "Why would you lower the learning rate during training?",
        "How does gradient clipping interact with mixed precision?"]
    momentum, adam = source.items[:2]
    assert momentum.answer == (
        "**Idea**\n\nKeep a running average of past gradients so that steps along a consistent direction grow."
        "\n\n**Effect**\n\n- Faster progress along shallow valleys\n- Less zig-zag across steep walls"
        "\n\n**Interview Tip**\n\nMention the decay factor, usually around 0.9.")
    # a sub-heading that reads like a question ("What Adam adds") is still a part of the answer above it
    assert adam.answer.endswith("**What Adam adds**\n\nA first-moment estimate and bias correction for both moments.")
    assert "Answer:" not in _visible(source)
    # a heading as high as the numbering one ends the last unit: what follows it is no answer
    assert "Newton" not in _visible(source)


def test_a_template_placeholder_after_the_answer_label_leaves_the_question_unanswered(rules: Rules) -> None:
    lower, clip = extract_file(FIXTURES / "numbered-units-subheadings.md", rules).items[2:]
    assert (lower.answer, clip.answer) == ("", "")
    assert "no-answer" in lower.flags and "no-answer" in clip.flags


def test_a_clipped_note_keeps_its_answer_and_drops_source_line_channel_promo_and_qr_image(rules: Rules) -> None:
    source = extract_file(FIXTURES / "clipped-interview-note.md", rules)
    assert [i.question for i in source.items] == ["KV Cache 和 PagedAttention 有什么区别？"]
    answer = source.items[0].answer
    assert "**简要回答**\n\nKV Cache 是一种做法" in answer
    assert answer.endswith("同样的显存能同时服务更多请求。")
    for junk in ("来源", "notes.example.org", "持续更新", "公众号", "扫码", ".png"):
        assert junk not in answer, junk


def test_a_topic_title_naming_a_meaning_is_the_question_of_a_single_question_page(rules: Rules,
                                                                                   tmp_path: Path) -> None:
    page = tmp_path / "meaning.md"
    page.write_text("## LoRA 里秩 r 的含义\n\n#### 考察点\n\n是否理解低秩分解。\n\n#### 回答\n\n"
                    "r 是两个小矩阵共享的内维，决定增量矩阵最多能有多少个独立方向。\n", encoding="utf-8")
    (item,) = extract_file(page, rules).items
    assert item.question == "LoRA 里秩 r 的含义"
    assert item.answer.endswith("决定增量矩阵最多能有多少个独立方向。")


def test_tags_inside_inline_code_are_kept_as_written(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "tokens.md"
    page.write_text("## 1. 推理模型的输出怎样分段？\n\n"
                    "思考过程写在 `<think>` 和 `</think>` 之间，<b>结尾</b>是 `</s>`。\n\n"
                    "## 2. 聊天模板用哪些标记？\n\n每轮以 ``<|im_start|>`` 开头。\n", encoding="utf-8")
    first, second = extract_file(page, rules).items
    assert first.answer == "思考过程写在 `<think>` 和 `</think>` 之间，**结尾**是 `</s>`。"
    assert second.answer == "每轮以 ``<|im_start|>`` 开头。"


def test_a_call_named_in_prose_is_no_lost_formula_but_bare_parentheses_are(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "calls.md"
    page.write_text("## 1. 推理前要做什么？\n\n先调用 model.eval() 关闭 dropout，再用 torch.no_grad() 包住前向。\n\n"
                    "## 2. 交叉熵的公式是什么？\n\n公式为（），其中 p 是真实分布。\n\n"
                    "## 3. 注意力怎么算？\n\nAttention(Q, K, V) = softmax()V，分数先缩放。\n", encoding="utf-8")
    calls, formula, attention = extract_file(page, rules).items
    assert calls.flags == ()
    # a plain function name before "()" lost its argument
    assert "damaged:empty-parentheses" in formula.flags and "damaged:empty-parentheses" in attention.flags


def test_a_short_saved_blog_post_loses_line_numbers_login_wall_toolbox_and_footer(rules: Rules) -> None:
    source = extract_file(FIXTURES / "blog-platform-chrome.html", rules)
    assert [i.question for i in source.items] == ["为什么训练时要打乱数据？", "验证集上的指标一直不动，先查什么？"]
    shuffle, stuck = source.items
    # the code keeps its lines; the numbers of its gutter are no list of the answer
    assert shuffle.answer.endswith("```python\nloader = DataLoader(ds, shuffle=True)\nfor x, y in loader: pass\n```")
    assert stuck.answer == "先看学习率是不是太小，再确认验证集的标签和预处理与训练集一致。"
    for junk in ("- 1", "阅读全文", "关注", "踩", "点赞", "收藏", "商务合作", "客服热线", "ICP", "公安备案",
                 "学习率预热"):
        assert junk not in _visible(source), junk


def test_a_clipped_column_post_keeps_linked_terms_as_text_and_drops_its_reactions_and_footer(rules: Rules) -> None:
    source = extract_file(FIXTURES / "platform-clipping-single.md", rules)
    (item,) = source.items
    assert item.question == "为什么 Transformer 用 LayerNorm 而不用 BatchNorm？"
    # a term linked to the platform's own search keeps its text and loses the link
    assert item.answer == ("序列长度不一，同一个位置在不同样本里的统计量没有意义；"
                           "而 LayerNorm 只在单个样本的特征维上归一化，和 batch 大小、序列长度都无关。\n\n"
                           "推理时 batch 可能只有 1，BatchNorm 依赖的 滑动平均 也常和训练分布对不上。")
    for junk in ("收录于", "人赞同", "IP 属地", "赞同 56", "条评论", "申请转载", "search", "](", "编辑于"):
        assert junk not in item.answer, junk
    assert item.flags == ()


def test_a_link_to_a_page_is_kept_where_a_search_link_loses_its_target(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "links.md"
    page.write_text("## 1. 什么是 RoPE？\n\n把位置编码成旋转，见 [原论文](https://arxiv.org/abs/2104.09864)，"
                    "也可搜 [旋转编码](https://www.example.com/search?q=rope)。\n", encoding="utf-8")
    (item,) = extract_file(page, rules).items
    assert item.answer == "把位置编码成旋转，见 [原论文](https://arxiv.org/abs/2104.09864)，也可搜 旋转编码。"


def test_copy_buttons_post_footer_editor_picks_and_a_sidebar_by_id_are_chrome(rules: Rules) -> None:
    source = extract_file(FIXTURES / "blog-post-widgets.html", rules)
    assert [i.question for i in source.items] == ["权重衰减为什么能防止过拟合？", "早停算不算正则化？"]
    decay, stopping = source.items
    assert decay.answer == ("它把权重往零拉，模型能表示的函数变得更平滑，对训练集里的噪声不那么敏感。\n\n"
                            "```\nopt = SGD(params, lr=0.1, weight_decay=1e-4)\n```")
    # a copy button inside the code element is no line of the code
    assert stopping.answer.endswith("```python\nstopper = EarlyStopping(patience=5)\n```")
    for junk in ("复制", "标签", "posted @", "编辑推荐", "模型回滚", "公告", "园龄"):
        assert junk not in _visible(source), junk


def test_widget_text_copied_along_with_a_post_is_dropped_line_by_line(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "copied.md"
    page.write_text("## 1. 梯度累积怎么写？\n\n每 k 步才调用一次 step，中间只累加梯度。\n\n复制代码\n\n"
                    "```python\nloss.backward()\n```\n\nCopy code\n\n展开阅读全文\n\n"
                    "## 2. 累积步数和学习率有什么关系？\n\n等效 batch 变大，学习率通常要跟着调。\n\n"
                    "登录后即可查看全文\n\n"
                    "粤ICP备00000000号-1\n\n京公网安备 11000000000000号\n", encoding="utf-8")
    first, second = extract_file(page, rules).items
    assert first.answer == "每 k 步才调用一次 step，中间只累加梯度。\n\n```python\nloss.backward()\n```"
    assert second.answer == "等效 batch 变大，学习率通常要跟着调。"


def test_a_docs_page_keeps_its_admonition_title_and_loses_edit_link_pager_and_toc(rules: Rules) -> None:
    source = extract_file(FIXTURES / "docusaurus-doc-page.html", rules)
    assert [i.question for i in source.items] == [
        "Why does L1 give sparse weights?", "What does dropout do at test time?",
        "When does weight decay differ from L2?"]
    sparse, dropout, decay = source.items
    assert sparse.answer.endswith("```python\nloss = mse + lam * w.abs().sum()\n```")
    # the admonition's heading (a hashed "...Heading_xxxx" class) is its title, in bold over its text
    assert dropout.answer == ("Nothing is dropped; with inverted dropout the weights need no rescaling.\n\n**tip**\n\n"
                              "Remember to call model.eval().")
    assert dropout.flags == ()  # "model.eval()" is a call, not a lost formula
    assert decay.answer.startswith("With adaptive optimizers")
    for junk in ("Edit this page", "Last updated", "Previous", "Next", "On this page", "Skip to main content",
                 "Introduction", "Optimizer questions", "Copyright", "Copy code"):
        assert junk not in _visible(source), junk


def test_a_footer_named_part_of_a_question_card_keeps_its_answer(rules: Rules, tmp_path: Path) -> None:
    # a card's own footer ("card-footer") inside the page's main region is content; the site's footer is not
    page = tmp_path / "cards.html"
    page.write_text(
        "<html><body><main><h1>Interview questions</h1>"
        "<div class='card'><div class='card-header'><h3>What is overfitting?</h3></div>"
        "<div class='card-body'><p>The model fits noise in the training data.</p></div>"
        "<div class='card-footer'><p>Fix it with more data or early stopping.</p></div></div>"
        "<div class='card'><div class='card-header'><h3>What is underfitting?</h3></div>"
        "<div class='card-body'><p>The model is too simple for the pattern.</p></div>"
        "<div class='card-footer'><p>Use a bigger model or train longer.</p></div></div>"
        "</main><div class='blog-footer-bottom'><p>Contact us</p></div></body></html>", encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == ["What is overfitting?", "What is underfitting?"]
    assert source.items[0].answer.endswith("Fix it with more data or early stopping.")
    assert source.items[1].answer.endswith("Use a bigger model or train longer.")
    assert_no_junk(source, "Contact us")
