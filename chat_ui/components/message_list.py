"""The message pane element: history once as props, then live messages straight from Socket.IO.

Messages are not NiceGUI elements: each is serialised once per chat room by the bridge and
appended by `message_list.js` in every open page (the hot path in DESIGN.md).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from nicegui import Client, core, ui
from nicegui.events import GenericEventArguments

from services.bootstrap import Services
from services.errors import ChatError
from services.messages import MAX_PAGE
from services.models import Message, ReadState, Receipt, Room, User

from .attachment import attachment_payload
from .react_reply import ReactAndReply, reactions_payload, reply_payload

log = logging.getLogger(__name__)
LIVE_EVENT = 'chat:msg'
MAX_WINDOW = 300
NEWER_PAGE = 50  # messages a detached window loads when scrolled to its end


def socket_room(room_id: int) -> str:
    """The Socket.IO room of a chat room: every open page of the room has its sockets in it."""
    return f'chat-room-{room_id}'


def message_payload(message: Message, mentions: Iterable[int] = ()) -> dict[str, Any]:
    """What a page needs to show one message; built once per message, whatever the number of viewers. `mentions`:
    whom a new message notifies (its MessagePosted's; the drawer counts it, room_list.js)."""
    return {
        'room_id': message.room_id,
        'seq': message.seq,
        'kind': message.kind,
        'author': message.author_name,
        'author_id': message.author_id,
        'client_id': message.client_id,  # the author's page settles its outbox with it (message_list.js)
        'body': message.body if message.kind != 'text' else '',
        'html': message.html,
        'time': message.created_at.isoformat(),
        'deleted': message.deleted,  # shown as "message deleted" (body and html are empty then)
        'edited': message.edited,  # changed by its author since: marked "(edited)"
        # which of two versions of it is newer (a read that raced a live edit): message_list.js keeps the newer
        'edited_at': message.edited_at.isoformat() if message.edited_at is not None else None,
        'mentions': list(mentions),
        # chips under it: [{emoji, count, user_ids, names}] in order of first use (message_list.js, reactions)
        'reactions': reactions_payload(message.reactions),
        # the message it answers, as that one is now: {seq, author, excerpt (plain text), deleted}, or null
        'reply_to': reply_payload(message.reply_to),
        'attachment': attachment_payload(message.attachment if not message.deleted else None),  # files_api.py
    }


def known_sockets(client: Client) -> list[str]:
    """The client's sockets that the Socket.IO server knows: only those can join or leave its rooms (a page's first
    socket is still being connected when its handshake runs the connect handlers: known, not yet "connected";
    NiceGUI's User fixture registers simulated sockets the server does not know)."""
    return [sid for sid in client._socket_to_document_id if core.sio.manager.eio_sid_from_sid(sid, '/') is not None]


class MessageList(ReactAndReply, component='message_list.js', esm={'chat-pane': 'pane'}):  # pane/: its parts
    def __init__(self, services: Services, viewer: User, room: Room, history: list[Message],
                 can: Iterable[str] = (), *, focus: int = 0, last_seq: int = 0, read: ReadState | None = None,
                 receipts: list[Receipt] | None = None) -> None:
        super().__init__()
        self._services = services
        self._viewer = viewer
        self._room_id = room.id
        self._connected_once = False
        self._in_room: set[str] = set()  # this page's socket ids that are in the chat room's Socket.IO room
        self._props['roomId'] = room.id
        self._props['viewerId'] = viewer.id
        self._props['history'] = [message_payload(m) for m in history]
        self._props['hasOlder'] = bool(history) and history[0].seq > 1
        self._props['lastSeq'] = history[-1].seq if history else 0
        self._props['maxWindow'] = MAX_WINDOW
        self._set_delete_props(can)
        # opened at a message (a search result): the page shows and marks it; newer messages than the window's
        # exist when last_seq is past it (live ones then wait for "Jump to latest messages")
        if focus:
            self._props['focusSeq'] = focus
        self._props['lastSeq'] = max(self._props['lastSeq'], last_seq)
        # attention: where the viewer had read to ("New messages" goes before the first unread), who has read what
        # ("Seen by"; None: the viewer sends no receipts, so sees none), the viewer's name (messages mentioning them)
        self._props['viewerName'] = viewer.username
        self._props['lastRead'] = read.last_read_seq if read is not None else -1
        self._props['receipts'] = [[r.user_id, r.username, r.seq] for r in receipts] if receipts is not None else None
        self.on('read', self._read)
        self.on('older', self._load_older)
        self.on('delete', self._delete)
        self.on('edit_start', self._start_edit)
        self.on('edit', self._edit)
        self.on('catchup', self._catch_up)
        self.on('latest', self._load_latest)
        self.on('newer', self._load_newer)
        self.on('react', self._react)
        self.on('around', self._load_around)
        self.client.on_connect(self._enter_socket_room)

    def _set_delete_props(self, can: Iterable[str]) -> None:
        # which messages show "Delete": the viewer's own (policy 'delete_own'), anyone's ('delete_other')
        allowed = set(can)
        self._props['deleteOwn'] = 'delete_own' in allowed
        self._props['deleteAny'] = 'delete_other' in allowed
        self._props['editOwn'] = 'edit_own' in allowed
        self._props['canReact'] = 'react' in allowed
        self._props['canReply'] = 'post' in allowed

    def set_abilities(self, can: Iterable[str]) -> None:
        """Show "Delete" (and "Edit") where the viewer may delete (edit) now (their role changed)."""
        keys = ('deleteOwn', 'deleteAny', 'editOwn', 'canReact', 'canReply')
        before = [self._props[key] for key in keys]
        self._set_delete_props(can)
        if [self._props[key] for key in keys] != before:
            self.update()

    async def _delete(self, e: GenericEventArguments) -> None:
        # every open page of the room then shows "message deleted": MessageDeleted, one broadcast (bridge.py)
        try:
            await self._services.messages.delete(self._viewer, self._room_id, _int_arg(e.args, 'seq'))
        except ChatError as error:
            ui.notification(str(error), type='negative')

    async def _start_edit(self, e: GenericEventArguments) -> None:
        # the editor opens with the message's Markdown, which the broadcast payload does not carry (only html)
        seq = _int_arg(e.args, 'seq')
        try:
            message = await self._services.messages.get_own(self._viewer, self._room_id, seq)
        except ChatError as error:
            ui.notification(str(error), type='negative')
            return
        self.run_method('startEdit', message.seq, message.body)

    async def _edit(self, e: GenericEventArguments) -> None:
        # every open page of the room then shows the new text: MessageEdited, one broadcast (bridge.py)
        seq = _int_arg(e.args, 'seq')
        body = e.args.get('body') if isinstance(e.args, dict) else None
        if not isinstance(body, str):
            return
        try:
            await self._services.messages.edit(self._viewer, self._room_id, seq, body)
        except ChatError as error:
            ui.notification(str(error), type='negative')
            self.run_method('startEdit', seq, body)  # the text stays in the editor, to fix or cancel

    async def _read(self, e: GenericEventArguments) -> None:
        # the page showed the newest message while visible and focused (at most once a second, message_list.js):
        # the viewer's badges clear in all their tabs, the room's "Seen by" moves (bridge.py)
        seq = _int_arg(e.args, 'seq')
        if not seq:
            return
        try:
            await self._services.reads.report(self._viewer, self._room_id, seq)  # written with others' (reads.py)
        except ChatError:  # a stale page, or a page sending too fast: the next read says it again
            pass

    def _sockets(self) -> list[str]:
        return known_sockets(self.client)

    async def leave_socket_room(self) -> None:
        """Stop live delivery to this page, whatever its script does (the viewer left the room)."""
        for sid in self._sockets():
            await core.sio.leave_room(sid, socket_room(self._room_id))
        self._in_room.clear()

    async def _join_socket_room(self) -> None:
        """Put this page's sockets in the chat room's Socket.IO room; ChatError if the viewer is no member."""
        sockets = self._sockets()
        self._in_room.intersection_update(sockets)  # forget sockets that are gone
        if outside := [sid for sid in sockets if sid not in self._in_room]:
            await self._services.rooms.get_room(self._viewer, self._room_id)  # membership may have ended meanwhile
            for sid in outside:
                await core.sio.enter_room(sid, socket_room(self._room_id))
            self._in_room.update(outside)

    async def _enter_socket_room(self) -> None:
        # NOTE: NiceGUI's handshake put each socket of this client in a room named after the client; we add them to
        # the chat room's, then ask the page for anything it may have missed meanwhile.
        try:
            await self._join_socket_room()
        except ChatError:  # left in another tab while this page was away
            return
        except Exception:  # the page's catch-up joins again before it reads, and the page retries that with backoff
            log.exception('could not put a page of room %s back in its room', self._room_id)
        if 'history' in self._props and self._sockets():
            # The page has it (it came with the HTML): do not keep ~50 messages per open page on the server.
            # A remount without it asks for the latest messages (message_list.js).
            self._props.pop('history')
            self._connected_once = True
        elif self._connected_once and self._props.get('receipts') is not None:
            await self._send_receipts()  # a reconnect: readers may have moved meanwhile
        self.run_method('sync')

    async def _send_receipts(self) -> None:
        try:
            receipts = await self._services.reads.receipts(self._viewer, self._room_id)
        except ChatError:
            return
        except Exception:
            log.exception('reading the receipts of room %s failed', self._room_id)
            return
        self.run_method('setReceipts', [[r.user_id, r.username, r.seq] for r in receipts])

    async def _load_older(self, e: GenericEventArguments) -> None:
        before = _int_arg(e.args, 'before')
        try:
            older = await self._services.messages.before(self._viewer, self._room_id, before)
        except ChatError:  # e.g. a stale page whose viewer is no longer a member: nothing to show
            older = []
        except Exception:
            log.exception('loading older messages of room %s failed', self._room_id)
            self.run_method('prependOlder', [], True)  # the next scroll to the top tries again
            return
        has_older = bool(older) and older[0].seq > 1
        self.run_method('prependOlder', [message_payload(m) for m in older], has_older)

    async def _catch_up(self, e: GenericEventArguments) -> None:
        after = _int_arg(e.args, 'after')
        first = _int_arg(e.args, 'from')  # after a (re)connect: the first seq the page shows
        limit = MAX_PAGE
        deleted: list[int] = []
        edited: list[Message] = []
        try:
            # in the room before the read (if the join at connect failed): each message is read here or arrives live
            await self._join_socket_room()
            missed = await self._services.messages.after(self._viewer, self._room_id, after, limit)
            if 0 < first <= after:  # what it shows and may have seen deleted meanwhile
                deleted = await self._services.messages.deleted_between(self._viewer, self._room_id, first, after)
                edited = await self._services.messages.edited_between(self._viewer, self._room_id, first, after)
        except ChatError:
            missed = []
        except Exception:
            log.exception('the catch-up of room %s failed', self._room_id)
            self.run_method('catchUpFailed')  # the page retries with backoff, keeping what it received meanwhile
            return
        if 0 < first <= after:
            await self._refresh_reactions(first, after)
        # the seqs to show as "message deleted", the messages whose text to refresh
        extra: list[Any] = [deleted, [message_payload(m) for m in edited]] if edited else [deleted] if deleted else []
        self.run_method('catchUp', [message_payload(m) for m in missed], len(missed) == limit, *extra)

    async def _load_newer(self, e: GenericEventArguments) -> None:
        # a window that ends before the newest message was scrolled to its end: the page after it
        after = _int_arg(e.args, 'after')
        try:
            newer = await self._services.messages.after(self._viewer, self._room_id, after, NEWER_PAGE)
        except ChatError:
            newer = []
        except Exception:
            log.exception('loading newer messages of room %s failed', self._room_id)
            newer = []
        self.run_method('appendNewer', [message_payload(m) for m in newer], len(newer) == NEWER_PAGE)

    async def _load_latest(self) -> None:
        try:
            latest = await self._services.messages.latest(self._viewer, self._room_id)
        except ChatError:  # a stale page (its viewer left or was removed): it keeps what it shows
            return
        except Exception:
            log.exception('loading the latest messages of room %s failed', self._room_id)
            return
        has_older = bool(latest) and latest[0].seq > 1
        last = latest[-1].seq if latest else 0
        self.run_method('setHistory', [message_payload(m) for m in latest], has_older, last)


def _int_arg(args: Any, key: str) -> int:
    """Read a non-negative int from a browser event; anything else (a hostile page) counts as 0."""
    value = args.get(key) if isinstance(args, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**62 else 0
