"""The house's layers, read from the code's own imports (module level and inside functions):

    vocabulary ← pure rules (standings package, file format) ← models ← loader, versioning,
    importer ← views, API, admin, forms, commands

Imports run one way, never back; there is no circle anywhere in results/ or worldcup/; the pure
modules import nothing of Django. No database: the tests read the source files.
"""

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = {
    "results.vocabulary": 0,
    "results.standings": 1,
    "results.standings.rules": 1,
    "results.standings.ranking": 1,
    "results.standings.classification": 1,
    "results.standings.table": 1,
    "results.standings.compare": 1,
    "results.standings.athlete": 1,
    "results.standings.rounds": 1,
    "results.standings.outlook": 1,
    "results.csv_format": 1,
}
LAYERS = {
    **PURE,
    "results.models": 2,
    "results.roles": 2,
    "results.standings.loader": 3,
    "results.versioning": 3,
    "results.importer": 3,
}
TOP = 4  # views, API, admin, forms, tables, filters, charts, exports, URLs, commands, apps


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in ("results", "worldcup"):
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports(path: Path) -> set[str]:
    """Every module the file imports, at any depth of its code (names resolved to modules)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    known = modules()
    return {name: {n for n in imports(path) if n in known} - {name} for name, path in known.items()}


def layer(name: str) -> int:
    if name.startswith("results.migrations"):
        return LAYERS["results.models"]
    return LAYERS.get(name, TOP)


def test_the_graph_is_read_from_the_code():
    edges = graph()
    assert "results.standings.rules" in edges["results.models"]
    assert "results.models" in edges["results.standings.loader"]
    assert len(edges) > 30


def test_no_import_circle_anywhere():
    edges = graph()
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = "open"
        path.append(name)
        for target in sorted(edges[name]):
            if state.get(target) == "open":
                circle = path[path.index(target) :] + [target]
                pytest.fail("import circle: " + " → ".join(circle))
            if target not in state:
                visit(target)
        path.pop()
        state[name] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name)


def test_imports_run_one_way():
    upward = [
        f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)})"
        for name, targets in graph().items()
        for target in targets
        if layer(target) > layer(name)
    ]
    assert not upward, "\n".join(upward)


@pytest.mark.parametrize("name", sorted(PURE))
def test_the_pure_modules_import_nothing_of_django(name):
    path = modules()[name]
    django = sorted(n for n in imports(path) if n == "django" or n.startswith("django."))
    assert not django, f"{name} imports {django}"


# --- Each rule is written once ----------------------------------------------------------------

# A fragment of each rule's message, as officials, importers and readers see it. The rule's one
# home words it; every write path shows that text (its caller may add its own action).
RULES = [
    "it is corrected with a reason, never unpublished",  # official races stay public
    "give the reason for the correction",  # any change to an official race is a correction
    "would be missing",  # a complete classification has every rank
    "say why its rules change",  # public standings change their rules with a reason
    "did not start (DNS) has no rank",
    "line with no rank needs a status",
    "names the team's nation, not an athlete",
    "individual race needs an athlete",
    "skates in the",  # a skater's gender and the race's
    "A name starts with a letter",
    "The men skate the 5000 m relay",
    "while you were editing it",  # two officials, one row
    "is not a race time",
    "ranks start at 1",  # a rank is 1 or more; a line with none is not classified
    "so rank {} stays empty",  # a shared rank leaves the ranks it covers empty
]


@functools.cache  # read once per test process, asked once per rule
def message_texts() -> list[tuple[str, str]]:
    """Every string literal of the code (not docstrings, not migrations), with its module."""
    texts = []
    for name, path in modules().items():
        if name.startswith("results.migrations"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        parts = {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
                )
                texts.append((name, text))
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings | parts
            ):
                texts.append((name, node.value))
    return texts


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_is_worded_in_one_place(rule):
    # Adjacent literals are one constant in the tree, so a message split over lines is whole.
    places = [name for name, text in message_texts() if rule in text]
    assert len(places) == 1, f"{rule!r} is worded in {places or 'no module'}"
