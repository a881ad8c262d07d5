"""Cleaning: repairs (entities, KaTeX, broken lines, term/colon) and junk rules, on small made-up pages."""

from __future__ import annotations

from pathlib import Path

from pipeline.clean import clean_page
from pipeline.config import Rules, load_rules
from pipeline.models import RawPage, SourceMeta
from pipeline.repair import repair_entities, repair_katex


def _page(text: str, fmt: str = "txt") -> RawPage:
    return RawPage("t", f"t.{fmt}", text, fmt, "utf-8", SourceMeta(lang="zh"))  # type: ignore[arg-type]


def test_entity_that_lost_its_ampersand() -> None:
    fixed, repairs = repair_entities("结束了#xff0c;校招即将开启 &amp; &#x4e2d;")
    assert fixed == "结束了，校招即将开启 & 中"
    assert [r[0] for r in repairs] == ["entity-missing-ampersand", "html-entity", "html-entity"]


def test_katex_rendered_three_times_becomes_one_formula() -> None:
    tex = r"E=mc^{2}"
    line = "质能方程:E=mc2" + tex + "E=mc2。"  # MathML text, TeX annotation, HTML text
    fixed, repairs = repair_katex(line)
    assert fixed == r"质能方程:\(E=mc^{2}\)。"
    assert repairs and repairs[0][0] == "katex-triple-render"
    assert repair_katex(r"plain \frac text without copies")[0] == r"plain \frac text without copies"


def test_broken_lines_and_term_colon_are_joined(rules: Rules) -> None:
    text = ("1、什么是前缀语言模型?\n"
            "前缀语言模型在输入序列的开头添加一个可学习的任务相关的前缀然后使用这个前\n"
            "缀和输入序列一起生成输出。\n"
            "\n"
            "计算查询(Query)\n"
            "\n"
            ":查询是当前时间步的输入。\n"
            "(2)优化prompt设计,设计更加通用的Prompt模板\n"
            "尽量使用简洁明了的prompt。\n")
    page = clean_page(_page(text), rules)
    texts = [b.text for b in page.blocks]
    assert "前缀语言模型在输入序列的开头添加一个可学习的任务相关的前缀然后使用这个前缀和输入序列一起生成输出。" in texts
    assert "计算查询(Query):查询是当前时间步的输入。" in texts
    assert "(2)优化prompt设计,设计更加通用的Prompt模板" in texts  # an enumerated sub-heading is not joined
    assert {r.rule for r in page.repairs} == {"broken-line-joined", "term-colon-rejoined"}


def test_junk_blocks_and_promo_tail_are_removed_with_their_rule(rules: Rules) -> None:
    text = ("欢迎来到某某网\n您的位置:首页 > 教育\n"
            "1. 什么是RAG?\n检索增强生成先检索再生成。\n在这里插入图片描述\n"
            "2. 什么是LoRA?\nLoRA 是低秩适配。\n"
            "其他相关:\n1、AI面试题(Transformer相关) - 某网\n—— 完 ——\n立 为 非 似\n")
    page = clean_page(_page(text), rules)
    kept = "\n".join(b.text for b in page.blocks)
    assert "检索增强生成先检索再生成。" in kept and "LoRA 是低秩适配。" in kept
    for junk in ("欢迎来到", "您的位置", "在这里插入图片描述", "其他相关", "Transformer相关", "完", "立 为"):
        assert junk not in kept
    rules_hit = {r.rule for r in page.removals}
    assert {"site-welcome", "breadcrumb", "image-placeholder", "related-list"} <= rules_hit


def test_end_marker_before_the_first_question_does_not_cut_the_page(rules: Rules) -> None:
    text = "相关推荐\n1. 什么是RAG?\n检索增强生成。\n"
    kept = [b.text for b in clean_page(_page(text), rules).blocks]
    assert "1. 什么是RAG?" in kept and "检索增强生成。" in kept


def test_a_user_rule_file_adds_junk_without_code(tmp_path: Path) -> None:
    user = tmp_path / "deckmill.yaml"
    user.write_text("junk:\n  drop_block:\n    - name: my-site-footer\n      pattern: '^某某实验室出品'\n",
                    encoding="utf-8")
    text = "1. 什么是RAG?\n检索增强生成。\n某某实验室出品\n"
    default_kept = [b.text for b in clean_page(_page(text), load_rules()).blocks]
    user_page = clean_page(_page(text), load_rules(user))
    assert "某某实验室出品" in default_kept
    assert "某某实验室出品" not in [b.text for b in user_page.blocks]
    assert any(r.rule == "my-site-footer" for r in user_page.removals)


def test_words_that_appear_in_promos_do_not_remove_real_answers(rules: Rules) -> None:
    text = ("1. 如何用 RAG 做课程问答?\n把课程学习资料切块建索引,检索后再让模型生成答案。\n"
            "2. 思维导图能帮助模型推理吗?\n可以把思维导图转成结构化提示,效果因任务而异。\n"
            "3. 位置编码怎么做?\n扫描输入序列,为每个位置编码一个向量。\n"
            "4. 为什么要关注公众号?\n扫码关注公众号,免费领取全套学习资料!\n")
    kept = "\n".join(b.text for b in clean_page(_page(text), rules).blocks)
    assert "把课程学习资料切块建索引,检索后再让模型生成答案。" in kept
    assert "可以把思维导图转成结构化提示,效果因任务而异。" in kept
    assert "扫描输入序列,为每个位置编码一个向量。" in kept
    assert "免费领取" not in kept
