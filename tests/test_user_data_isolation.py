"""The suite never depends on the user's data: a clone with an extra raw page and edited overrides still passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.realworld_score import CORPUS

INNER = "DECKMILL_INNER_SUITE"


@pytest.mark.skipif(os.environ.get(INNER) == "1", reason="already inside the clone's run")
def test_suite_passes_in_a_clone_with_user_data(tmp_path: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    clone = tmp_path / "clone"
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, clone / name)
    (clone / "raw").mkdir(exist_ok=True)
    (clone / "raw" / "my-own-notes.txt").write_text(
        "我的笔记\n1. 什么是混合精度训练？\n用 FP16/BF16 计算、FP32 保存主权重。\n"
        "2. 什么是梯度累积？\n多步累积梯度再更新。\n", encoding="utf-8")
    (clone / "decks").mkdir(exist_ok=True)
    (clone / "decks" / "overrides.yaml").write_text("never_emit: [dm-0000000000]\n", encoding="utf-8")
    (clone / "deckmill.yaml").write_text("deck:\n  deck_name: Mine::LLM\n", encoding="utf-8")
    env = {**os.environ, INNER: "1", "PYTHONDONTWRITEBYTECODE": "1", "DECKMILL_REALWORLD": str(CORPUS)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                             "--basetemp", str(tmp_path / "inner")],
                            cwd=clone, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "[100%]" in result.stdout and "F" not in result.stdout.split("[")[0]
