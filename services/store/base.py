"""The storage port: one Protocol per capability (services/store/ports/), joined here into `Store`.

Every method is one transaction: it commits before it returns, or changes nothing. Writes that span tables
go through `Store.unit()` (ports/conversations.py), one transaction for the whole block.

Unknown ids, the same on every adapter (tests/integration/test_store_contract.py): a method about a room
that does not exist raises NotFound('That room does not exist') (reads included: never an empty list);
one that would write a user's id that does not exist raises NotFound('No such user'). Questions answer
instead: `get_*` return None, `is_member` False, `standing` no role, `rooms_of` [], `remove_member` None
for a non-member. Never a driver exception. Lists "by name" sort by code point, whatever the database's
collation.
"""
from __future__ import annotations

from typing import Protocol

from .ports.attachments import AttachmentStore
from .ports.conversations import ConversationStore, ConversationUnit
from .ports.messages import MessageStore
from .ports.reactions import ReactionStore
from .ports.reads import ReadStore
from .ports.search import SearchStore
from .ports.sessions import SessionStore
from .ports.users import UserStore

__all__ = ['AttachmentStore', 'ConversationStore', 'ConversationUnit', 'MessageStore', 'ReactionStore', 'ReadStore',
           'SearchStore', 'SessionStore', 'Store', 'UserStore']


class Store(UserStore, ConversationStore, MessageStore, SearchStore, SessionStore, ReadStore, ReactionStore,
            AttachmentStore, Protocol):
    """Everything the services keep; a service that needs one capability may ask for that Protocol alone."""

    async def start(self) -> None:
        """Open connections and bring the schema up to date."""

    async def close(self) -> None: ...
