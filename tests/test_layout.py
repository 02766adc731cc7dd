"""The layout stays a map: no import cycle between project modules, the README's "Where things
live" table names exactly the folders that hold the code, and every code path or module the docs
name still exists."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("edge", "drivers", "cloud_sync", "hq", "ui", "cli", "providers")
CODE_ROOTS = (*PACKAGES, "migrations", "packaging", "tests")


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; returns the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_strongly_connected_finds_a_cycle_and_only_a_cycle() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_project_modules() -> None:
    graph = grimp.build_graph(*PACKAGES)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert strongly_connected(edges) == []


def test_readme_table_names_exactly_the_code_folders() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `([\w./]+)/` \|", section, flags=re.M))
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    top = {path.split("/", 1)[0] for path in tracked if "/" in path and not path.startswith(".")}
    assert {name for name in named if "/" not in name} == top - {"docs"}
    edge_packages = {f"edge/{p.parent.name}" for p in (ROOT / "edge").glob("*/__init__.py")}
    assert {name for name in named if name.startswith("edge/")} == edge_packages


ROOTS_RX = "|".join(CODE_ROOTS)
PACKAGES_RX = "|".join(PACKAGES)
CODE_PATH = re.compile(rf"(?<![\w/.-])((?:{ROOTS_RX})/[\w/.-]*\w)")
# `edge.ledger.outbox`, not a file name such as `hq.conf`
MODULE = re.compile(rf"`((?:{PACKAGES_RX})(?:\.\w+)+)(?![\w.])(?<!\.conf)(?<!\.py)(?<!\.toml)")


def test_every_code_path_and_module_named_in_the_docs_exists() -> None:
    missing = []
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = doc.read_text("utf-8")
        for path in CODE_PATH.findall(text):
            candidates = [path, path.split(":")[0]]
            if not any((ROOT / c).exists() or list(ROOT.glob(c)) for c in candidates):
                missing.append(f"{doc.name}: {path}")
        for dotted in MODULE.findall(text):
            if not resolves(dotted):
                missing.append(f"{doc.name}: {dotted}")
    assert missing == []


def resolves(dotted: str) -> bool:
    """A module, or an attribute of one (`edge.ledger.outbox.mark_rejected`)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        target: object = module
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_every_module_outside_the_qt_apps_imports() -> None:
    """A moved name fails here even in a module no other test loads."""
    failed = []
    for package in ("edge", "drivers", "cloud_sync", "hq", "cli", "ui.headless"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            try:
                importlib.import_module(info.name)
            except ImportError as exc:
                failed.append(f"{info.name}: {exc}")
    assert failed == []
