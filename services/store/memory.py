"""The in-memory store: the fake the unit tests run on. Behaves like the SQL store (same Conflicts, dense seqs)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import Conflict, Forbidden, NotFound
from ..models import AuthSession, Message, MessageVersion, User
from .base import Store
from .memory_attachments import MemoryAttachments
from .memory_reactions import MemoryReactions
from .memory_reads import MemoryReads
from .memory_rooms import MemoryConversations, now
from .memory_search import MemorySearch


class MemoryStore(MemoryAttachments, MemoryReactions, MemorySearch, MemoryReads, MemoryConversations):
    """Users, messages and sessions here; rooms and the unit of work in memory_rooms.py, search in memory_search.py."""

    async def start(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close; the data stays for reuse (like a database that outlives a connection)."""

    # accounts
    async def create_user(self, username: str, password_hash: str) -> User:
        """Insert a user; Conflict if the name is taken case-insensitively. The first one is the administrator."""
        if username.lower() in self._user_by_name:
            raise Conflict('That username is taken')
        user = User(id=len(self._users) + 1, username=username, created_at=now(), is_admin=not self._users)
        self._users[user.id] = user
        self._hashes[user.id] = password_hash
        self._user_by_name[username.lower()] = user.id
        return user

    async def get_user(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    async def get_user_by_name(self, username: str) -> User | None:
        user_id = self._user_by_name.get(username.lower())
        return None if user_id is None else self._users[user_id]

    async def get_credentials(self, username: str) -> tuple[User, str] | None:
        user_id = self._user_by_name.get(username.lower())
        if user_id is None:
            return None
        return self._users[user_id], self._hashes[user_id]

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._user_exists(user_id)
        self._hashes[user_id] = password_hash

    async def find_users(self, prefix: str, limit: int) -> list[User]:
        needle = prefix.lower()
        names = sorted(name for name in self._user_by_name if name.startswith(needle))
        return [self._users[self._user_by_name[name]] for name in names[:max(limit, 0)]]

    # messages
    async def post_message(self, room_id: int, author: User, body: str, html: str,
                           client_id: str, *, mentions: Sequence[int] = (),
                           reply_to: int | None = None) -> tuple[Message, bool]:
        row = self._row(room_id)
        if author.id not in row.members:
            raise Forbidden('You are not a member of this room')
        existing = row.by_client.get((author.id, client_id))
        if existing is not None:
            return self._dress(row, existing), False
        for user_id in mentions:
            self._user_exists(user_id)
        message = self._append(row, author.id, body, html, client_id, 'text')
        row.reads[author.id] = message.seq  # one's own message is read
        if mentions:
            row.mentions[message.seq] = tuple(dict.fromkeys(mentions))
        if reply_to is not None:
            self._replies[message.id] = reply_to
        return self._dress(row, message), True

    async def latest(self, room_id: int, limit: int) -> list[Message]:
        messages = self._row(room_id).messages
        return self._dressed(room_id, list(messages[-limit:]) if limit > 0 else [])

    async def before(self, room_id: int, before_seq: int, limit: int) -> list[Message]:
        # seqs are dense from 1, so seq n sits at index n - 1
        messages = self._row(room_id).messages
        end = max(0, min(before_seq - 1, len(messages)))
        return self._dressed(room_id, list(messages[max(0, end - limit):end]))

    async def after(self, room_id: int, after_seq: int, limit: int) -> list[Message]:
        messages = self._row(room_id).messages
        start = max(after_seq, 0)
        return self._dressed(room_id, list(messages[start:start + max(limit, 0)]))

    async def get_message(self, room_id: int, seq: int) -> Message | None:
        messages = self._row(room_id).messages
        return self._dressed(room_id, [messages[seq - 1]])[0] if 0 < seq <= len(messages) else None

    async def deleted_between(self, room_id: int, first_seq: int, last_seq: int) -> list[int]:
        messages = self._row(room_id).messages
        return [m.seq for m in messages[max(first_seq, 1) - 1:max(last_seq, 0)] if m.deleted]

    async def delete_message(self, room_id: int, seq: int) -> bool:
        row = self._row(room_id)
        message = row.messages[seq - 1] if 0 < seq <= len(row.messages) else None
        if message is None or message.kind != 'text' or message.deleted:
            return False
        gone = replace(message, deleted=True, body='', html='', attachment=None)  # its file is released
        row.messages[seq - 1] = gone
        row.by_client[(gone.author_id, gone.client_id)] = gone
        row.edits.pop(seq, None)  # its earlier texts go with it
        self._reactions.pop(gone.id, None)  # and its reactions
        return True

    async def edit_message(self, room_id: int, seq: int, author_id: int, body: str, html: str,
                           at: datetime) -> Message:
        row = self._row(room_id)
        message = row.messages[seq - 1] if 0 < seq <= len(row.messages) else None
        if message is None:
            raise NotFound('No such message')
        if message.kind != 'text':
            raise Forbidden('Notices cannot be edited')
        if message.deleted:
            raise Forbidden('That message was deleted: it cannot be edited')
        if message.author_id != author_id:
            raise Forbidden('You can only edit your own messages')
        row.edits.setdefault(seq, []).append(MessageVersion(body=message.body, html=message.html, replaced_at=at))
        edited = replace(message, body=body, html=html, edited_at=at)
        row.messages[seq - 1] = edited
        row.by_client[(edited.author_id, edited.client_id)] = edited
        return self._dress(row, edited)

    async def edited_between(self, room_id: int, first_seq: int, last_seq: int) -> list[Message]:
        messages = self._row(room_id).messages
        return self._dressed(room_id, [m for m in messages[max(first_seq, 1) - 1:max(last_seq, 0)]
                                       if m.edited and not m.deleted])

    async def edit_history(self, room_id: int, seq: int) -> list[MessageVersion]:
        row = self._rooms.get(room_id)
        return list(row.edits.get(seq, ())) if row is not None else []

    # sessions and sign-in tickets (hostile-auth)
    async def create_session(self, session: AuthSession) -> None:
        if session.user_id not in self._users:
            raise NotFound('No such user')
        if session.id in self._sessions:
            raise Conflict('That session exists')
        self._sessions[session.id] = session

    async def get_session(self, session_id: str) -> AuthSession | None:
        return self._sessions.get(session_id)

    async def touch_session(self, session_id: str, last_seen_at: datetime) -> None:
        if (session := self._sessions.get(session_id)) is not None:
            self._sessions[session_id] = replace(session, last_seen_at=last_seen_at)

    async def take_session(self, session_id: str) -> AuthSession | None:
        return self._sessions.pop(session_id, None)

    async def delete_user_sessions(self, user_id: int, except_id: str | None = None) -> list[str]:
        ended = [s.id for s in self._sessions.values()
                 if s.user_id == user_id and s.kind == 'session' and s.id != except_id]
        for session_id in ended:
            del self._sessions[session_id]
        return ended

    async def purge_sessions(self, now: datetime, idle_before: datetime) -> list[tuple[int, str]]:
        gone = [(s.user_id, s.id) for s in self._sessions.values()
                if s.expires_at <= now or (s.kind == 'session' and s.last_seen_at < idle_before)]
        for _, session_id in gone:
            del self._sessions[session_id]
        return gone


if TYPE_CHECKING:  # mypy checks here that the fake implements the whole port
    _port: Store = MemoryStore()
