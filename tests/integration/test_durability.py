"""Every acknowledged message survives `kill -9` of the server mid-burst: once, in order, nothing half-written.

The app runs as a real process on a real SQLite file (WAL, synchronous=NORMAL); senders post through
the JSON API, which answers 201 only after the commit. After each kill the server restarts on the
same file, the senders resend what was not acknowledged with the same client ids, and the history
must hold every message exactly once.
"""
from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path

import httpx

from tests.support import App, services_on

SENDERS, PER_SENDER, PASSWORD, ROUNDS = 4, 100, 'correct horse', 3


async def seed(data_dir: Path) -> int:
    async with services_on(data_dir) as services:
        for i in range(SENDERS):
            await services.accounts.sign_up(f'sender{i}', PASSWORD)
        return (await services.store.get_room_by_name('general')).id  # type: ignore[union-attr]


async def history(data_dir: Path, room_id: int) -> list[tuple[int, str, str]]:
    async with services_on(data_dir) as services:
        found, after = [], 0
        while batch := await services.store.after(room_id, after, 200):
            found += [(m.seq, m.client_id, m.body) for m in batch]
            after = batch[-1].seq
        return found


async def sender(app: App, index: int, room_id: int, pending: list[str], acked: dict[str, int],
                 stop: asyncio.Event) -> None:
    """Post `pending` in order; a message leaves `pending` only once the server acknowledged it."""
    async with httpx.AsyncClient(base_url=app.url, timeout=5) as client:
        try:
            r = await client.post('/api/session', json={'username': f'sender{index}', 'password': PASSWORD})
            r.raise_for_status()
            while pending and not stop.is_set():
                client_id = pending[0]
                r = await client.post(f'/api/rooms/{room_id}/messages',
                                      json={'body': f'{index}:{client_id}', 'client_id': client_id})
                if r.status_code != 201:
                    raise AssertionError(f'{r.status_code} {r.text}')
                acked[client_id] = r.json()['seq']
                pending.pop(0)
        except httpx.TransportError:
            return  # the server died under us: what was not acknowledged stays pending


async def test_acknowledged_messages_survive_sigkill(tmp_path: Path) -> None:
    data_dir = tmp_path / 'data'
    room_id = await seed(data_dir)
    app = App(data_dir, CHAT_RATE_LIMITS='off')
    sent = [[uuid.uuid4().hex for _ in range(PER_SENDER)] for _ in range(SENDERS)]
    pending = [list(ids) for ids in sent]
    acked: dict[str, int] = {}
    kills = 0
    try:
        for round_ in range(ROUNDS + 1):
            app.start()
            stop = asyncio.Event()
            tasks = [asyncio.create_task(sender(app, i, room_id, pending[i], acked, stop)) for i in range(SENDERS)]
            if round_ < ROUNDS:
                before = len(acked)
                while len(acked) < before + 40:  # mid-burst: the senders are busy  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                app.stop(signal.SIGKILL)
                kills += 1
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
            stop.set()
            app.stop()
    finally:
        app.stop(signal.SIGKILL)

    assert kills == ROUNDS
    assert not any(pending), 'the last round resends everything that was not acknowledged'
    stored = await history(data_dir, room_id)
    seqs = [seq for seq, _, _ in stored]
    assert seqs == list(range(1, len(stored) + 1)), 'seqs are dense: nothing half-written'
    by_client = {}
    for seq, client_id, body in stored:
        assert client_id not in by_client, f'{client_id} stored twice'
        by_client[client_id] = (seq, body)
    assert len(acked) == SENDERS * PER_SENDER
    for client_id, seq in acked.items():
        assert by_client[client_id][0] == seq, 'an acknowledged message keeps the seq it was acknowledged with'
    for index in range(SENDERS):  # each sender's messages are in the order it sent them
        assert [client_id for _, client_id, body in stored if body.startswith(f'{index}:')] == sent[index]
