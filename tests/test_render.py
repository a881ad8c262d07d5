"""Card rendering: Markdown to safe HTML, MathJax delimiters kept, code highlighted without JavaScript."""

from __future__ import annotations

from bs4 import BeautifulSoup

from pipeline.render import inline_html, markdown_html


def test_scraped_scripts_iframes_and_handlers_never_reach_a_card() -> None:
    html = markdown_html('答案<script>alert(1)</script> <iframe src="x"></iframe> <img src=x onerror="alert(2)">\n\n'
                         "[link](javascript:alert(3)) [ok](https://example.org)")
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "iframe", "img", "style"])
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on")]
    assert [a["href"] for a in soup.find_all("a")] == ["https://example.org"]
    assert "答案&lt;script&gt;" in html  # shown as text, inert


def test_math_survives_markdown_and_dollars_become_mathjax() -> None:
    html = markdown_html(r"公式 \(a_1 * b_2 * c\) 与 $x^2$ 以及 $$\sum_i x_i$$")
    assert r"\(a_1 * b_2 * c\)" in html
    assert r"\(x^2\)" in html and r"\[\sum_i x_i\]" in html
    assert "<em>" not in html


def test_lists_tables_and_highlighted_code() -> None:
    html = markdown_html("步骤:\n\n1. 切块\n2. 检索\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n"
                         "```python\nimport torch\nx = 1\n```")
    assert "<ol>" in html and "<li>切块</li>" in html
    assert "<table>" in html and "<td>2</td>" in html
    assert '<pre class="code"><code class="language-python">' in html
    assert '<span class="hl-kn">import</span>' in html
    assert "style=" not in html  # colours live in the note type CSS only


def test_inline_question_has_no_paragraph_wrapper() -> None:
    assert inline_html("什么是 **LoRA**?") == "什么是 <strong>LoRA</strong>?"
    assert inline_html("a < b & c") == "a &lt; b &amp; c"
