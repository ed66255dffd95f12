"""Every rule's conda env provides what its script imports, and every env is pinned.

A job with `conda:` runs in that env only, so a module its script needs (directly, or through
the smdown library, which reaches jobs through PYTHONPATH) and the env lacks fails there alone,
never in the development venv. The rules are read from the .smk text, not by loading the
workflow, because most rules are defined only under some config (`if provider == ...`) and a
loaded workflow would miss the others. The imports are read with `ast`, following `smdown.*`
transitively (each package's `__init__` included, as importing runs it).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
SCRIPTS = REPO / "workflow" / "scripts"
ENVS = REPO / "envs"
RULE_FILES = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").rglob("*.smk"))]

# Import name (top-level module) -> conda-forge package. Every third-party import must be here.
CONDA_PACKAGE = {
    "cartopy": "cartopy",
    "cdsapi": "cdsapi",
    "cftime": "cftime",
    "intake_esgf": "intake-esgf",
    "ismn": "ismn",
    "joblib": "joblib",
    "matplotlib": "matplotlib",
    "netCDF4": "netcdf4",
    "numba": "numba",
    "numpy": "numpy",
    "pandas": "pandas",
    "PIL": "pillow",
    "pyarrow": "pyarrow",
    "scipy": "scipy",
    "shapely": "shapely",
    "sklearn": "scikit-learn",
    "torch": "pytorch",
    "xarray": "xarray",
    "xarray_regrid": "xarray-regrid",
    "xesmf": "xesmf",
    "yaml": "pyyaml",
}

# Directives that run code other than a `script:` (this test checks only scripts).
OTHER_CODE = ("run", "shell", "notebook", "wrapper", "cwl", "template_engine")

RULE_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?:rule|checkpoint)(?:[ \t]+(?P<name>\w+))?[ \t]*:[ \t]*"
    r"(?:#.*)?$"
)
DIRECTIVE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<key>\w+)[ \t]*:(?P<rest>.*)$")


@dataclass
class Rule:
    name: str
    where: str  # file:line of the rule header
    smk: Path
    directives: dict[str, str] = field(default_factory=dict)

    def path_of(self, key: str) -> Path | None:
        """The file a `conda:`/`script:` string names, relative to the .smk file like Snakemake."""
        if key not in self.directives:
            return None
        raw = self.directives[key].strip().rstrip(",").strip()
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            pytest.fail(
                f"rule {self.name} ({self.where}): {key}: {raw!r} is not a plain string; "
                f"this test reads it from the text, so write it as a string literal"
            )
        if not isinstance(value, str):
            pytest.fail(f"rule {self.name} ({self.where}): {key}: {raw!r} is not a string")
        return (self.smk.parent / value).resolve()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _is_code(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def parse_rules(path: Path) -> list[Rule]:
    """Every `rule NAME:` / `rule:` block of a Snakefile, at any nesting (under if/for too)."""
    lines = path.read_text().splitlines()
    rules = []
    for i, line in enumerate(lines):
        header = RULE_RE.match(line)
        if not header:
            continue
        base = _indent(line)
        block = []
        for later in lines[i + 1 :]:
            if _is_code(later) and _indent(later) <= base:
                break
            block.append(later)
        code = [b for b in block if _is_code(b)]
        directives: dict[str, str] = {}
        if code:
            level = _indent(code[0])
            key = None
            for b in block:
                match = DIRECTIVE_RE.match(b)
                if match and _indent(b) == level:
                    key = match["key"]
                    directives[key] = match["rest"]
                elif key is not None and _is_code(b) and _indent(b) > level:
                    directives[key] += "\n" + b.strip()
        where = f"{path.relative_to(REPO)}:{i + 1}"
        name = header["name"] or f"<{directives.get('name', '?').strip()}>"
        rules.append(Rule(name, where, path, directives))
    return rules


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    found = [r for f in RULE_FILES for r in parse_rules(f)]
    assert found, "no rule found in the Snakefile or workflow/rules/**/*.smk"
    return found


# --- imports -------------------------------------------------------------------------------


def _catches_import_error(node: ast.Try) -> bool:
    names = {"ImportError", "ModuleNotFoundError"}
    for handler in node.handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(isinstance(k, ast.Name) and k.id in names for k in kinds):
            return True
    return False


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _smdown_file(module: str) -> Path | None:
    base = SRC.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path, module: str | None) -> list[str]:
    """The modules a file imports when run (optional and TYPE_CHECKING-only imports left out).

    `module` is the file's dotted name (None for a script) to resolve relative imports; for
    `from pkg import name`, `pkg.name` is listed too when it is an smdown module.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    package = module if is_package else (module.rpartition(".")[0] if module else "")
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))) and _catches_import_error(
            node
        ):
            for part in (*node.handlers, *node.orelse, *node.finalbody):
                visit(part)
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for part in node.orelse:
                visit(part)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                if node.level - 1 > len(parts) or not module:
                    pytest.fail(f"{path}: relative import beyond the top-level package")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module
            found.append(base)
            if base.split(".")[0] == "smdown":
                found.extend(
                    f"{base}.{a.name}"
                    for a in node.names
                    if a.name != "*" and _smdown_file(f"{base}.{a.name}")
                )
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def requirements(script: Path) -> dict[str, list[str]]:
    """Third-party top-level modules the script needs -> the import chain that needs each."""
    needed: dict[str, list[str]] = {}
    chains: dict[str, list[str]] = {}  # smdown module -> chain that reached it
    queue: list[tuple[Path, str | None, list[str]]] = [
        (script, None, [str(script.relative_to(REPO))])
    ]
    while queue:
        path, module, chain = queue.pop(0)
        for name in imported_modules(path, module):
            root = name.split(".")[0]
            if root == "smdown":
                parts = name.split(".")
                for n in range(1, len(parts) + 1):  # each package's __init__ runs on the way
                    sub = ".".join(parts[:n])
                    if sub in chains:
                        continue
                    target = _smdown_file(sub)
                    assert target is not None, (
                        f"{' -> '.join(chain)} imports {name}, but {sub} is not in src/smdown"
                    )
                    chains[sub] = [*chain, sub]
                    queue.append((target, sub, chains[sub]))
            elif root not in sys.stdlib_module_names and root != "__future__":
                needed.setdefault(root, [*chain, name])
    return needed


# --- envs ----------------------------------------------------------------------------------

PIN_RE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9._-]*)(?P<op>==?)(?P<version>\d+\.\d+(\.\d+)*)$")


def load_env(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def env_packages(path: Path) -> set[str]:
    """The conda package names an env lists (version specs and pip sections left out)."""
    deps = load_env(path).get("dependencies") or []
    return {
        re.split(r"[\s=<>!~]", d.strip(), maxsplit=1)[0].lower() for d in deps if isinstance(d, str)
    }


# --- tests ---------------------------------------------------------------------------------


def test_every_script_rule_has_an_env_that_provides_its_imports(rules):
    problems = []
    used_scripts = set()
    for rule in rules:
        script, env = rule.path_of("script"), rule.path_of("conda")
        if script is None:
            continue
        used_scripts.add(script)
        label = f"rule {rule.name} ({rule.where})"
        if not script.is_file():
            problems.append(f"{label}: script {script} does not exist")
            continue
        if env is None:
            problems.append(f"{label}: runs {script.name} but has no conda: env")
            continue
        if not env.is_file():
            problems.append(f"{label}: conda env {env} does not exist")
            continue
        have = env_packages(env)
        for module, chain in sorted(requirements(script).items()):
            if module not in CONDA_PACKAGE:
                problems.append(
                    f"{label}: {' -> '.join(chain)}: no conda-forge package known for import "
                    f"{module!r}; add it to CONDA_PACKAGE in {Path(__file__).name} and to the env"
                )
            elif CONDA_PACKAGE[module] not in have:
                problems.append(
                    f"{label}: script {script.relative_to(REPO)}, env {env.relative_to(REPO)}: "
                    f"missing {CONDA_PACKAGE[module]} (import {module}, via "
                    f"{' -> '.join(chain)})"
                )
    assert not problems, "\n".join(problems)
    # The parser found the rules: every script in workflow/scripts is some rule's.
    unused = sorted(p.name for p in SCRIPTS.glob("*.py") if p.resolve() not in used_scripts)
    assert not unused, f"scripts no rule runs (or the rule parser missed them): {unused}"


def test_rules_run_code_only_through_scripts(rules):
    """Any run:/shell:/... rule needs its own check here (run: ignores conda: altogether)."""
    other = [
        f"rule {r.name} ({r.where}): {k}:" for r in rules for k in OTHER_CODE if k in r.directives
    ]
    assert not other, (
        "rules that run code other than a script: extend this test to check "
        "what they need from their env:\n" + "\n".join(other)
    )
    idle_env = [
        f"rule {r.name} ({r.where})"
        for r in rules
        if "conda" in r.directives and "script" not in r.directives
    ]
    assert not idle_env, f"rules with a conda: env but no script: {idle_env}"


@pytest.mark.parametrize("env", sorted(ENVS.glob("*.yaml")), ids=lambda p: p.name)
def test_env_is_conda_forge_only_and_pinned(env):
    spec = load_env(env)
    assert spec.get("channels") == ["conda-forge", "nodefaults"], (
        f"{env.name}: channels must be exactly [conda-forge, nodefaults]"
    )
    deps = spec.get("dependencies") or []
    bad = [d for d in deps if not isinstance(d, str) or not PIN_RE.match(d.strip())]
    assert not bad, (
        f"{env.name}: every dependency is one conda-forge package pinned as "
        f"name=major.minor (no pip section, no channel prefix): {bad}"
    )
    names = [PIN_RE.match(d.strip())["name"] for d in deps]
    assert len(names) == len(set(names)), f"{env.name}: a package is listed twice: {names}"
    assert "python=3.11" in [d.strip() for d in deps], f"{env.name}: must declare python=3.11"


def test_envs_pin_a_package_to_one_version():
    versions: dict[str, dict[str, str]] = {}
    for env in sorted(ENVS.glob("*.yaml")):
        for d in load_env(env).get("dependencies") or []:
            match = PIN_RE.match(d.strip()) if isinstance(d, str) else None
            if match:
                versions.setdefault(match["name"], {})[env.name] = match["version"]
    clashes = {n: v for n, v in versions.items() if len(set(v.values())) > 1}
    assert not clashes, f"envs pin a package to different versions: {clashes}"
