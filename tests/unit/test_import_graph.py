"""The import graph of layers/careerready, training/ and infra/: one direction, no cycles.

Every ``import`` is read with ``ast``, in-function imports included (a lazy import still is a
dependency, and hiding a cycle inside a function does not remove it). The rules (docs/architecture.md):

* no cycle among the modules of careerready, training and infra;
* careerready layers point one way: entry points (handlers, cli) -> api -> services -> pipelines ->
  models -> domain (features, the catalog) -> foundation (core, schemas, text);
* only the adapters reach AWS (boto3/botocore), only models/ reach ONNX Runtime;
* training/ never imports infra/; infra/ imports training/'s public names only (never a ``_name``);
* nothing under layers/ or functions/ imports torch, transformers, sentence-transformers, sklearn, xgboost,
  subprocess (git), moto, training or infra.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROOTS = (REPO / "layers" / "careerready", REPO / "training", REPO / "infra", REPO / "functions")

# careerready layers, highest first: a module may import its own layer or any lower one
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("entry", ("careerready.handlers", "careerready.cli")),
    ("api", ("careerready.api",)),
    ("services", ("careerready.services",)),
    ("pipelines", ("careerready.pipelines",)),
    ("models", ("careerready.models",)),
    # the loaded catalog (skills, roles, resources) and the feature definitions are data every layer reads:
    # they import only the foundation
    ("domain", ("careerready.features", "careerready.services.catalog")),
    (
        "foundation",
        ("careerready.core", "careerready.schemas", "careerready.text", "careerready.sections", "careerready.postings"),
    ),
)
# the only careerready modules that talk to AWS
ADAPTERS = {
    "careerready.services.s3",  # S3 clients and "not found"
    "careerready.services.artifacts",  # S3: model artifacts
    "careerready.services.transport",  # Lambda Invoke
    "careerready.services.ingest",  # SQS batches (powertools), S3 results
}
AWS_SDK = ("boto3", "botocore")
# the training stack, training-only tools (sklearn/xgboost fit and export, git, moto) and the other two packages
FORBIDDEN_IN_SERVING = (
    "torch",
    "transformers",
    "sentence_transformers",
    "sklearn",
    "xgboost",
    "subprocess",
    "moto",
    "training",
    "infra",
)


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` (a module, or a name inside it) at ``line``."""

    source: str
    target: str
    name: str | None
    line: int


def module_name(path: Path) -> str:
    """Dotted module name of a file under one of ROOTS."""
    rel = path.relative_to(REPO / "layers" if path.is_relative_to(REPO / "layers") else REPO)
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _files() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for root in ROOTS:
        for path in sorted(root.rglob("*.py")):
            out[module_name(path)] = path
    return out


FILES = _files()


def imports_of(source: str, module: str, is_package: bool = False) -> Iterator[Edge]:
    """Every import in ``source`` (module level and inside functions), relative ones made absolute."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(module, alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                yield Edge(module, base, alias.name, node.lineno)


def resolve(edge: Edge, known: set[str]) -> str:
    """The module an edge lands on: ``from a.b import c`` is ``a.b.c`` when that is a module."""
    if edge.name and f"{edge.target}.{edge.name}" in known:
        return f"{edge.target}.{edge.name}"
    return edge.target


def all_edges() -> list[Edge]:
    """Every import edge of the repository's own packages."""
    return [
        e for mod, path in FILES.items() for e in imports_of(path.read_text("utf-8"), mod, path.name == "__init__.py")
    ]


def layer_of(module: str) -> int | None:
    """Index into LAYERS (0 = highest) of a careerready module; the longest matching prefix wins."""
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(out)


def internal_graph(edges: list[Edge]) -> dict[str, set[str]]:
    """Module -> the repository modules it imports (package ``__init__`` files are not followed)."""
    known = set(FILES)
    graph: dict[str, set[str]] = {}
    for e in edges:
        target = resolve(e, known)
        if target in known and target != e.source:
            graph.setdefault(e.source, set()).add(target)
    return graph


def layer_violations(edges: list[Edge]) -> list[str]:
    """``source -> target`` for every careerready import that points up the layers."""
    known = set(FILES)
    out = []
    for e in edges:
        target = resolve(e, known)
        src, dst = layer_of(e.source), layer_of(target)
        if e.source.startswith("careerready") and target.startswith("careerready.") and src is not None:
            if dst is None:
                out.append(f"{e.source}:{e.line} -> {target} (module in no layer)")
            elif dst < src:
                out.append(f"{e.source}:{e.line} ({LAYERS[src][0]}) -> {target} ({LAYERS[dst][0]})")
    return sorted(set(out))


def test_every_careerready_module_has_a_layer() -> None:
    unplaced = sorted(m for m in FILES if m.startswith("careerready.") and layer_of(m) is None)
    assert unplaced == []


def test_detectors_catch_what_they_should() -> None:
    src = "from . import b\ndef f():\n    from careerready.api import errors\n    import torch\n"
    edges = list(imports_of(src, "careerready.models.a"))
    assert [(e.target, e.name) for e in edges] == [
        ("careerready.models", "b"),
        ("careerready.api", "errors"),
        ("torch", None),
    ]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    assert layer_of("careerready.services.catalog") == layer_of("careerready.features")
    assert layer_of("careerready.pipelines.roadmap") < layer_of("careerready.models.readiness")  # type: ignore[operator]
    assert layer_violations([Edge("careerready.models.embedder", "careerready.pipelines.matching", None, 1)])
    assert not layer_violations([Edge("careerready.pipelines.roadmap", "careerready.models.readiness", None, 1)])


def test_no_import_cycles() -> None:
    assert find_cycles(internal_graph(all_edges())) == []


def test_careerready_layers_point_one_way() -> None:
    assert layer_violations(all_edges()) == []


def test_only_adapters_reach_aws_and_only_models_reach_onnxruntime() -> None:
    offenders = sorted(
        f"{e.source}:{e.line} -> {e.target}"
        for e in all_edges()
        if e.source.startswith("careerready")
        and (
            (e.target.split(".")[0] in AWS_SDK and e.source not in ADAPTERS)
            or (e.target.split(".")[0] == "onnxruntime" and not e.source.startswith("careerready.models."))
        )
    )
    assert offenders == []


def test_training_and_infra_share_only_public_names() -> None:
    edges = all_edges()
    training_to_infra = [
        f"{e.source}:{e.line} -> {e.target}"
        for e in edges
        if e.source.split(".")[0] == "training" and e.target.split(".")[0] == "infra"
    ]
    infra_to_private = [
        f"{e.source}:{e.line} -> {e.target}.{e.name}"
        for e in edges
        if e.source.split(".")[0] == "infra"
        and e.target.split(".")[0] == "training"
        and any(part.startswith("_") and part != "__init__" for part in [*e.target.split("."), e.name or ""])
    ]
    assert training_to_infra == []
    assert infra_to_private == []


@pytest.mark.parametrize("root", ["layers", "functions"])
def test_serving_never_imports_training_stack(root: str) -> None:
    offenders = sorted(
        f"{e.source}:{e.line} -> {e.target}"
        for e in all_edges()
        if FILES[e.source].is_relative_to(REPO / root) and e.target.split(".")[0] in FORBIDDEN_IN_SERVING
    )
    assert offenders == []


OURS = ("careerready", "training", "infra")


def edges_into_our_packages() -> Iterator[tuple[Path, Edge]]:
    """Every import of our own packages from anywhere in the repository (bench and tests included)."""
    sources = dict(FILES)
    for extra in ("bench", "tests"):
        for path in sorted((REPO / extra).rglob("*.py")):
            sources[".".join(path.relative_to(REPO).with_suffix("").parts)] = path
    for mod, path in sources.items():
        for e in imports_of(path.read_text("utf-8"), mod, path.name == "__init__.py"):
            if e.target.split(".")[0] in OURS:
                yield path, e


def test_every_import_of_our_own_packages_names_a_module_that_exists() -> None:
    """A moved module leaves no stale import behind, even inside a function that only a CLI run would reach."""
    stale = [
        f"{path.relative_to(REPO)}:{e.line} imports {e.target}"
        for path, e in edges_into_our_packages()
        if e.target not in FILES
    ]
    assert stale == []


def _defined_names(path: Path) -> set[str]:
    """Top-level names a module defines or imports (what ``from module import name`` can take)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.If | ast.Try):  # TYPE_CHECKING blocks, optional imports
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import | ast.ImportFrom):
                    names.update((a.asname or a.name).split(".")[0] for a in sub.names)
    return names


def test_every_name_imported_from_our_own_modules_exists() -> None:
    """``from careerready.x import name`` fails only when run: catch a name that moved to another module."""
    defined = {mod: _defined_names(path) for mod, path in FILES.items()}
    missing = [
        f"{path.relative_to(REPO)}:{e.line} imports {e.name} from {e.target}"
        for path, e in edges_into_our_packages()
        if e.name
        and e.name != "*"
        and e.target in defined
        and e.name not in defined[e.target]
        and f"{e.target}.{e.name}" not in FILES
    ]
    assert missing == []
