"""Private files: the database (password hashes, every message), sessions and the secret are the owner's alone.

`private_umask` makes everything the process creates from then on 0600 (files) / 0700 (directories),
SQLite's -wal/-shm files included. `make_private` tightens what an earlier version created world-readable.
Only the chat's own files are touched, so a data directory pointed at a shared folder keeps its neighbours.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .config import Settings

UMASK = 0o077
_SQLITE_SUFFIXES = ('', '-wal', '-shm', '-journal')


def private_umask() -> int:
    """Set the process umask to 077; returns the previous one."""
    return os.umask(UMASK)


def chat_files(settings: Settings) -> list[Path]:
    """The data directory, the SQLite files, the storage secret and the session directory with its files."""
    data = settings.data_dir
    paths = [data, data / 'storage_secret', data / 'sessions']
    sessions = data / 'sessions'
    if sessions.is_dir() and not sessions.is_symlink():
        paths += sorted(sessions.iterdir())
    url = settings.db_url
    if url.startswith('sqlite') and ':///' in url:
        database = Path(url.split(':///', 1)[1].split('?', 1)[0])
        paths += [database.with_name(database.name + suffix) for suffix in _SQLITE_SUFFIXES]
    return paths


def make_private(settings: Settings) -> list[Path]:
    """chmod 0700 / 0600 the chat's existing files that others could read or write; returns those changed."""
    changed: list[Path] = []
    for path in chat_files(settings):
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode) or not info.st_mode & 0o077:
            continue
        mode = 0o700 if stat.S_ISDIR(info.st_mode) else 0o600
        path.chmod(mode)
        changed.append(path)
    return changed
