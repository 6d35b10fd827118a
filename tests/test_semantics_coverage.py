"""Every rule of ../shared/SEMANTICS.md that the issues ask to cover is named
by at least one test or test program (a rule ID such as F3 or X5 in its text)."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIRED = {
    "F": range(1, 8),   # creation (issue 3)
    "X": range(1, 10),  # exit, zombies, wait (issue 3)
    "G": range(1, 8),   # signals and job control (issue 4)
    "P": range(1, 4),   # pids (issues 2, 3)
    "S": range(1, 4),   # states (issue 2)
    "I": range(1, 3),   # files and IPC (issue 5)
}


def named_ids() -> set[str]:
    found: set[str] = set()
    for path in [*HERE.rglob("*.py"), *HERE.rglob("programs/**/*.c")]:
        text = path.read_text(errors="replace")
        for m in re.finditer(r"\b([A-Z])(\d)(?:\s*-\s*\1?(\d))?\b", text):
            letter, first, last = m.group(1), int(m.group(2)), int(m.group(3) or m.group(2))
            found.update(f"{letter}{n}" for n in range(first, last + 1))
    return found


def test_every_required_rule_is_named_by_a_test() -> None:
    have = named_ids()
    missing = [f"{letter}{n}" for letter, numbers in REQUIRED.items() for n in numbers
               if f"{letter}{n}" not in have]
    assert not missing, f"rules no test names: {missing}"
