"""How many generated cases the property tests ran, summed over xdist workers and printed at the
end of the run (tests/conftest.py's terminal summary): the issue asks for the number."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

DIR = Path(os.environ.get("JICENG_TEST_COUNTS", Path(__file__).resolve().parents[1] / "var" / "test-counts"))
_counts: Counter[str] = Counter()


def count_cases(name: str, n: int = 1) -> None:
    _counts[name] += n
    DIR.mkdir(parents=True, exist_ok=True)
    (DIR / f"{name}-{os.getpid()}.txt").write_text(str(_counts[name]))


def totals() -> dict[str, int]:
    out: Counter[str] = Counter()
    if DIR.exists():
        for f in DIR.glob("*.txt"):
            name = f.stem.rsplit("-", 1)[0]
            out[name] += int(f.read_text() or 0)
    return dict(out)


def reset() -> None:
    if DIR.exists():
        for f in DIR.glob("*.txt"):
            f.unlink()
