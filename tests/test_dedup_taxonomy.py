"""The taxonomy as dedup reads it: longest alias, parents absorbed, a user's aliases extend a shipped concept."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Rules, load_rules
from pipeline.dedup import make_key, same_question


def test_the_longest_alias_wins_and_a_child_absorbs_its_parent(rules: Rules) -> None:
    assert make_key("什么是自注意力?", "zh", rules.dedup).concepts == {"self-attention"}
    assert make_key("LoRA微调的原理是什么?", "zh", rules.dedup).concepts == {"lora"}
    assert make_key("What are the advantages of LoRA for LLM fine-tuning?", "en", rules.dedup).concepts == {"lora"}
    # a comparison names a concept and its parent on purpose
    assert make_key("LoRA和微调的区别?", "zh", rules.dedup).concepts == {"lora", "fine-tuning"}


def test_a_users_alias_joins_a_shipped_concept(tmp_path: Path, rules: Rules) -> None:
    a, b = "什么是LoRA?", "什么是低秩微调术?"
    assert not same_question(make_key(a, "zh", rules.dedup), make_key(b, "zh", rules.dedup), rules.dedup)[0]
    user = tmp_path / "deckmill.yaml"
    user.write_text("taxonomy:\n  topics:\n    - id: mine\n      title: 我的\n      concepts:\n"
                    "        - {id: lora, aliases: [低秩微调术]}\n", encoding="utf-8")
    mine = load_rules(user).dedup
    assert same_question(make_key(a, "zh", mine), make_key(b, "zh", mine), mine)[0]
