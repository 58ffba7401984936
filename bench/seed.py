"""Bench data: users made in-process before the server starts, and a fast bulk-filled room history."""
from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher

from services.bootstrap import bootstrap, ensure_data_dir
from services.config import Settings

PASSWORD = 'bench-password'
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # sign_in verifies with the hash's own params


async def _prepare(data_dir: Path, usernames: list[str], rooms: dict[str, int]) -> dict[str, int]:
    settings = Settings.from_env(data_dir=data_dir)
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


def prepare(data_dir: Path, usernames: list[str], rooms: dict[str, int]) -> dict[str, int]:
    """Create the accounts (all join `general`) and rooms {name: members} made by the first user and joined
    by the next ones; return the room ids by name."""
    return asyncio.run(_prepare(data_dir, usernames, rooms))


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
