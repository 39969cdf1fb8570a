"""House rules read off the source (ast): no role name outside domain/permissions.py, no private
name imported from another module, no production file over 400 lines. The import layers
themselves are import-linter's contracts (pyproject.toml [tool.importlinter], run by `make test`)."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from domain.permissions import ROLES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "data", "server", "callbacks", "pages", "components")
PROJECT = {*PACKAGES, "app", "settings"}
ROLE_KEYS = frozenset(ROLES)
#: the one module that compares role names
PERMISSIONS = "domain/permissions/"
#: the demo generator creates its users by role: assignments and keyword values only
DEMO = "data/demo/"
#: calls that compare their argument with a column (SQLAlchemy, polars)
COMPARING_CALLS = {"in_", "not_in", "notin_", "is_in", "isin", "contains", "startswith", "endswith", "index", "count"}
MAX_LINES = 400


def production_files() -> list[Path]:
    files = [ROOT / "app.py", ROOT / "settings.py"]
    for pkg in PACKAGES:
        files += sorted(p for p in (ROOT / pkg).rglob("*.py")
                        if not p.relative_to(ROOT).as_posix().startswith("data/migrations/"))
    return files


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def parsed() -> list[tuple[str, ast.Module]]:
    return [(rel(p), ast.parse(p.read_text(encoding="utf-8"), filename=str(p))) for p in production_files()]


def role_literals(tree: ast.AST) -> list[ast.Constant]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in ROLE_KEYS]


def compared_role_literals(tree: ast.AST) -> list[ast.Constant]:
    """Role literals inside a comparison: `==`/`in`/`!=` (ast.Compare), a `match` case, or a call
    such as `.in_(...)` / `.is_in(...)` that compares a column with them."""
    found: dict[int, ast.Constant] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare | ast.MatchValue | ast.match_case):
            inside = [node] if not isinstance(node, ast.match_case) else [node.pattern]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in COMPARING_CALLS):
            inside = [*node.args, *(k.value for k in node.keywords)]
        else:
            continue
        for part in inside:
            for lit in role_literals(part):
                found[id(lit)] = lit
    return sorted(found.values(), key=lambda n: (n.lineno, n.col_offset))


def role_name_findings(path: str, tree: ast.AST) -> list[str]:
    if path.startswith(PERMISSIONS):
        return []
    hits = compared_role_literals(tree) if path.startswith(DEMO) else role_literals(tree)
    return [f"{path}:{n.lineno}: {n.value!r}" for n in hits]


def test_layers001_no_role_name_outside_permissions():
    """Only domain/permissions.py names roles in its rules; everyone else asks `may`/`ensure` with an
    Action (the demo generator may create users by role, never compare one)."""
    findings = [f for path, tree in parsed() for f in role_name_findings(path, tree)]
    assert not findings, "role names outside domain/permissions.py:\n" + "\n".join(findings)


@pytest.mark.parametrize(("source", "flagged"), [
    ('User(role="village_cashier")', []),
    ('USERS = [("demo-village", "village_cashier"), dict(username="m", role="member")]', []),
    ('ok = scope.role == "county_admin"', ["county_admin"]),
    ('ok = r in ("member", "bank_user")', ["member", "bank_user"]),
    ('x = select(User).where(User.role.in_(["township_head"]))', ["township_head"]),
    ('x = frame.filter(pl.col("role").is_in(["bank_user"]))', ["bank_user"]),
    ('match role:\n    case "member":\n        pass', ["member"]),
    ('x = {"member_id": 1, "role": "not_a_role"}', []),
])
def test_layers002_the_role_check_tells_creating_from_comparing(source, flagged):
    """In data/demo/ a role literal is allowed as a value and refused in a comparison; elsewhere
    every role literal is refused."""
    tree = ast.parse(source)
    assert [f.rsplit(" ", 1)[1].strip("'") for f in role_name_findings("data/demo/x.py", tree)] == flagged
    assert len(role_name_findings("callbacks/x.py", tree)) == len(role_literals(tree))
    assert role_name_findings(PERMISSIONS, tree) == []


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def resolve(path: str, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom names (relative imports resolved against `path`)."""
    if not node.level:
        return node.module or ""
    package = path.removesuffix(".py").split("/")[:-1] if not path.endswith("__init__.py") else path.split("/")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def private_import_findings(path: str, tree: ast.AST) -> list[str]:
    """`from x import _y`, `import x._y` and `x._y` on a project module bound by an import."""
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            source = resolve(path, node)
            for alias in node.names:
                if is_private(alias.name):
                    found.append(f"{path}:{node.lineno}: from {source} import {alias.name}")
                elif source.split(".")[0] in PROJECT and is_module(f"{source}.{alias.name}"):
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(is_private(part) for part in alias.name.split(".")):
                    found.append(f"{path}:{node.lineno}: import {alias.name}")
                elif alias.name.split(".")[0] in PROJECT:
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            base = node.value
            chain = []
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                found.append(f"{path}:{node.lineno}: {'.'.join([base.id, *reversed(chain), node.attr])}")
    return sorted(found, key=lambda f: int(f.split(":")[1]))


def test_layers003_no_private_name_imported_from_another_module():
    """A leading underscore means "this module's own": another module that needs it gets a public name."""
    findings = [f for path, tree in parsed() for f in private_import_findings(path, tree)]
    assert not findings, "private names used across modules:\n" + "\n".join(findings)


def test_layers004_the_private_check_sees_imports_and_module_attributes():
    tree = ast.parse("from data.funds import _closed_problem, post\nfrom . import _helper\n"
                     "from server import auth\nimport data.db as db\nx = auth._url()\ny = db._engine\nz = self._cache\n"
                     "from dash import __version__\n")
    found = [f.split(": ", 1)[1] for f in private_import_findings("server/files.py", tree)]
    assert found == ["from data.funds import _closed_problem", "from server import _helper", "auth._url", "db._engine"]


def test_layers005_no_production_file_over_400_lines():
    over = {rel(p): n for p in production_files() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not over, f"files over {MAX_LINES} lines: {over}"
