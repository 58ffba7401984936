"""The UI's one bus subscriber in this process: hands each event to the open pages that watch it.

Room-wide updates go out once per chat room as one Socket.IO emit to the room's Socket.IO room (every open
page of the room has its socket there), serialised once, whatever the number of viewers; the browser
handles them (message_list.js for messages, room_live.js for the rest). Never an element update per page.

- messages: event `chat:msg` (LIVE_EVENT), the message payload of message_list.py (under load, the messages
  of a room that arrive within BATCH_GAP of its last broadcast go out together as one list);
- typing, presence, membership, roles, topic, deletions, edits: event `chat:live` (ROOM_EVENT), a list of wire-format
  events (`services.wire.encode`: the same names, versions and shapes as between instances). Presence goes in
  batches per room, at most every PRESENCE_GAP, as `presence.changed` events holding what presence says
  when the batch leaves. A membership or role change is followed in the same emit by `room.members`, the
  member panel's content (the same for every viewer, so it is carried in the broadcast instead of each page
  reading it): `{"v": 2, "type": "room.members", "room_id", "total", "members": [[id, name, status, role],
  ...]}` (v2: the role). That one is not a bus event (it is what the bridge derives from the store when
  membership changed, not something a service publishes), hence not in services/wire.py's SPECS; its shape is
  defined here only. `message.deleted` and `message.edited` are handled by message_list.js (the pane), the rest by
room_live.js. Reactions go the same way: `reaction.changed`, handled by message_list.js.

Attention (room_list.js keeps the drawer's badges, the tab title and notifications): new messages also go, as short
summaries, to the room's drawer room (`chat:activity`: every open page whose drawer lists the conversation, the one
showing it excepted), at most one emit per room per READ_GAP (the summaries of that second together); read
positions and mutes go to the user's own Socket.IO room (`chat:attn`), coalesced to one emit per user per READ_GAP;
read receipts go to the room's pages as
`room.receipts` events, `{"v": 1, "type": "room.receipts", "room_id", "readers": [[user id, username, seq], ...]}`
(who moved since the last one), coalesced to one emit per room per READ_GAP. Like `room.members`, `room.receipts`
is derived here (from ReadMoved, whose counts are the reader's own business and stay out of the room's broadcast).

Per-user updates (a user's own room list: MembershipChanged of that user, RoomCreated, SessionsEnded; their
own RoleChanged and MemberRemoved, for the controls and the "You were removed" of their pages) go to that
user's pages only, through per-topic NiceGUI `Event`s (`user:<id>`) whose subscriptions die with their client.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from nicegui import Event, background_tasks, core

from services import wire
from services.bootstrap import Services
from services.events import Event as ChatEvent
from services.events import (
    MemberRemoved,
    MembershipChanged,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    MuteChanged,
    PresenceChanged,
    ReactionChanged,
    ReadMoved,
    RoleChanged,
    RoomCreated,
    RoomUpdated,
    SessionsEnded,
    TypingChanged,
)
from services.models import PresenceStatus

from .components.message_list import LIVE_EVENT, message_payload, socket_room
from .components.room_list import drawer_room, user_room

ROOM_EVENT = 'chat:live'
BATCH_GAP = 0.01  # seconds: a room's broadcasts are at least this far apart; at low rates nothing waits
PRESENCE_GAP = 1.0  # seconds: a room's pages get presence changes at most this often, as one batch
MEMBERS_GAP = 0.1  # seconds: a burst of joins and leaves in a room reads and sends the member list once
READ_GAP = 1.0  # seconds: a user's pages get read positions, a room's pages receipts, at most this often
ACTIVITY_EVENT = 'chat:activity'
ATTENTION_EVENT = 'chat:attn'
EXCERPT = 140  # characters of a new message's text in its drawer summary (a notification's body)
SHOWN = 100  # members listed by name in the member panel; the rest are counted
ORDER: dict[str, int] = {'online': 0, 'away': 1, 'offline': 2}
MEMBERS_VERSION = 2  # v2: each member's role
RosterChange = MembershipChanged | RoleChanged


@dataclass(frozen=True, slots=True)
class ConversationChanged:
    """To each member of a group conversation whose people changed: its name in their room list changed too (a
    group is named by the other people in it). Not a bus event: what the bridge derives from MembershipChanged."""

    room_id: int


class Bridge:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._topics: dict[str, Event[Any]] = {}
        self._pending: dict[int, list[dict[str, Any]]] = {}  # room id -> payloads of the next broadcast
        self._last_broadcast: dict[int, float] = {}
        self._presence: dict[int, set[int]] = {}  # room id -> users whose presence changed, not yet sent
        self._membership: dict[int, list[RosterChange]] = {}  # room id -> changes not yet sent
        self._activity: dict[int, list[dict[str, Any]]] = {}  # room id -> summaries of the next broadcast
        self._attention: dict[int, dict[int, dict[str, Any]]] = {}  # user id -> room id -> what changed, not sent
        self._receipts: dict[int, dict[int, list[Any]]] = {}  # room id -> reader id -> [id, name, seq], not sent
        self._last_sent: dict[str, float] = {}  # 'user:<id>' / 'room:<id>' -> when its last coalesced emit left
        services.bus.on_reconnect(self.resync)

    def topic(self, name: str) -> Event[Any]:
        """The NiceGUI event for a per-user topic (`user:<id>`); that user's pages subscribe to it."""
        if name not in self._topics:
            self._topics[name] = Event()
        return self._topics[name]

    async def handle(self, event: ChatEvent) -> None:
        if isinstance(event, MessagePosted):
            room_id = event.message.room_id
            # serialised once, whatever the number of viewers
            self._queue(room_id, message_payload(event.message, event.mentions), activity(event))
        elif isinstance(event, ReadMoved):
            self._attend(event.user_id, event.room_id, {'seq': event.seq, 'unread': event.unread,
                                                        'mentions': event.mentions, 'top': event.last_seq})
            if event.receipt:
                self._receipts.setdefault(event.room_id, {})[event.user_id] = [event.user_id, event.username,
                                                                                event.seq]
                self._coalesce(f'room:{event.room_id}', self._send_receipts, event.room_id)
        elif isinstance(event, MuteChanged):
            self._attend(event.user_id, event.room_id, {'muted': event.muted})
        elif isinstance(event, TypingChanged):
            await self.emit_room(event.room_id, [wire.encode(event)])
        elif isinstance(event, RoomUpdated):
            await self.emit_room(event.room.id, [wire.encode(event)])
        elif isinstance(event, MessageDeleted | MessageEdited):  # the pane changes the message at its seq
            await self.emit_room(event.room_id, [wire.encode(event)])
        elif isinstance(event, PresenceChanged):
            # a member panel shows room members: hand the change to the rooms the user is in
            for room_id in await self._services.rooms.room_ids_of(event.user_id):
                pending = self._presence.setdefault(room_id, set())
                if not pending:
                    asyncio.get_running_loop().call_later(PRESENCE_GAP, self._send_presence, room_id)
                pending.add(event.user_id)
        elif isinstance(event, MembershipChanged | RoleChanged):
            # the member's own room list or controls, in every tab
            self._emit(f'user:{event.user_id}', event)
            pending_changes = self._membership.setdefault(event.room_id, [])
            if not pending_changes:
                asyncio.get_running_loop().call_later(MEMBERS_GAP, self._send_members, event.room_id)
            pending_changes.append(event)
        elif isinstance(event, RoomCreated | SessionsEnded | MemberRemoved):
            self._emit(event.topic, event)
        elif isinstance(event, ReactionChanged):  # the pane changes the chip of the message at its seq
            await self.emit_room(event.room_id, [wire.encode(event)])

    async def emit_room(self, room_id: int, payloads: list[dict[str, Any]]) -> None:
        """One Socket.IO emit of wire-format events to every open page of a room (serialised once)."""
        await core.sio.emit(ROOM_EVENT, payloads, room=socket_room(room_id))

    async def members_snapshot(self, room_id: int) -> dict[str, Any]:
        """The member panel's content: the first SHOWN members (online first, then by name), with their roles, and
        the total."""
        roster = await self._services.store.roster(room_id)
        status = await self._services.presence.statuses([m.user.id for m in roster])
        roster.sort(key=lambda m: (ORDER[status.get(m.user.id, 'offline')], m.user.username))
        return {'v': MEMBERS_VERSION, 'type': 'room.members', 'room_id': room_id, 'total': len(roster),
                'members': [[m.user.id, m.user.username, status.get(m.user.id, 'offline'), m.role]
                            for m in roster[:SHOWN]]}

    async def resync(self) -> None:
        """After the bus reconnected (events from other instances were lost meanwhile): resend each open room's
        latest message and member list; a page that lacks messages before it sees the gap and catches up by
        sequence number."""
        prefix = socket_room(0)[:-1]
        open_rooms = [name for name in core.sio.manager.rooms.get('/', {}) if str(name).startswith(prefix)]
        for name in open_rooms:
            room_id = int(name[len(prefix):])
            if latest := await self._services.store.latest(room_id, 1):
                self._queue(room_id, message_payload(latest[0]))
            await self.emit_room(room_id, [await self.members_snapshot(room_id)])

    def _queue(self, room_id: int, payload: dict[str, Any], summary: dict[str, Any] | None = None) -> None:
        if summary is not None:  # the drawers listing the room: at most one emit per room per READ_GAP
            self._activity.setdefault(room_id, []).append(summary)
            self._coalesce(f'drawer:{room_id}', self._send_activity, room_id)
        if room_id in self._pending:
            self._pending[room_id].append(payload)  # a broadcast of this room is already scheduled
        else:
            self._pending[room_id] = [payload]
            background_tasks.create(self._broadcast(room_id), name=f'broadcast room {room_id}')

    def _attend(self, user_id: int, room_id: int, change: dict[str, Any]) -> None:
        self._attention.setdefault(user_id, {}).setdefault(room_id, {'room_id': room_id}).update(change)
        self._coalesce(f'user:{user_id}', self._send_attention, user_id)

    def _coalesce(self, key: str, send: Any, target: int) -> None:
        """Call `send(target)` once for everything queued under `key`: now if its last emit is READ_GAP old, else
        when it will be (at most one emit per READ_GAP per user or room)."""
        if key in self._last_sent and self._last_sent[key] < 0:
            return  # already scheduled
        wait = self._last_sent.get(key, -READ_GAP) + READ_GAP - time.monotonic()
        self._last_sent[key] = -1.0
        asyncio.get_running_loop().call_later(max(0.0, wait), send, key, target)

    def _send_attention(self, key: str, user_id: int) -> None:
        self._last_sent[key] = time.monotonic()
        if changes := self._attention.pop(user_id, None):
            background_tasks.create(core.sio.emit(ATTENTION_EVENT, list(changes.values()), room=user_room(user_id)),
                                    name=f'attention user {user_id}')

    def _send_activity(self, key: str, room_id: int) -> None:
        # the drawers that list the room (not the pages showing it: they had the messages as chat:msg)
        self._last_sent[key] = time.monotonic()
        if summaries := self._activity.pop(room_id, None):
            summaries.sort(key=lambda summary: summary['seq'])
            background_tasks.create(core.sio.emit(ACTIVITY_EVENT, summaries, room=drawer_room(room_id)),
                                    name=f'activity room {room_id}')

    def _send_receipts(self, key: str, room_id: int) -> None:
        self._last_sent[key] = time.monotonic()
        if readers := self._receipts.pop(room_id, None):
            receipts = {'v': 1, 'type': 'room.receipts', 'room_id': room_id, 'readers': list(readers.values())}
            background_tasks.create(self.emit_room(room_id, [receipts]), name=f'receipts room {room_id}')

    async def _broadcast(self, room_id: int) -> None:
        """One Socket.IO emit for what is pending in the room: a payload, or a list of them in seq order."""
        wait = self._last_broadcast.get(room_id, 0.0) + BATCH_GAP - time.monotonic()
        await asyncio.sleep(max(0.0, wait))  # also lets messages published in this loop turn join
        batch = self._pending.pop(room_id, [])
        self._last_broadcast[room_id] = time.monotonic()
        batch.sort(key=lambda p: p['seq'])
        if batch:
            await core.sio.emit(LIVE_EVENT, batch[0] if len(batch) == 1 else batch, room=socket_room(room_id))

    def _send_presence(self, room_id: int) -> None:
        if changed := self._presence.pop(room_id, None):
            background_tasks.create(self._send_current(room_id, sorted(changed)), name=f'presence room {room_id}')

    async def _send_current(self, room_id: int, user_ids: list[int]) -> None:
        # What presence says now, not what the events said: transitions decided on two instances may arrive
        # in either order, and the one that arrives last must not leave a stale status on the pages.
        statuses: dict[int, PresenceStatus] = await self._services.presence.statuses(user_ids)
        await self.emit_room(room_id, [wire.encode(PresenceChanged(uid, status)) for uid, status in statuses.items()])

    def _send_members(self, room_id: int) -> None:
        if changes := self._membership.pop(room_id, None):
            background_tasks.create(self._send_membership(room_id, changes), name=f'members room {room_id}')

    async def _send_membership(self, room_id: int, changes: list[RosterChange]) -> None:
        snapshot = await self.members_snapshot(room_id)
        await self.emit_room(room_id, [*(wire.encode(change) for change in changes), snapshot])
        if any(isinstance(c, MembershipChanged) for c in changes):
            room = await self._services.store.get_room(room_id)
            if room is not None and room.kind == 'group':  # at most 8 people: the snapshot lists them all
                changed = {c.user_id for c in changes}
                for user_id, *_ in snapshot['members']:
                    if user_id not in changed:  # those got their own MembershipChanged
                        self._emit(f'user:{user_id}', ConversationChanged(room_id))

    def _emit(self, topic: str, event: ChatEvent | ConversationChanged) -> None:
        if (subscribers := self._topics.get(topic)) is not None:
            subscribers.emit(event)


def activity(event: MessagePosted) -> dict[str, Any] | None:
    """A new message as the drawers listing its room need it: who, where, whom it mentions, the start of its text."""
    message = event.message
    if message.kind != 'text':
        return None
    text = ' '.join(message.body.split())
    return {'room_id': message.room_id, 'seq': message.seq, 'kind': message.kind, 'author_id': message.author_id,
            'author': message.author_name, 'mentions': list(event.mentions),
            'text': text[:EXCERPT] + ('…' if len(text) > EXCERPT else '')}
