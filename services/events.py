"""Events published on the bus, only after the transaction that caused them has committed.

Each event names its topic: `room:<id>` for what the viewers of a room need, `user:<id>` for what
concerns one user wherever they are shown (presence).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .models import Message, PresenceStatus, Role, Room


@dataclass(frozen=True, slots=True)
class MessagePosted:
    message: Message
    mentions: tuple[int, ...] = ()  # the users it notifies (its @names; for @room every member but the author)

    @property
    def topic(self) -> str:
        return f'room:{self.message.room_id}'


@dataclass(frozen=True, slots=True)
class MembershipChanged:
    room_id: int
    user_id: int
    username: str
    joined: bool
    member_count: int

    @property
    def topic(self) -> str:
        return f'room:{self.room_id}'


@dataclass(frozen=True, slots=True)
class MessageDeleted:
    """A message was deleted by its author or a moderator: pages show 'message deleted' at its seq."""

    room_id: int
    seq: int
    message_id: int
    deleted_by: int

    @property
    def topic(self) -> str:
        return f'room:{self.room_id}'


@dataclass(frozen=True, slots=True)
class MessageEdited:
    """A message's author edited it: pages replace its html at its seq and mark it edited."""

    room_id: int
    seq: int
    message_id: int
    html: str
    edited_at: datetime

    @property
    def topic(self) -> str:
        return f'room:{self.room_id}'


@dataclass(frozen=True, slots=True)
class RoleChanged:
    """A member's role in a room changed (the owner named or demoted a moderator)."""

    room_id: int
    user_id: int
    username: str
    role: Role

    @property
    def topic(self) -> str:
        return f'room:{self.room_id}'


@dataclass(frozen=True, slots=True)
class RoomUpdated:
    room: Room

    @property
    def topic(self) -> str:
        return f'room:{self.room.id}'


@dataclass(frozen=True, slots=True)
class RoomCreated:
    """A user created a room and is its first member: every page of theirs lists it."""

    room: Room
    creator_id: int

    @property
    def topic(self) -> str:
        return f'user:{self.creator_id}'


@dataclass(frozen=True, slots=True)
class TypingChanged:
    """Ephemeral: never stored. `typing=False` when the user sent their message."""

    room_id: int
    user_id: int
    username: str
    typing: bool

    @property
    def topic(self) -> str:
        return f'room:{self.room_id}'


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    user_id: int
    status: PresenceStatus

    @property
    def topic(self) -> str:
        return f'user:{self.user_id}'


@dataclass(frozen=True, slots=True)
class SessionsEnded:
    """Sessions of a user ended (sign-out, sign out everywhere, a password change, expiry): each open
    page of one of them goes to /login. `session_ids` are the store's ids (hashes), never tokens."""

    user_id: int
    session_ids: tuple[str, ...]

    @property
    def topic(self) -> str:
        return f'user:{self.user_id}'


@dataclass(frozen=True, slots=True)
class MemberRemoved:
    """Someone else removed (or banned) a member: that person's open pages of the room say so and go quiet.
    Published after the MembershipChanged of the same removal."""

    room_id: int
    user_id: int
    by_username: str
    banned: bool

    @property
    def topic(self) -> str:
        return f'user:{self.user_id}'


@dataclass(frozen=True, slots=True)
class ReadMoved:
    """A member's read position in a room moved (their pages update badges; if `receipt`, the room's pages move
    their 'Seen by')."""

    room_id: int
    user_id: int
    username: str
    seq: int
    unread: int
    mentions: int
    receipt: bool  # the user sends receipts and the room has at most RECEIPTS_MAX_MEMBERS members
    last_seq: int = 0  # the room's newest seq when `unread` and `mentions` were counted

    @property
    def topic(self) -> str:
        return f'user:{self.user_id}'


@dataclass(frozen=True, slots=True)
class MuteChanged:
    """A member muted or unmuted a conversation (their pages update the room list)."""

    room_id: int
    user_id: int
    muted: bool

    @property
    def topic(self) -> str:
        return f'user:{self.user_id}'


@dataclass(frozen=True, slots=True)
class ReactionChanged:
    """Someone added (`added`) or took back their reaction `emoji` on the message at `seq`: pages change its chip."""

    room_id: int
    seq: int
    message_id: int
    emoji: str
    user_id: int
    username: str
    added: bool

    @property
    def topic(self) -> str:
        return f'room:{self.room_id}'


Event = (MessagePosted | MembershipChanged | RoomUpdated | RoomCreated | TypingChanged | PresenceChanged
         | SessionsEnded | MessageDeleted | RoleChanged | MemberRemoved | MessageEdited | ReadMoved | MuteChanged
         | ReactionChanged)
