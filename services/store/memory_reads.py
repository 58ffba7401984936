"""The in-memory store's read positions, unread and mention counts, receipts and muted conversations."""
from __future__ import annotations

from collections.abc import Collection, Sequence

from ..models import UNREAD_CAP, ReadState, Receipt
from .memory_rooms import MemoryData, RoomRow


class MemoryReads(MemoryData):
    def _state(self, row: RoomRow, user_id: int) -> ReadState:
        position = row.reads.get(user_id, 0)
        unread = mentioned = 0
        for message in row.messages[position:]:  # seq n sits at index n - 1
            if message.deleted:
                continue
            if unread < UNREAD_CAP and message.kind == 'text' and message.author_id != user_id:
                unread += 1
            if mentioned < UNREAD_CAP and user_id in row.mentions.get(message.seq, ()):
                mentioned += 1
        return ReadState(row.room.id, position, unread, mentioned, user_id in row.muted, row.last_seq)

    async def mark_read(self, room_id: int, user_id: int, seq: int) -> ReadState | None:
        row = self._row(room_id)
        target = min(seq, row.last_seq)
        if user_id not in row.members or target <= row.reads.get(user_id, 0):
            return None
        row.reads[user_id] = target
        return self._state(row, user_id)

    async def mark_reads(self, entries: Sequence[tuple[int, int, int]]) -> list[tuple[int, ReadState]]:
        moved = []
        for room_id, user_id, seq in entries:
            if room_id in self._rooms and (state := await self.mark_read(room_id, user_id, seq)) is not None:
                moved.append((user_id, state))
        return moved

    async def mark_all_read(self, user_id: int) -> list[ReadState]:
        moved = []
        for row in self._rooms.values():
            if user_id in row.members and row.reads.get(user_id, 0) < row.last_seq:
                row.reads[user_id] = row.last_seq
                moved.append(self._state(row, user_id))
        return moved

    async def read_states(self, user_id: int, room_id: int | None = None) -> dict[int, ReadState]:
        rows = self._rooms.values() if room_id is None else [r for r in (self._rooms.get(room_id),) if r]
        return {row.room.id: self._state(row, user_id) for row in rows if user_id in row.members}

    async def receipts(self, room_id: int) -> list[Receipt]:
        row = self._row(room_id)
        shown = [Receipt(uid, self._users[uid].username, row.reads.get(uid, 0)) for uid in row.members
                 if uid not in self._no_receipts and row.reads.get(uid, 0) > 0]
        return sorted(shown, key=lambda r: r.username)

    async def set_send_receipts(self, user_id: int, on: bool) -> None:
        self._user_exists(user_id)
        if on:
            self._no_receipts.discard(user_id)
        else:
            self._no_receipts.add(user_id)

    async def sends_receipts(self, user_id: int) -> bool:
        return user_id in self._users and user_id not in self._no_receipts

    async def set_muted(self, room_id: int, user_id: int, muted: bool) -> bool:
        row = self._row(room_id)
        if user_id not in row.members or (user_id in row.muted) == muted:
            return False
        if muted:
            row.muted.add(user_id)
        else:
            row.muted.discard(user_id)
        return True

    async def members_named(self, room_id: int, lower_names: Collection[str]) -> dict[str, int]:
        row = self._row(room_id)
        found = {name: self._user_by_name.get(name) for name in lower_names}
        return {name: uid for name, uid in found.items() if uid is not None and uid in row.members}
