"""Load and validate the rule files (package defaults plus an optional user file); errors name file:line."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import soupsieve
import yaml

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


def _dedup(node: yaml.Node, taxonomy: tuple[Topic, ...]) -> DedupRules:
    m = NodeMap(node, "dedup")
    m.only(("filler", "intents", "threshold", "related_threshold", "related_per_question", "max_block",
            "same_page_strict", "combine", "siblings", "scope", "frames", "examples", "phases", "negation",
            "opposites", "directions", "relative", "rewrites", "prefer"))
    same_page = m.opt("same_page_strict")
    fillers = NodeMap(m.req("filler"), "filler")

    def intent(n: yaml.Node) -> Intent:
        im = NodeMap(n, "an intent")
        im.only(("name", "words", "level", "keep_parents", "open_up_to", "means", "same_as", "shared", "lead_in",
                 "covers", "in_comparison"))
        level, keep, up_to, means = im.opt("level"), im.opt("keep_parents"), im.opt("open_up_to"), im.opt("means")
        same_as, shared, lead_in = im.opt("same_as"), im.opt("shared"), im.opt("lead_in")
        return Intent(as_str(im.req("name")), as_list(im.req("words"), as_str), as_int(level) if level else 2,
                      as_bool(keep) if keep is not None else False, as_int(up_to) if up_to is not None else -1,
                      as_list(means, as_str) if means is not None else (),
                      as_str(same_as) if same_as is not None else "",
                      as_bool(shared) if shared is not None else False,
                      as_bool(lead_in) if lead_in is not None else False,
                      as_list(covers, as_str) if (covers := im.opt("covers")) is not None else (),
                      as_str(compared) if (compared := im.opt("in_comparison")) is not None else "")

    def combination(n: yaml.Node) -> Combination:
        cm = NodeMap(n, "a combination")
        cm.only(("all", "gives"))
        return Combination(as_list(cm.req("all"), as_str), as_str(cm.req("gives")))

    def positive(key: str, default: int) -> int:
        value = m.opt(key)
        number = as_int(value) if value is not None else default
        if value is not None and number < 1:
            raise fail(value, f"{key} must be at least 1")
        return number

    def siblings(n: yaml.Node) -> Siblings:
        sm = NodeMap(n, "siblings")
        sm.only(("ask", "asked"))
        return Siblings(as_str(sm.req("ask")), as_list(sm.req("asked"), as_str))

    intents = as_list(m.req("intents"), intent)
    combine = as_list(combo, combination) if (combo := m.opt("combine")) is not None else ()
    alike = siblings(node_s) if (node_s := m.opt("siblings")) is not None else Siblings()
    named = {i.name for i in intents}
    unknown = sorted(({n for i in intents
                       for n in (*i.means, *i.covers, *filter(None, [i.same_as, i.in_comparison]))}
                      | {n for c in combine for n in (*c.all, c.gives)}
                      | {n for n in (*alike.asked, *filter(None, [alike.ask]))}) - named)
    if unknown:
        raise fail(m.req("intents"),
                   f"unknown intent '{unknown[0]}' in means, same_as, covers, in_comparison, combine or siblings")
    phases = m.opt("phases")
    known = named | {c.id for topic in taxonomy for c in topic.concepts}
    for phase in as_list(phases, lambda n: n) if phases is not None else ():
        if as_str(phase) not in known:
            raise fail(phase, f"unknown phase '{as_str(phase)}': name an intent or a concept id")
    threshold = as_int(m.req("threshold"))
    related = as_int(m.req("related_threshold"))
    if not 0 < related <= threshold <= 100:
        raise fail(m.req("threshold"), "need 0 < related_threshold <= threshold <= 100")
    return DedupRules(
        filler=as_list(fillers.req("zh"), as_str) + as_list(fillers.req("en"), as_str),
        intents=intents,
        threshold=threshold,
        related_threshold=related,
        taxonomy=taxonomy,
        related_per_question=positive("related_per_question", 3),
        max_block=positive("max_block", 64),
        same_page_strict=as_bool(same_page) if same_page is not None else True,
        combine=combine,
        siblings=alike,
        scope=as_list(scope, as_str) if (scope := m.opt("scope")) is not None else (),
        frames=as_list(frames, as_regex) if (frames := m.opt("frames")) is not None else (),
        examples=as_list(marks, as_str) if (marks := m.opt("examples")) is not None else (),
        phases=as_list(phases, as_str) if phases is not None else (),
        negation=as_list(negation, _negation_word) if (negation := m.opt("negation")) is not None else (),
        opposites=as_list(pairs, _opposite) if (pairs := m.opt("opposites")) is not None else (),
        directions=(ways := _directions(node_w) if (node_w := m.opt("directions")) is not None else ()),
        relative=_relative(m.opt("relative"), ways),
        rewrites=as_list(rewrites, _rewrite) if (rewrites := m.opt("rewrites")) is not None else (),
        prefer=as_list(prefer, as_str) if (prefer := m.opt("prefer")) is not None else (),
    )


def _negation_word(node: yaml.Node) -> str:
    """One leftover word (a negation marker, one of two opposites): a single CJK character or one lowercase word."""
    word = as_str(node)
    if not re.fullmatch(r"[\u3400-\u9fff]|[a-z]+", word):
        raise fail(node, f"'{word}' must be one Chinese character or one lowercase word (as the leftover holds it)")
    return word


def _opposite(node: yaml.Node) -> tuple[str, str]:
    """Two leftover words of opposite sense."""
    pair = as_list(node, _negation_word)
    if len(pair) != 2 or pair[0] == pair[1]:
        raise fail(node, "an opposite is a pair of two different words")
    return pair[0], pair[1]


def _directions(node: yaml.Node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Directions and their words: a mapping of two or more names to lists of words."""
    m = NodeMap(node, "directions")
    ways = tuple((name, as_list(words, as_str)) for name, words in m.items.items())
    if len(ways) < 2:
        raise fail(node, "directions needs two or more directions (up and down)")
    return ways


def _relative(node: yaml.Node | None, ways: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """Directions told from a moment a setting names: each must be a direction."""
    if node is None:
        return ()
    names = as_list(node, as_str)
    unknown = [n for n in names if n not in {name for name, _ in ways}]
    if unknown:
        raise fail(node, f"unknown direction '{unknown[0]}' in relative")
    return names


def _taxonomy(node: yaml.Node) -> tuple[Topic, ...]:
    m = NodeMap(node, "taxonomy")

    def concept(n: yaml.Node) -> Concept:
        cm = NodeMap(n, "a concept")
        cm.only(("id", "aliases", "parent", "generic", "parent_when", "kind"))
        parent, generic, when, kind = cm.opt("parent"), cm.opt("generic"), cm.opt("parent_when"), cm.opt("kind")
        if when is not None and parent is None:
            raise fail(when, "parent_when needs a parent")
        return Concept(as_str(cm.req("id")), as_list(cm.req("aliases"), as_str),
                       as_str(parent) if parent is not None else "", as_bool(generic) if generic is not None else False,
                       as_list(when, as_str) if when is not None else (), as_str(kind) if kind is not None else "")

    def topic(n: yaml.Node) -> Topic:
        tm = NodeMap(n, "a topic")
        return Topic(as_str(tm.req("id")), as_str(tm.req("title")), as_list(tm.req("concepts"), concept))

    topics = as_list(m.req("topics"), topic)
    seen: set[str] = set()
    for t in topics:
        if t.id in seen:
            raise fail(m.req("topics"), f"duplicate topic id '{t.id}'")
        seen.add(t.id)
    concepts = {c.id for t in topics for c in t.concepts}
    for t in topics:
        for c in t.concepts:
            if c.parent and c.parent not in concepts:
                raise fail(m.req("topics"), f"concept '{c.id}' names an unknown parent '{c.parent}'")
    return topics


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


def _rewrite(node: object) -> Rewrite:
    m = NodeMap(node, "a rewrite")  # type: ignore[arg-type]
    m.only(("name", "pattern", "replace"))
    return Rewrite(as_str(m.req("name")), as_regex(m.req("pattern")), as_str(m.req("replace")))


def _fetch(node: yaml.Node) -> FetchRules:
    m = NodeMap(node, "fetch")
    m.only(("timeout_seconds", "max_bytes", "max_redirects", "user_agent", "content_types", "url_rewrites",
            "script_only"))
    script = NodeMap(m.req("script_only"), "script_only")
    rules = FetchRules(
        timeout=as_int(m.req("timeout_seconds")), max_bytes=as_int(m.req("max_bytes")),
        max_redirects=as_int(m.req("max_redirects")), user_agent=as_str(m.req("user_agent")),
        content_types=as_list(m.req("content_types"), as_str), rewrites=as_list(m.req("url_rewrites"), _rewrite),
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
    taxonomy = _taxonomy(nodes["taxonomy"])
    damage = NodeMap(nodes["damage"], "damage")
    return Rules(
        junk=_junk(nodes["junk"]),
        structure=_structure(nodes["structure"]),
        damage=as_list(damage.req("damage"), _damage_rule),
        dedup=_dedup(nodes["dedup"], taxonomy),
        taxonomy=taxonomy,
        deck=_deck(nodes["deck"]),
        fetch=_fetch(nodes["fetch"]),
        fingerprint=digest.hexdigest()[:16],
    )
