"""The package's layers: the engine knows no chapter, chapters know no other chapter, no import cycle."""

import ast
from pathlib import Path

from analysis.engine import runner

PACKAGE = Path(runner.__file__).resolve().parents[1]


def _module_name(file: Path) -> str:
    parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the analysis modules it imports (`from pkg import sub` points at the submodule)."""
    graph = {}
    for file in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(file)
        is_package = file.name == "__init__.py"
        edges = set()
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name.startswith("analysis")}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = name if is_package else name.rsplit(".", 1)[0]
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                if not base.startswith("analysis"):
                    continue
                subs = {f"{base}.{a.name}" for a in node.names if runner.module_file(f"{base}.{a.name}")}
                edges |= subs or {base}
        graph[name] = {e for e in edges if e != name}
    return graph


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "package"


def chapter(module: str) -> str:
    return module.split(".")[2] if module.startswith("analysis.chapters.") else ""


def test_the_engine_imports_no_chapter_and_no_example():
    offenders = [
        (m, e)
        for m, edges in import_graph().items()
        if layer(m) == "engine"
        for e in edges
        if layer(e) not in {"engine", "package"}
    ]
    assert offenders == []


def test_chapters_import_the_engine_and_not_each_other():
    offenders = []
    for module, edges in import_graph().items():
        if layer(module) != "chapters":
            continue
        for edge in edges:
            if layer(edge) in {"examples", "templates", "cli"}:
                offenders.append((module, edge))
            elif layer(edge) == "chapters" and chapter(edge) not in {chapter(module), ""}:
                offenders.append((module, edge))
    assert offenders == []


def test_there_is_no_import_cycle():
    graph = import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt in graph and not state.get(nxt):
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            visit(node, [node])
    assert cycles == []


def test_library_code_does_not_exit():
    """Only the command-line entry point turns an exception into an exit status."""
    exits = []
    for file in PACKAGE.rglob("*.py"):
        if file.name in {"cli.py", "__main__.py"}:
            continue
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", "") == "SystemExit"
            ):
                exits.append(f"{_module_name(file)}:{node.lineno}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "exit"
                and getattr(node.func.value, "id", "") == "sys"
            ):
                exits.append(f"{_module_name(file)}:{node.lineno}")
    assert exits == []


def prose_share() -> tuple[int, int]:
    """Characters of prose in Markdown cells, and in string literals of 40 characters or more in code cells
    (the parameters cell aside): how much of the report's text a consultant can edit as text."""
    import json

    markdown = code = 0
    for path in sorted((PACKAGE.parents[1] / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] == "markdown":
                markdown += len(source)
            elif "parameters" not in cell.get("metadata", {}).get("tags", []):
                lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
                tree = ast.parse("\n".join(lines))
                code += sum(
                    len(node.value)
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= 40
                )
    return markdown, code


def test_the_prose_lives_in_markdown_cells():
    markdown, code = prose_share()
    assert markdown / (markdown + code) >= 0.80, f"{markdown} characters in Markdown, {code} in code strings"
