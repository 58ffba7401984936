"""Bench data: users made in-process before the server starts, and a fast bulk-filled room history."""
from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher

from services.bootstrap import bootstrap, ensure_data_dir
from services.config import Settings

PASSWORD = 'bench-password'
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # sign_in verifies with the hash's own params


async def _prepare(data_dir: Path, usernames: list[str], rooms: dict[str, int],
                   database_url: str | None) -> dict[str, int]:
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)
    # 60 rooms by one person; 25 cheap hashes at once (the server's hash gate would call that "busy")
    settings = replace(settings, limits=replace(settings.limits, enabled=False), hash_slots=4, hash_queue=64)
    ensure_data_dir(settings)
    services = bootstrap(settings, password_hasher=CHEAP)
    await services.start()
    try:
        users = []
        for i in range(0, len(usernames), 25):  # concurrent sign-ups: the hashing overlaps the SQL
            chunk = usernames[i:i + 25]
            users += await asyncio.gather(*(services.accounts.sign_up(name, PASSWORD) for name in chunk))
        room_ids: dict[str, int] = {}
        for name, members in rooms.items():
            room = await services.rooms.create_room(users[0], name)
            for user in users[1:members]:
                await services.rooms.join(user, room.id)
            room_ids[name] = room.id
        return room_ids
    finally:
        await services.close()


def prepare(data_dir: Path, usernames: list[str], rooms: dict[str, int],
            database_url: str | None = None) -> dict[str, int]:
    """Create the accounts (all join `general`) and rooms {name: members} made by the first user and joined
    by the next ones; return the room ids by name. `database_url`: another database than the data dir's SQLite."""
    return asyncio.run(_prepare(data_dir, usernames, rooms, database_url))


def fill(db: Path, room_id: int, count: int, author_id: int = 1, batch: int = 50_000) -> None:
    """Append `count` text messages to a room with bulk inserts, keeping rooms.last_seq consistent."""
    con = sqlite3.connect(db)
    try:
        con.execute('PRAGMA journal_mode=WAL')
        con.execute('PRAGMA synchronous=OFF')
        (start,) = con.execute('SELECT last_seq FROM rooms WHERE id = ?', (room_id,)).fetchone()
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=' ')
        with con:
            for first in range(start + 1, start + count + 1, batch):
                last = min(first + batch, start + count + 1)
                con.executemany(
                    'INSERT INTO messages (room_id, seq, author_id, body, html, client_id, kind, created_at) '
                    "VALUES (?, ?, ?, ?, ?, ?, 'text', ?)",
                    ((room_id, s, author_id, f'history message {s}', f'<p>history message {s}</p>', f'h{s}', now)
                     for s in range(first, last)))
            con.execute('UPDATE rooms SET last_seq = ? WHERE id = ?', (start + count, room_id))
    finally:
        con.close()


def zipf_memberships(count: int, room_ids: list[int]) -> list[list[int]]:
    """Person i's rooms: the k-th room (1-based) has about count/k members; the first is everybody's."""
    out = []
    for i in range(count):
        mine = [room_ids[0]]
        for k, room in enumerate(room_ids[1:], start=2):
            if (i * 2654435761 + k * 40503) % 10_007 < 10_007 / k:
                mine.append(room)
        out.append(mine)
    return out


def join_bulk(db: Path, user_ids: list[int], rooms: list[list[int]]) -> None:
    """Memberships straight in SQL (the services' join is one transaction and one event per call)."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=' ')
    con = sqlite3.connect(db)
    try:
        with con:
            con.executemany('INSERT OR IGNORE INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)',
                            ((room, user, now) for user, mine in zip(user_ids, rooms, strict=True) for room in mine))
    finally:
        con.close()


def user_ids(db: Path, usernames: list[str]) -> list[int]:
    con = sqlite3.connect(db)
    try:
        ids = dict(con.execute('SELECT username, id FROM users').fetchall())
    finally:
        con.close()
    return [int(ids[name]) for name in usernames]
