"""Issue 8 row 14 (the database part): everything the chat writes is its owner's alone.

Before: chat.db (password hashes, every message) and its -wal/-shm files were created 0644.
"""
from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from tests.browser.conftest import App
from tests.hostile.conftest import Hostile, seed


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(data: Path) -> dict[str, int]:
    found = {'.': mode(data)}
    for path in data.rglob('*'):
        if path.name != 'app.log':  # the test's own capture of the server's output
            found[str(path.relative_to(data))] = mode(path)
    return found


def test_a_fresh_data_dir_is_private(hostile: Hostile) -> None:
    found = modes(hostile.app.data_dir)
    assert {'chat.db', 'chat.db-wal', 'chat.db-shm', 'storage_secret'} <= set(found), found
    assert {name: m for name, m in found.items() if m & 0o077} == {}, found


def test_files_an_older_version_left_readable_are_made_private(tmp_path: Path) -> None:
    data = tmp_path / 'data'
    data.mkdir(mode=0o755)
    asyncio.run(seed(data))
    (data / 'sessions').mkdir(mode=0o755)
    (data / 'sessions' / 'storage-user-x.json').write_text('{}')
    for path in [data, data / 'sessions', *data.rglob('*')]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    app = App(data)
    app.start()
    try:
        found = modes(data)
        assert {name: m for name, m in found.items() if m & 0o077} == {}, found
        log = app.log.read_text()
        assert f'{data / "chat.db"} was readable by others: now only by its owner' in log
    finally:
        app.stop()


@pytest.mark.parametrize('name', ['notes.txt'])
def test_other_files_in_the_data_dir_are_left_alone(tmp_path: Path, name: str) -> None:
    data = tmp_path / 'data'
    data.mkdir()
    (data / name).write_text('mine')
    (data / name).chmod(0o644)
    app = App(data)
    app.start()
    app.stop()
    assert mode(data / name) == 0o644
