"""Saved HTML pages (tests/fixtures, invented): the content region, chrome by structure, postscripts, boxes, quizzes."""

from __future__ import annotations

from pipeline.clean import clean_page
from pipeline.config import Rules
from pipeline.extract import extract
from pipeline.models import Block, CleanPage, RawPage, SourceMeta
from pipeline.parse_html import parse_html
from pipeline.sources import load_page
from tests.conftest import FIXTURES


def _clean(name: str, rules: Rules) -> CleanPage:
    return clean_page(load_page(FIXTURES / name), rules)


def _page_text(blocks: tuple[Block, ...] | list[Block]) -> str:
    return "\n".join(f"{b.text}\n{b.answer}" for b in blocks)


def test_theme_chrome_goes_and_the_post_stays(rules: Rules) -> None:
    page = _clean("html-theme-chrome.html", rules)
    source = extract(page, rules)
    assert [i.question for i in source.items] == [
        "什么是 KV Cache？", "为什么投机解码能加速？", "PagedAttention 解决了什么问题？"]
    kv, spec, paged = source.items
    # a line break in the source between two CJK characters is nothing; a <br> breaks the line
    assert kv.answer == ("自回归生成时缓存每一步的 Key 和 Value，后面的 token 不必重算前文的投影。"
                         "\n\n代价是显存随序列长度线性增长。")
    assert spec.answer == ("小模型先连续猜几个 token，大模型一次前向并行验证，"
                           "\n\n接受的部分直接输出，拒绝处由大模型重新采样。")
    # a link inside the answer, and a list that only starts with a link, are content
    assert "[论文笔记](https://example.org/paged)" in paged.answer
    assert paged.answer.endswith("- [块表](https://example.org/a)记录逻辑块到物理块的映射"
                                 "\n- 共享前缀的请求可以共用物理块")
    text = _page_text(page.blocks)
    for junk in ("首页", "归档", "文章 42", "发表于", "阅读时长", "#", "¶", "点赞收藏", "公众号", "blog.example.org",
                 "往期回顾", "注意力机制的前世今生", "位置编码一文读懂", "请我喝杯咖啡", "微信支付", "上一篇", "下一篇",
                 "# LLM", "发表评论", "© 2024", "Hexo"):
        assert junk not in text, junk
    rules_used = {r.rule for r in page.removals}
    assert {"html-sidebar", "html-post-meta", "heading-anchor", "trailing-link-list", "trailing-link-list (label)",
            "postscript", "html-donate-qr", "html-prev-next", "html-comments", "html-header-footer"} <= rules_used


def test_a_layout_class_naming_the_sidebar_does_not_take_the_content(rules: Rules) -> None:
    # the whole page sits in <div class="container sidebar-position-left">, which the sidebar rule matches
    page = _clean("html-theme-chrome.html", rules)
    assert any(r.text.startswith("1. 什么是 KV Cache？ 2.") for r in page.removals)  # the sidebar's TOC
    assert [b.text for b in page.blocks if b.kind == "heading"] == [
        "推理优化小结", "1. 什么是 KV Cache？", "2. 为什么投机解码能加速？", "3. PagedAttention 解决了什么问题？"]


def test_docs_page_boxes_quiz_options_and_nested_details(rules: Rules) -> None:
    page = _clean("html-docs-boxes.html", rules)
    blocks = list(page.blocks)
    text = _page_text(blocks)
    for junk in ("Skip to main content", "Handbook home", "¶", "Copy", "Previous", "Next", "static site theme"):
        assert junk not in text, junk
    # a titled box: its title leads it as a bold line, its body follows
    title = next(i for i, b in enumerate(blocks) if "Explain how BM25" in b.text)
    assert blocks[title] == Block("para", "**1. (Core) Explain how BM25 scores a document.**", line=blocks[title].line)
    assert blocks[title + 1].text.startswith("**Expected depth:** term frequency saturates")
    # quiz options are buttons inside the cells of a one-column table without a header: a list of options
    quiz = next(i for i, b in enumerate(blocks) if b.text.startswith("Which index structure"))
    options = [(b.kind, b.text) for b in blocks[quiz + 1 : quiz + 3]]
    assert options == [("item", "Inverted index"), ("item", "HNSW graph")]
    # a collapsed block holding only collapsed blocks is a category heading over them; an empty one is unanswered
    assert [(b.kind, b.text, b.answer) for b in blocks if b.kind == "qa" or b.text == "Evaluation"] == [
        ("heading", "Evaluation", ""),
        ("qa", "3. What does recall@k measure?",
         "The share of relevant documents that appear among the top k results."),
        ("qa", "4. Why is MRR sensitive to the first hit?",
         "It averages the reciprocal rank of the first relevant result, so only that position counts."),
        ("qa", "5. How would you build a golden set?", ""),
    ]
    # the second <html> document in the file repeats the first one's start: the page is read once
    assert sum(1 for b in blocks if b.text.startswith("Twelve questions")) == 1
    source = extract(page, rules)
    questions = [i.question for i in source.items]
    assert "(Core) Explain how BM25 scores a document." in questions[0]
    assert "(Advanced) Why combine dense and sparse retrieval?" in questions[1]
    assert source.items[1].answer.endswith("```python\nscore = 1 / (60 + rank_dense) + 1 / (60 + rank_sparse)\n```")
    recall = next(i for i in source.items if "recall@k" in i.question)
    assert (recall.question, recall.number) == ("What does recall@k measure?", "3")
    assert all(i.question != "Evaluation" for i in source.items)


def test_a_number_in_its_own_element_before_a_summary_is_its_enumerator(rules: Rules) -> None:
    html = ("<details><summary><span class='no'>07</span><span class='title'>Why do LLMs hallucinate?"
            "<span class='tags'><span>grounding</span></span></span></summary><p>They predict plausible text."
            "</p></details><p><span>3</span> ways to reduce it</p>")
    blocks, _ = parse_html(html, rules.junk.html_drop, page=True)
    # in a title (summary, heading) the leading number element enumerates it; in running text it is a word
    assert [(b.kind, b.text) for b in blocks] == [
        ("qa", "07. Why do LLMs hallucinate?"), ("para", "3 ways to reduce it")]


def test_two_different_documents_in_one_file_are_both_read(rules: Rules) -> None:
    first = ("<!doctype html><html><body><article><h2>1. What is a token?</h2><p>A piece of text.</p></article>"
             "</body></html>")
    second = ("<!doctype html><html><body><article><h2>2. What is a logit?</h2><p>A raw score.</p></article>"
              "</body></html>")
    blocks, _ = parse_html(first + "\n" + second, rules.junk.html_drop, page=True)
    assert [b.text for b in blocks if b.kind == "heading"] == ["1. What is a token?", "2. What is a logit?"]


def test_a_reference_list_ends_the_last_answer_but_links_inside_answers_stay(rules: Rules) -> None:
    html = ("<!doctype html><html><body><article><h2>1. 什么是 LoRA？</h2><p>低秩分解近似权重更新。</p>"
            "<ul><li><a href='https://example.org/lora'>原论文</a></li><li><a href='https://example.org/q'>代码</a></li></ul>"
            "<h2>2. 什么是 QLoRA？</h2><p>在 4 bit 量化的底座上训练 LoRA。</p>"
            "<p>参考:</p><ol><li><a href='https://example.org/x'>为什么大家都在用 QLoRA？</a></li>"
            "<li><a href='https://example.org/y'>微调专题合集</a></li></ol></article></body></html>")
    blocks, removals = parse_html(html, rules.junk.html_drop, rules.junk.drop_block, page=True)
    text = _page_text(blocks)
    assert "[原论文](https://example.org/lora)" in text and "[代码](https://example.org/q)" in text
    assert "参考" not in text and "为什么大家都在用 QLoRA" not in text and "微调专题合集" not in text
    assert blocks[-1].text == "在 4 bit 量化的底座上训练 LoRA。"
    assert [r.rule for r in removals if r.rule.startswith("trailing")] == [
        "trailing-link-list", "trailing-link-list (label)"]


def test_a_section_after_a_rule_without_promo_is_content(rules: Rules) -> None:
    html = ("<!doctype html><html><body><article><h2>1. What is dropout?</h2><p>Randomly zeroing units.</p><hr>"
            "<p>At inference the weights are scaled instead.</p></article></body></html>")
    blocks, removals = parse_html(html, rules.junk.html_drop, rules.junk.drop_block, page=True)
    assert blocks[-1].text == "At inference the weights are scaled instead."
    assert not [r for r in removals if r.rule == "postscript"]


def test_markdown_fragments_keep_their_line_breaks(rules: Rules) -> None:
    blocks, _ = parse_html("<p>first line\nsecond line</p>", rules.junk.html_drop)
    assert [b.text for b in blocks] == ["first line", "second line"]


def test_a_wide_table_without_a_header_row_gets_an_empty_header(rules: Rules) -> None:
    blocks, _ = parse_html("<table><tr><td>BM25</td><td>sparse</td></tr><tr><td>DPR</td><td>dense</td></tr></table>",
                           rules.junk.html_drop)
    assert [b.text for b in blocks] == ["|  |  |\n| --- | --- |\n| BM25 | sparse |\n| DPR | dense |"]


def test_markup_nested_thousands_deep_is_read_not_fatal(rules: Rules) -> None:
    html = "<!doctype html><html><body>" + "<div>" * 3000 + "What is a KV cache?" + "</div>" * 3000 + "</body></html>"
    blocks, _ = parse_html(html, rules.junk.html_drop, rules.junk.drop_block, page=True)
    assert [b.text for b in blocks] == ["What is a KV cache?"]


def test_a_formula_pasted_twice_as_text_is_printed_once(rules: Rules) -> None:
    html = ("<!doctype html><html><body><article><h2>1. 逻辑回归的假设是什么？</h2>"
            "<p>样本为正的概率是 hθ(x)hθ(x)，为负的概率是1−hθ(x)1−hθ(x)，在2020年前后常被问到。</p>"
            "</article></body></html>")
    page = clean_page(RawPage("lr", "lr.html", html, "html", "utf-8", SourceMeta()), rules)
    assert page.blocks[-1].text == "样本为正的概率是 hθ(x)，为负的概率是1−hθ(x)，在2020年前后常被问到。"
    assert [(r.rule, r.before) for r in page.repairs] == [
        ("formula-text-doubled", "hθ(x)hθ(x)"), ("formula-text-doubled", "1−hθ(x)1−hθ(x)")]


def test_a_collapsed_aside_is_part_of_the_answer_but_collapsed_topics_alone_are_the_questions(rules: Rules) -> None:
    aside = ("<!doctype html><html><body><article><h2>1. What is multi-query attention?</h2>"
             "<p>All heads share one key and one value projection.</p>"
             "<details><summary>Deep dive: memory traffic in decoding</summary><p>The KV cache shrinks by the number "
             "of heads.</p></details><h2>2. Why does grouped-query attention exist?</h2><p>It trades quality for "
             "speed between MHA and MQA.</p></article></body></html>")
    page = clean_page(RawPage("mqa", "mqa.html", aside, "html", "utf-8", SourceMeta()), rules)
    items = extract(page, rules).items
    assert [i.question for i in items] == ["What is multi-query attention?", "Why does grouped-query attention exist?"]
    assert "The KV cache shrinks by the number of heads." in items[0].answer
    topics = ("<!doctype html><html><body><main><details><summary>Tokenization</summary><p>Splitting text into "
              "units.</p></details><details><summary>Context window</summary><p>How many tokens fit.</p></details>"
              "</main></body></html>")
    page = clean_page(RawPage("faq", "faq.html", topics, "html", "utf-8", SourceMeta()), rules)
    assert [i.question for i in extract(page, rules).items] == ["Tokenization", "Context window"]


def test_code_from_highlighters_keeps_its_lines_and_language(rules: Rules) -> None:
    source = extract(_clean("html-code-highlighters.html", rules), rules)
    freeze, count, pin = source.items
    # Hexo: a table beside a line-number gutter, lines as spans split by <br>, the language on the <figure>
    assert freeze.answer == ("Turn off its gradients:\n\n```python\nfor p in layer.parameters():\n"
                             "    p.requires_grad = False\n```")
    # Rouge: the language on a wrapper <div>
    assert count.answer == "```sql\nSELECT label, COUNT(*)\nFROM samples GROUP BY label;\n```"
    # Pygments (MkDocs): line anchors show nothing, no language is named
    assert pin.answer == '```\npip install "torch==2.3.1"\n```'


def test_badges_inside_a_heading_are_not_part_of_the_question(rules: Rules) -> None:
    html = ("<!doctype html><html><body><article><h2 id='beam'>1. What is beam search? <span class='badge badge-hard'>"
            "Hard</span> <img src='https://img.example.org/badge/asked-often-green.svg' alt='asked often'>"
            "<a class='anchor' href='#beam'>#</a></h2><p>Keep the k best prefixes at every step.</p>"
            "</article></body></html>")
    blocks, removals = parse_html(html, rules.junk.html_drop, page=True)
    assert [b.text for b in blocks] == ["1. What is beam search?", "Keep the k best prefixes at every step."]
    assert ("html-badge", "Hard") in [(r.rule, r.text) for r in removals]


def test_a_formula_served_as_an_image_keeps_its_tex(rules: Rules) -> None:
    html = ("<p>每次迭代都要对 <img src='https://math.example.org/render?tex=%5Cmathcal%7BO%7D%28n%29' alt='[公式]'> "
            "个样本求梯度，<img src='https://example.org/fig.png' alt='收敛曲线'></p>")
    blocks, _ = parse_html(html, rules.junk.html_drop)
    assert blocks[0].text == "每次迭代都要对 \\(\\mathcal{O}(n)\\) 个样本求梯度，（图：收敛曲线）"


def test_a_quiz_problem_under_label_headings_keeps_options_answer_and_solution(rules: Rules) -> None:
    html = ("<!doctype html><html><body><main><h1>Quiz</h1>"
            "<h2>Softmax range</h2><h4>Problem</h4><p>Which interval holds every softmax output?</p>"
            "<h4>Options</h4><table><tr><td><button>(0, 1)</button></td></tr><tr><td><button>[-1, 1]</button></td></tr>"
            "</table><h4>Answer</h4><p><button>(0, 1)</button></p><h4>Solution</h4><p>Exponentials are positive and "
            "the outputs sum to one.</p><hr>"
            "<h2>Dropout at test time</h2><h4>Problem</h4><p>What does inverted dropout do at inference?</p>"
            "<h4>Answer</h4><p>Nothing: the scaling happened during training.</p></main></body></html>")
    page = clean_page(RawPage("quiz", "quiz.html", html, "html", "utf-8", SourceMeta()), rules)
    first, second = extract(page, rules).items
    assert first.question == "Which interval holds every softmax output?"
    assert first.answer == ("**Options**\n\n- (0, 1)\n- [-1, 1]\n\n**Answer**\n\n(0, 1)\n\n**Solution**\n\n"
                            "Exponentials are positive and the outputs sum to one.")
    assert (second.question, second.answer) == ("What does inverted dropout do at inference?",
                                                "**Answer**\n\nNothing: the scaling happened during training.")
