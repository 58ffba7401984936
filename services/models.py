"""Plain data the services hand out. Frozen: a page can keep one without it changing under it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

MessageKind = Literal['text', 'join', 'leave']
PresenceStatus = Literal['online', 'away', 'offline']
# public: anyone may find and join it; private: members only, added by invitation; dm: a 1:1 direct
# message (its key is the two ids); group: a direct message of 3-8 people. dm and group have no name.
RoomKind = Literal['public', 'private', 'dm', 'group']
Role = Literal['owner', 'moderator', 'member']


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    created_at: datetime
    is_admin: bool = False  # the site's administrator: the first account (services/policy.py says what it may do)


@dataclass(frozen=True, slots=True)
class Room:
    id: int
    name: str
    topic: str
    created_by: int | None
    created_at: datetime
    member_count: int = 0
    kind: RoomKind = 'public'


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of a room's history. `seq` is dense per room (1, 2, 3 ...), allocated with the insert.

    `kind` is 'text' for what a person wrote, 'join'/'leave' for the membership notices that are part
    of the same sequence (so catch-up after a gap brings them back too; 'alice added bob' and 'alice
    removed bob' are 'join'/'leave' notices of bob too). `html` is the body rendered as sanitised
    Markdown once, at write time.
    """

    id: int
    room_id: int
    seq: int
    author_id: int
    author_name: str
    body: str
    html: str
    client_id: str
    created_at: datetime
    kind: MessageKind = 'text'
    deleted: bool = False  # removed by its author or a moderator: body and html are empty, the seq stays
    edited_at: datetime | None = None  # when its author last edited it (None: never); older versions in message_edits
    reactions: tuple[Reaction, ...] = ()  # per emoji, in the order each was first used (history reads fill it)
    reply_to: ReplyRef | None = None  # the message it answers (same room), as that one is now
    attachment: Attachment | None = None  # an image or file posted with it (the body is then an optional caption)

    @property
    def edited(self) -> bool:
        """Whether its author changed it after posting (pages mark it "(edited)")."""
        return self.edited_at is not None


@dataclass(frozen=True, slots=True)
class MessageVersion:
    """A text an edit replaced: what the message said until `replaced_at` (its edit history, oldest first)."""

    body: str
    html: str
    replaced_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    """A member of a room with their role in it."""

    user: User
    role: Role


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a user stands in one room: their role if they are a member (None if not), and whether banned."""

    role: Role | None = None
    banned: bool = False


SessionKind = Literal['session', 'ticket']


@dataclass(frozen=True, slots=True)
class AuthSession:
    """A signed-in browser or API client (kind 'session'), or a one-time sign-in ticket (kind 'ticket').

    `id` is the SHA-256 of the secret token the client holds: the store never sees the token itself.
    A session ends `idle` after `last_seen_at` or at `expires_at`, whichever comes first; a ticket at
    `expires_at`. `binding` ties a ticket to the browser that asked for it ('' for sessions).
    """

    id: str
    user_id: int
    kind: SessionKind
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    binding: str = ''


UNREAD_CAP = 1000  # unread and mention counts stop here (a badge shows "999+"; counting further costs a scan)
RECEIPTS_MAX_MEMBERS = 50  # rooms with more members show no read receipts


@dataclass(frozen=True, slots=True)
class ReadState:
    """Where a member stands in one conversation: how far they read and what is new since (services/reads.py)."""

    room_id: int
    last_read_seq: int
    unread: int  # text messages, not deleted, by someone else, seq > last_read_seq (capped at UNREAD_CAP)
    mentions: int  # messages mentioning the user (or @room), not deleted, seq > last_read_seq (capped the same)
    muted: bool
    # the room's newest seq when these were counted: a page adds only later messages to them (read alongside, not
    # part of the state's identity)
    last_seq: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Receipt:
    """A member who sends read receipts and how far they read in a room."""

    user_id: int
    username: str
    seq: int  # their read position in the room
@dataclass(frozen=True, slots=True)
class Reaction:
    """One emoji under a message: how many reacted with it, who (ids and names, in the order they reacted)."""

    emoji: str
    count: int
    user_ids: tuple[int, ...] = ()
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReplyRef:
    """The message a reply answers, as it is now: its seq, author and the first line of its text (plain, short);
    `deleted` (then the excerpt is empty) once it was deleted."""

    seq: int
    author: str
    excerpt: str
    deleted: bool = False
@dataclass(frozen=True, slots=True)
class Attachment:
    """A file posted with a message (services/uploads.py). The bytes are blobs (services/blobs/), named by their
    SHA-256: `sha256` the file as served (an image re-encoded, without its metadata), `thumb_sha256` an image's
    thumbnail. `name` is safe to show and to put in a header (no path, no control characters); `mime` was sniffed
    from the bytes, never taken from the name."""

    id: int
    name: str
    mime: str
    size: int
    sha256: str
    thumb_sha256: str | None = None
    width: int | None = None  # images only: the full size in pixels
    height: int | None = None

    @property
    def is_image(self) -> bool:
        return self.mime.startswith('image/')


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An attachment with what deciding who may fetch it needs: its room, and whether its message was deleted."""

    attachment: Attachment
    room_id: int
    message_id: int
    uploader_id: int
    deleted: bool
