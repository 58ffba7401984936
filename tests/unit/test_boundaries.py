"""services/ is the application core: it must run without any web framework."""
import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / 'services'
FORBIDDEN = {'nicegui', 'fastapi', 'starlette'}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split('.')[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split('.')[0])
    return roots


def test_scan_sees_the_modules() -> None:
    assert len(list(SERVICES.rglob('*.py'))) > 10


def test_no_ui_framework_imports_in_services() -> None:
    offenders = {p.relative_to(SERVICES).as_posix(): imported_roots(p) & FORBIDDEN for p in SERVICES.rglob('*.py')}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_modules_stay_small() -> None:
    sizes = {p.relative_to(SERVICES).as_posix(): len(p.read_text().splitlines()) for p in SERVICES.rglob('*.py')}
    assert {name: n for name, n in sizes.items() if n > 260} == {}
