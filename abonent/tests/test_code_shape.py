"""No function of the application is longer than 60 lines (migrations and tests aside): a longer one is cut into
named phases. Ruff's C90 keeps their branching down; this keeps their length."""

import ast
from pathlib import Path

import abonent

LIMIT = 60
ROOT = Path(abonent.__file__).parent
# None today: a function that must be longer is named here with the reason.
EXCEPTIONS: set[tuple[str, str]] = set()


def long_functions(root: Path) -> list[tuple[str, str, int]]:
    """(path relative to root, function name, lines) of every function over the limit, nested ones included."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if {"migrations", "tests"} & set(relative.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > LIMIT:
                    found.append((relative.as_posix(), node.name, lines))
    return found


def test_no_function_over_60_lines():
    over = [(path, name, lines) for path, name, lines in long_functions(ROOT) if (path, name) not in EXCEPTIONS]
    assert over == []


def test_the_check_finds_a_long_function(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT))
    (tmp_path / "long.py").write_text(f"def short():\n    pass\n\n\nasync def long():\n{body}")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(f"def test_long():\n{body}")
    assert long_functions(tmp_path) == [("long.py", "long", LIMIT + 1)]
