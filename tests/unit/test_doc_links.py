"""The project's documents link only to files inside the repository that exist (a clone has nothing beside it)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / 'README.md', ROOT / 'bench' / 'README.md', *sorted((ROOT / 'docs').glob('*.md'))]
LINK = re.compile(r'\]\(([^)\s]+)\)')  # [text](target) and ![alt](target)


def broken_links(doc: Path) -> list[str]:
    broken = []
    for target in LINK.findall(doc.read_text(encoding='utf-8')):
        if re.match(r'[a-z][a-z0-9+.-]*:', target) or target.startswith('#'):
            continue  # http(s)://, mailto: ... and anchors within the page
        path = (doc.parent / target.split('#', 1)[0]).resolve()
        if not path.is_relative_to(ROOT):
            broken.append(f'{target} (outside the repository)')
        elif not path.exists():
            broken.append(f'{target} (no such file)')
    return broken


def test_the_architecture_document_exists() -> None:
    assert ROOT / 'docs' / 'architecture.md' in DOCS


@pytest.mark.parametrize('doc', DOCS, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_relative_links_stay_in_the_repository_and_resolve(doc: Path) -> None:
    assert broken_links(doc) == []
