"""The layout every service follows (README, "Where things live"), checked on the source: the
next service is copied from these, so a drift here is copied too."""

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
LAYER_FILES = {"router.py", "schemas.py", "models.py", "service.py", "repository.py"}
PUBLISHED_FILES = {"queries.py", "commands.py", "tasks.py", "subscriptions.py"}
# What builds or runs a statement; routers and services leave it to repositories.
STATEMENT_BUILDERS = {"select", "insert", "update", "delete", "text", "func", "exists", "literal"}
STATEMENT_CALLS = {"execute", "scalar", "scalars", "stream", "stream_scalars", "get"}


def _services() -> list[Path]:
    return sorted(
        path for path in SERVICES.iterdir() if (path / "app.py").exists() and path.name != "core"
    )


def _subpackages(service: Path) -> list[Path]:
    return sorted(path for path in service.iterdir() if (path / "__init__.py").exists())


# What does I/O; a module at a service's root that imports none of these is pure logic.
IO_PACKAGES = {"sqlalchemy", "fastapi", "starlette", "redis", "arq", "asyncpg", "httpx", "aiohttp"}


def _is_pure(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] in IO_PACKAGES or parts[:2] in (["services", "core"],):
                return False
    return True


def test_a_service_with_sub_packages_keeps_its_app_published_and_pure_modules_at_its_root() -> None:
    """Pure logic (scoring, assignment, review, health) sits at the root, beside the published
    modules, because every resource of the service uses it."""
    for service in _services():
        if not _subpackages(service):
            continue
        root = {path.name for path in service.glob("*.py")}
        extra = root - {"__init__.py", "app.py"} - PUBLISHED_FILES
        impure = sorted(name for name in extra if not _is_pure(service / name))
        assert impure == [], f"{service.name}: {impure} do I/O; move them into a sub-package"


def test_layer_files_have_one_name_everywhere() -> None:
    misnamed = []
    for path in SERVICES.rglob("*.py"):
        stem = path.stem
        if any(stem.endswith(f"_{layer.removesuffix('.py')}") for layer in LAYER_FILES):
            misnamed.append(str(path.relative_to(SERVICES)))
        source = path.read_text()
        if "APIRouter(" in source and path.name != "router.py":
            misnamed.append(str(path.relative_to(SERVICES)))
    assert misnamed == [], "a router is router.py, a service service.py, ..."


def _statement_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [
                f"imports {alias.name}" for alias in node.names if alias.name in STATEMENT_BUILDERS
            ]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in STATEMENT_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"session", "own"}
        ):
            found.append(f"line {node.lineno}: session.{node.func.attr}")
    return found


def test_routers_and_services_leave_statements_to_repositories() -> None:
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        if path.name in {"router.py", "service.py"}:
            found += [f"{path.relative_to(SERVICES)}: {use}" for use in _statement_uses(path)]
    assert found == []


def test_services_reach_each_other_only_through_queries_and_commands() -> None:
    names = {service.name for service in _services()}
    reaching_in = []
    for service in _services():
        for path in sorted(service.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.ImportFrom) or not node.module:
                    continue
                parts = node.module.split(".")
                if (
                    len(parts) < 2
                    or parts[0] != "services"
                    or parts[1] not in names - {service.name}
                ):
                    continue
                modules = parts[2:] if len(parts) > 2 else [alias.name for alias in node.names]
                if len(parts) > 3 or not set(modules) <= {"queries", "commands"}:
                    reaching_in.append(f"{path.relative_to(SERVICES)}: {node.module}")
    assert reaching_in == [], "another service's internals; use its queries.py or commands.py"
