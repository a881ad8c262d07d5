"""Rewrite tests/golden/ from a fresh build of tests/seeds (review the diff before committing it)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_golden_yaml import GOLDEN, OUTPUTS, build_golden  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = build_golden(Path(tmp))
        for name in OUTPUTS:
            target = GOLDEN / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            if (out / name).is_dir():
                shutil.copytree(out / name, target)
            else:
                shutil.copy(out / name, target)
    print(f"golden files rewritten under {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
