"""The newcomer's test: every rule in docs/architecture.md's "Where is the rule for X?" table
names one file that exists and one function (or constant) that the file defines."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| (?P<rule>[^|]+) \| `(?P<path>[^`]+)` `(?P<name>[A-Za-z_]+)`")


def rules() -> list[tuple[str, str, str]]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("## Where is the rule for X?", 1)[1].split("\n## ", 1)[0]
    return [
        (m["rule"].strip(), m["path"], m["name"])
        for line in table.splitlines()
        if (m := ROW.match(line))
    ]


def defined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_the_table_has_at_least_fifteen_rules():
    assert len(rules()) >= 15


def test_each_rule_names_one_file_and_a_function_it_defines():
    for rule, path, name in rules():
        file = ROOT / path
        assert file.is_file(), f"{rule}: {path} does not exist"
        assert name in defined_names(file), f"{rule}: {path} does not define {name}"
