"""Load and validate the rule files (package defaults plus an optional user file); errors name file:line."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import soupsieve
import yaml

from pipeline.config_dedup import dedup_rules, rewrite_rule, taxonomy_topics
from pipeline.errors import ConfigError
from pipeline.models import Check
from pipeline.rules_model import (
    Combination,
    Concept,
    DamageRule,
    DeckSettings,
    DedupRules,
    FetchRules,
    Intent,
    JunkRules,
    PdfTraceRules,
    PostscriptSettings,
    Rewrite,
    Rule,
    Rules,
    SelectorRule,
    SelfCheckSettings,
    Siblings,
    SignatureSettings,
    StructureRules,
    Topic,
)
from pipeline.yamlnodes import (
    NodeMap,
    as_bool,
    as_float,
    as_int,
    as_list,
    as_regex,
    as_str,
    compose,
    fail,
    merge_nodes,
    where,
)

__all__ = [
    "SECTIONS",
    "Combination",
    "Concept",
    "DamageRule",
    "DeckSettings",
    "DedupRules",
    "FetchRules",
    "Intent",
    "JunkRules",
    "PostscriptSettings",
    "Rewrite",
    "Rule",
    "Rules",
    "SelectorRule",
    "SelfCheckSettings",
    "Siblings",
    "SignatureSettings",
    "StructureRules",
    "Topic",
    "default_rule_files",
    "load_rules",
]

SECTIONS = ("junk", "structure", "damage", "dedup", "taxonomy", "deck", "fetch")


def _rule(node: yaml.Node) -> Rule:
    m = NodeMap(node, "a rule")
    m.only(("name", "pattern", "max_chars"))
    path, line = where(node)
    max_chars = m.opt("max_chars")
    return Rule(
        name=as_str(m.req("name")),
        regex=as_regex(m.req("pattern"), re.IGNORECASE),
        origin=f"{Path(path).name}:{line}",
        max_chars=as_int(max_chars) if max_chars is not None else 0,
    )


def _numbering(node: yaml.Node) -> Rule:
    rule = _rule(node)
    if "num" not in rule.regex.groupindex:
        raise fail(node, f"numbering pattern '{rule.name}' must define the group (?P<num>...)")
    return rule


def _selector(node: yaml.Node) -> SelectorRule:
    m = NodeMap(node, "a selector rule")
    m.only(("name", "selector"))
    selector = as_str(m.req("selector"))
    try:
        soupsieve.compile(selector)
    except Exception as exc:  # soupsieve raises its own SelectorSyntaxError and ValueError
        raise fail(m.req("selector"), f"invalid CSS selector {selector!r}: {exc}") from exc
    path, line = where(node)
    return SelectorRule(as_str(m.req("name")), selector, f"{Path(path).name}:{line}")


def _junk(node: yaml.Node) -> JunkRules:
    m = NodeMap(node, "junk")
    m.only(("html_drop", "drop_block", "end_of_content", "drop_span", "pdf_export"))
    return JunkRules(
        html_drop=as_list(m.req("html_drop"), _selector),
        drop_block=as_list(m.req("drop_block"), _rule),
        end_of_content=as_list(m.req("end_of_content"), _rule),
        drop_span=as_list(m.req("drop_span"), _rule),
        pdf_export=_pdf_export(m.req("pdf_export")),
    )


def _pdf_export(node: yaml.Node) -> PdfTraceRules:
    m = NodeMap(node, "pdf_export")
    m.only(("page_number", "min_run", "min_chars_between", "hyphen_break", "suspended_before"))
    page_number = as_regex(m.req("page_number"), re.I)
    if "n" not in page_number.groupindex:
        raise fail(m.req("page_number"), "the page_number pattern must define the group (?P<n>...)")
    hyphen_break = as_regex(m.req("hyphen_break"))
    if hyphen_break.groups < 2:
        raise fail(m.req("hyphen_break"), "the hyphen_break pattern must capture the two halves of the word")
    return PdfTraceRules(
        page_number=page_number,
        min_run=as_int(m.req("min_run")),
        min_chars_between=as_int(m.req("min_chars_between")),
        hyphen_break=hyphen_break,
        suspended_before=frozenset(w.lower() for w in as_list(m.req("suspended_before"), as_str)),
    )


def _structure(node: yaml.Node) -> StructureRules:
    m = NodeMap(node, "structure")
    words = NodeMap(m.req("question_words"), "question_words")
    numbering = as_list(m.req("numbering"), _numbering)
    names = {rule.name for rule in numbering}
    point_styles = frozenset(as_list(m.req("answer_point_numbering"), as_str))
    section_styles = frozenset(as_list(m.req("section_numbering"), as_str))
    question_styles = frozenset(as_list(m.req("question_numbering"), as_str))
    for key, styles in (("answer_point_numbering", point_styles), ("section_numbering", section_styles),
                        ("question_numbering", question_styles)):
        for style in styles - names:
            raise fail(m.req(key), f"unknown numbering style '{style}'")
    labels = as_list(m.req("answer_labels"), lambda n: as_regex(NodeMap(n, "label").req("pattern"), re.I))
    return StructureRules(
        numbering=numbering,
        answer_point_numbering=point_styles,
        question_numbering=question_styles,
        section_numbering=section_styles,
        question_markers=as_list(m.req("question_markers"), lambda n: as_regex(n, re.I)),
        section_patterns=as_list(m.req("section_patterns"), as_regex),
        answer_labels=labels,
        question_words_zh=as_list(words.req("zh"), as_str),
        question_words_zh_topic=as_list(words.req("zh_topic"), as_str),
        question_words_en=as_list(words.req("en"), as_str),
        interrogatives=as_list(words.req("interrogative"), as_str),
        question_final_words=as_list(m.req("question_final_words"), as_str),
        question_continuations=as_list(m.req("question_continuations"), as_str),
        question_followups=as_list(m.req("question_followups"), as_str),
        statement_openers=frozenset(w.lower() for w in as_list(m.req("statement_openers"), as_str)),
        question_auxiliaries=frozenset(w.lower() for w in as_list(m.req("question_auxiliaries"), as_str)),
        continuation_max_chars=as_int(m.req("continuation_max_chars")),
        bullets=as_list(m.req("bullets"), as_str),
        non_question_sections=as_regex(m.req("non_question_sections"), re.I),
        number_only=as_regex(m.req("number_only"), re.I),
        bare_number=as_regex(m.req("bare_number")),
        bare_number_run=as_int(m.req("bare_number_run")),
        plain_section_max_words=as_int(m.req("plain_section_max_words")),
        outline_number=as_regex(m.req("outline_number")),
        toc_label=as_regex(m.req("toc_label"), re.I),
        list_announcers=as_list(m.req("list_announcers"), as_str),
        link_words=as_list(m.req("link_words"), as_str),
        named_links_min_items=as_int(m.req("named_links_min_items")),
        named_link_max_chars=as_int(m.req("named_link_max_chars")),
        faq_question=as_regex(NodeMap(m.req("faq_table"), "faq_table").req("question"), re.I),
        faq_answer=as_regex(NodeMap(m.req("faq_table"), "faq_table").req("answer"), re.I),
        max_question_chars=as_int(m.req("max_question_chars")),
        max_heading_question_chars=as_int(m.req("max_heading_question_chars")),
        signature=_signature(m.req("signature")),
        answer_reveal=as_regex(m.req("answer_reveal"), re.I),
        self_checks=_self_checks(m.req("self_checks")),
        postscript=_postscript(m.req("postscript")),
        reference_label=as_regex(m.req("reference_label"), re.I),
        question_sections=as_regex(m.req("question_sections"), re.I),
        answer_part_headings=as_regex(m.req("answer_part_headings"), re.I),
        not_statement_questions=as_regex(m.req("not_statement_questions"), re.I),
        closing_sections=as_regex(m.req("closing_sections"), re.I),
        arrow_answer=as_regex(m.req("arrow_answer"), re.S),
        choice_option=as_regex(m.req("choice_option"), re.I),
        answer_placeholder=as_regex(m.req("answer_placeholder"), re.I),
    )


def _postscript(node: yaml.Node) -> PostscriptSettings:
    m = NodeMap(node, "postscript")
    m.only(("max_blocks", "max_chars"))
    return PostscriptSettings(as_int(m.req("max_blocks")), as_int(m.req("max_chars")))


def _self_checks(node: yaml.Node) -> SelfCheckSettings:
    m = NodeMap(node, "self_checks")
    m.only(("promise", "promise_ratio", "question_markup", "answer_questions_min", "answer_questions_share"))
    return SelfCheckSettings(as_regex(m.req("promise"), re.I), as_float(m.req("promise_ratio")),
                             as_regex(m.req("question_markup")), as_int(m.req("answer_questions_min")),
                             as_float(m.req("answer_questions_share")))


def _signature(node: yaml.Node) -> SignatureSettings:
    m = NodeMap(node, "signature")
    m.only(("min_questions", "answered_weight", "numbering_weight", "body_over_heading", "statement_share"))
    return SignatureSettings(as_int(m.req("min_questions")), as_float(m.req("answered_weight")),
                             as_float(m.req("numbering_weight")), as_float(m.req("body_over_heading")),
                             as_float(m.req("statement_share")))


def _damage_rule(node: yaml.Node) -> DamageRule:
    m = NodeMap(node, "a damage rule")
    m.only(("name", "reason", "pattern", "dangling_colon", "cut_off", "self_check"))
    pattern = m.opt("pattern")
    colon, cut, check = m.opt("dangling_colon"), m.opt("cut_off"), m.opt("self_check")
    rule = DamageRule(
        name=as_str(m.req("name")),
        reason=as_str(m.req("reason")),
        regex=as_regex(pattern) if pattern is not None else None,
        dangling_colon=as_bool(colon) if colon is not None else False,
        cut_off=as_bool(cut) if cut is not None else False,
        self_check=as_bool(check) if check is not None else False,
    )
    if rule.self_check and rule.name not in {str(c) for c in Check}:
        raise fail(node, f"unknown self-check '{rule.name}' (known: {', '.join(str(c) for c in Check)})")
    if rule.regex is None and not (rule.dangling_colon or rule.cut_off or rule.self_check):
        raise fail(node, "a damage rule needs a pattern, dangling_colon: true, cut_off: true or self_check: true")
    return rule


def _deck(node: yaml.Node) -> DeckSettings:
    m = NodeMap(node, "deck")
    m.only(("deck_name", "fallback_topic", "note_type_name", "note_type_id", "include_unanswered"))
    name = as_str(m.req("deck_name"))
    if not name.strip() or name.startswith("::") or name.endswith("::"):
        raise fail(m.req("deck_name"), "deck_name must be a non-empty deck name")
    return DeckSettings(
        deck_name=name,
        fallback_topic=as_str(m.req("fallback_topic")),
        note_type_name=as_str(m.req("note_type_name")),
        note_type_id=as_int(m.req("note_type_id")),
        include_unanswered=as_bool(m.req("include_unanswered")),
    )


def _fetch(node: yaml.Node) -> FetchRules:
    m = NodeMap(node, "fetch")
    m.only(("timeout_seconds", "max_bytes", "max_redirects", "user_agent", "content_types", "url_rewrites",
            "script_only"))
    script = NodeMap(m.req("script_only"), "script_only")
    rules = FetchRules(
        timeout=as_int(m.req("timeout_seconds")), max_bytes=as_int(m.req("max_bytes")),
        max_redirects=as_int(m.req("max_redirects")), user_agent=as_str(m.req("user_agent")),
        content_types=as_list(m.req("content_types"), as_str), rewrites=as_list(m.req("url_rewrites"), rewrite_rule),
        script_only_chars=as_int(script.req("max_text_chars")),
        script_only_markers=as_list(script.req("markers"), as_str))
    if rules.max_bytes <= 0 or rules.timeout <= 0:
        raise fail(m.req("max_bytes"), "timeout_seconds and max_bytes must be positive")
    return rules


def default_rule_files() -> dict[str, Path]:
    """The rule files shipped inside the package, by section."""
    base = resources.files("pipeline") / "rules"
    return {name: Path(str(base / f"{name}.yaml")) for name in SECTIONS}


def load_rules(user_file: Path | None = None) -> Rules:
    """Load the shipped rules and overlay `user_file` (top-level keys are the section names)."""
    nodes: dict[str, yaml.Node] = {}
    digest = hashlib.sha256()
    files = [*default_rule_files().values(), *([user_file] if user_file is not None else [])]
    for path in files:
        digest.update(path.read_bytes() if path.exists() else b"")
    for name, path in default_rule_files().items():
        node = compose(path)
        if node is None:
            raise ConfigError(str(path), 1, "empty rule file")
        nodes[name] = node
    if user_file is not None:
        user = compose(user_file)
        if user is not None:
            overlay = NodeMap(user, "a deckmill config file")
            overlay.only(SECTIONS)
            for name, node in overlay.items.items():
                nodes[name] = merge_nodes(nodes[name], node)
    taxonomy = taxonomy_topics(nodes["taxonomy"])
    damage = NodeMap(nodes["damage"], "damage")
    return Rules(
        junk=_junk(nodes["junk"]),
        structure=_structure(nodes["structure"]),
        damage=as_list(damage.req("damage"), _damage_rule),
        dedup=dedup_rules(nodes["dedup"], taxonomy),
        taxonomy=taxonomy,
        deck=_deck(nodes["deck"]),
        fetch=_fetch(nodes["fetch"]),
        fingerprint=digest.hexdigest()[:16],
    )
