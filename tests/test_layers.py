"""The package's layers, read from the source with `ast`: imports go one way only,

    cli → labs, checks → topic packages (autograd, vision, explain, genomics, text, sequences) → engine → training
        → models, data → course

so each layer can be read, tested and changed without the ones above it. Every import counts, at module level or
inside a function (a function-level import is a dependency too, only a later one); `from __future__` does not."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import dlpractice

PACKAGE = Path(dlpractice.__file__).resolve().parent
TOPICS = {"autograd", "vision", "explain", "genomics", "text", "sequences"}
TOP_LEVEL_FILES = {"__init__.py", "__main__.py", "cli.py"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing file, relative to src/dlpractice: "labs/cnn.py"
    module: str  # the imported module: "dlpractice.engine.fit", "torch", "lightning.pytorch"
    line: int
    module_level: bool  # runs when the importing module is imported (not inside a function)

    @property
    def layer(self) -> str | None:
        """The dlpractice package (or top-level module) imported from: "engine", "cli"; None outside dlpractice."""
        parts = self.module.split(".")
        return parts[1] if parts[0] == "dlpractice" and len(parts) > 1 else None

    def __str__(self) -> str:
        where = "" if self.module_level else " (in a function)"
        return f"{self.source}:{self.line} imports {self.module}{where}"


def package_of(source: str) -> str:
    """"labs/cnn.py" -> "labs"; "cli.py" -> "cli"."""
    return source.split("/")[0].removesuffix(".py")


def module_name(source: str) -> str:
    parts = ["dlpractice", *source.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(path: Path) -> list[Import]:
    source = path.relative_to(PACKAGE).as_posix()
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(source) if path.name == "__init__.py" else module_name(source).rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(source, alias.name, child.lineno, not in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module != "__future__":
                if child.level:  # relative: resolve against the importing module's package
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    target = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    target = child.module or ""
                # From a package, a name may be a module (`from dlpractice.labs import cnn`): record each name below it.
                folder = PACKAGE.parent / target.replace(".", "/")
                is_package = target.split(".")[0] == "dlpractice" and folder.is_dir()
                found.extend(Import(source, f"{target}.{alias.name}" if is_package else target, child.lineno,
                                    not in_function) for alias in child.names)
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return found


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(i for path in sorted(PACKAGE.rglob("*.py")) for i in imports_in(path))


def imports_from(*packages: str) -> list[Import]:
    return [i for i in all_imports() if package_of(i.source) in packages]


def breaking(imports: list[Import], rule) -> list[str]:
    return [str(i) for i in imports if rule(i)]


def is_external(i: Import, *roots: str) -> bool:
    return i.module.split(".")[0] in roots


# ---- the rules


def test_the_scanner_sees_imports_at_both_levels() -> None:
    """A guard for the rules below: they would pass vacuously if the scanner found nothing."""
    runner = [i for i in all_imports() if i.source == "course/runner.py"]
    assert any(i.module == "dlpractice.course.registry" and i.module_level for i in runner)  # from a package
    assert any(i.module == "dlpractice.course.runs" and i.module_level for i in runner)  # from a module
    assert any(i.module == "torch" and not i.module_level for i in runner)
    assert {package_of(i.source) for i in all_imports()} >= {"labs", "checks", "engine", "training", "course", "cli"}


def test_labs_never_import_another_lab() -> None:
    def other_lab(i: Import) -> bool:
        return i.module.startswith("dlpractice.labs.") and module_name(i.source) != i.module \
            and i.source != "labs/__init__.py"
    assert breaking(imports_from("labs"), other_lab) == []


def test_only_the_engine_imports_lightning() -> None:
    lightning = [i for i in all_imports() if is_external(i, "lightning", "pytorch_lightning")]
    assert lightning, "the engine imports lightning; the scanner should see it"
    assert breaking(lightning, lambda i: package_of(i.source) != "engine") == []


def test_the_course_machinery_loads_without_torch() -> None:
    """course/ may use torch inside a function (the runner sets torch's thread count) but never at module level:
    `dlpractice list` and `info` stay fast."""
    heavy = ("torch", "torchvision", "lightning", "pytorch_lightning")
    assert breaking(imports_from("course"), lambda i: i.module_level and is_external(i, *heavy)) == []


def test_the_course_machinery_imports_no_layer_above_it() -> None:
    """course/ is the bottom layer: it finds labs by name (registry.LABS), it does not import them, nor anything else
    of dlpractice."""
    assert breaking(imports_from("course"), lambda i: i.layer not in (None, "course")) == []


def test_the_engine_imports_no_topic_package_lab_or_check() -> None:
    assert breaking(imports_from("engine"), lambda i: i.layer in TOPICS | {"labs", "checks", "cli"}) == []


@pytest.mark.parametrize("layer", ["training", "models", "data"])
def test_the_lower_layers_import_nothing_above_them(layer: str) -> None:
    above = TOPICS | {"engine", "labs", "checks", "cli"} | ({"training"} if layer in ("models", "data") else set())
    assert breaking(imports_from(layer), lambda i: i.layer in above) == []


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_topic_packages_import_no_lab_or_check(topic: str) -> None:
    assert breaking(imports_from(topic), lambda i: i.layer in {"labs", "checks", "cli"}) == []


def test_nothing_imports_the_command_line() -> None:
    assert breaking([i for i in all_imports() if package_of(i.source) not in ("cli", "__main__")],
                    lambda i: i.layer == "cli") == []


def test_only_the_entry_points_sit_at_the_top_of_the_package() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} == TOP_LEVEL_FILES


def test_every_package_says_what_it_holds() -> None:
    packages = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("__init__.py"))
    assert len(packages) >= 12
    undocumented = [p for p in packages if not ast.get_docstring(ast.parse((PACKAGE / p).read_text()))]
    assert undocumented == []


# ---- the same, as Python sees it


def loaded_after(statement: str) -> set[str]:
    """The top-level names in sys.modules after running `statement` in a fresh interpreter."""
    code = f"import sys\n{statement}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_the_hand_written_training_loop_does_not_load_lightning() -> None:
    loaded = loaded_after("import dlpractice.training.loop")
    assert "torch" in loaded
    assert not loaded & {"lightning", "pytorch_lightning"}


def test_the_runner_and_the_registry_do_not_load_torch() -> None:
    loaded = loaded_after("import dlpractice.course.runner, dlpractice.course.registry")
    assert "dlpractice" in loaded
    assert not loaded & {"torch", "torchvision", "lightning"}
