"""The wire format: a golden example per event (as Zulip's check_events), round trips, strict decoding.

A golden example pins an event's shape on the wire. If it changes, other instances, the browser and the
bench clients see a different payload: bump the event's version in services/wire.py and update the example.
"""
import json
import typing
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services import events, wire
from services.events import (
    Event,
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
from services.models import Attachment, Message, Reaction, ReplyRef, Room
from services.wire import WireError

WHEN = datetime(2026, 11, 30, 1, 2, 3, 456789, tzinfo=UTC)
MESSAGE = Message(id=7, room_id=2, seq=41, author_id=3, author_name='alice', body='hi **there**',
                  html='<p>hi <strong>there</strong></p>', client_id='c-1', created_at=WHEN)
ROOM = Room(id=2, name='dev', topic='Shipping', created_by=None, created_at=WHEN, member_count=5)

# (event, its golden wire form): one entry per event type. Literals on purpose: no helper builds them.
GOLDEN: list[tuple[Event, dict[str, Any]]] = [
    (MessagePosted(MESSAGE), {
        'v': 4, 'type': 'message.posted',
        'message': {'id': 7, 'room_id': 2, 'seq': 41, 'author_id': 3, 'author_name': 'alice',
                    'body': 'hi **there**', 'html': '<p>hi <strong>there</strong></p>', 'client_id': 'c-1',
                    'created_at': '2026-11-30T01:02:03.456789+00:00', 'kind': 'text', 'deleted': False,
                    'edited_at': None, 'reactions': [], 'reply_to': None, 'attachment': None},
        'mentions': [],
    }),
    (MembershipChanged(room_id=2, user_id=3, username='alice', joined=True, member_count=6), {
        'v': 1, 'type': 'membership.changed',
        'room_id': 2, 'user_id': 3, 'username': 'alice', 'joined': True, 'member_count': 6,
    }),
    (RoomUpdated(ROOM), {
        'v': 2, 'type': 'room.updated',
        'room': {'id': 2, 'name': 'dev', 'topic': 'Shipping', 'created_by': None,
                 'created_at': '2026-11-30T01:02:03.456789+00:00', 'member_count': 5, 'kind': 'public'},
    }),
    (TypingChanged(room_id=2, user_id=3, username='alice', typing=False), {
        'v': 1, 'type': 'typing.changed', 'room_id': 2, 'user_id': 3, 'username': 'alice', 'typing': False,
    }),
    (PresenceChanged(user_id=3, status='away'), {
        'v': 1, 'type': 'presence.changed', 'user_id': 3, 'status': 'away',
    }),
    (RoomCreated(ROOM, creator_id=3), {
        'v': 2, 'type': 'room.created', 'creator_id': 3,
        'room': {'id': 2, 'name': 'dev', 'topic': 'Shipping', 'created_by': None,
                 'created_at': '2026-11-30T01:02:03.456789+00:00', 'member_count': 5, 'kind': 'public'},
    }),
    (SessionsEnded(user_id=3, session_ids=('5e55', 'a1b2')), {
        'v': 1, 'type': 'sessions.ended', 'user_id': 3, 'session_ids': ['5e55', 'a1b2'],
    }),
    (MessageDeleted(room_id=2, seq=41, message_id=7, deleted_by=4), {
        'v': 1, 'type': 'message.deleted', 'room_id': 2, 'seq': 41, 'message_id': 7, 'deleted_by': 4,
    }),
    (RoleChanged(room_id=2, user_id=3, username='alice', role='moderator'), {
        'v': 1, 'type': 'role.changed', 'room_id': 2, 'user_id': 3, 'username': 'alice', 'role': 'moderator',
    }),
    (MemberRemoved(room_id=2, user_id=3, by_username='bob', banned=True), {
        'v': 1, 'type': 'member.removed', 'room_id': 2, 'user_id': 3, 'by_username': 'bob', 'banned': True,
    }),
    (MessageEdited(room_id=2, seq=41, message_id=7, html='<p>hi <em>all</em></p>', edited_at=WHEN), {
        'v': 1, 'type': 'message.edited', 'room_id': 2, 'seq': 41, 'message_id': 7,
        'html': '<p>hi <em>all</em></p>', 'edited_at': '2026-11-30T01:02:03.456789+00:00',
    }),
    (MessagePosted(MESSAGE, mentions=(4, 5)), {
        'v': 4, 'type': 'message.posted',
        'message': {'id': 7, 'room_id': 2, 'seq': 41, 'author_id': 3, 'author_name': 'alice',
                    'body': 'hi **there**', 'html': '<p>hi <strong>there</strong></p>', 'client_id': 'c-1',
                    'created_at': '2026-11-30T01:02:03.456789+00:00', 'kind': 'text', 'deleted': False,
                    'edited_at': None, 'reactions': [], 'reply_to': None, 'attachment': None},
        'mentions': [4, 5],
    }),
    (ReadMoved(room_id=2, user_id=3, username='alice', seq=41, unread=2, mentions=1, receipt=True, last_seq=43), {
        'v': 1, 'type': 'read.moved', 'room_id': 2, 'user_id': 3, 'username': 'alice', 'seq': 41, 'unread': 2,
        'mentions': 1, 'receipt': True, 'last_seq': 43,
    }),
    (MuteChanged(room_id=2, user_id=3, muted=True), {
        'v': 1, 'type': 'mute.changed', 'room_id': 2, 'user_id': 3, 'muted': True,
    }),
    (ReactionChanged(room_id=2, seq=41, message_id=7, emoji='\U0001F44D', user_id=3, username='alice', added=True), {
        'v': 1, 'type': 'reaction.changed', 'room_id': 2, 'seq': 41, 'message_id': 7, 'emoji': '\U0001F44D',
        'user_id': 3, 'username': 'alice', 'added': True,
    }),
    (MessagePosted(replace(MESSAGE, reply_to=ReplyRef(seq=40, author='bob', excerpt='Lunch?', deleted=False),
                           reactions=(Reaction('\U0001F44D', 2, (3, 4), ('alice', 'bob')),))), {
        'v': 4, 'type': 'message.posted',
        'message': {'id': 7, 'room_id': 2, 'seq': 41, 'author_id': 3, 'author_name': 'alice',
                    'body': 'hi **there**', 'html': '<p>hi <strong>there</strong></p>', 'client_id': 'c-1',
                    'created_at': '2026-11-30T01:02:03.456789+00:00', 'kind': 'text', 'deleted': False,
                    'edited_at': None,
                    'reactions': [{'emoji': '\U0001F44D', 'count': 2, 'user_ids': [3, 4], 'names': ['alice', 'bob']}],
                    'reply_to': {'seq': 40, 'author': 'bob', 'excerpt': 'Lunch?', 'deleted': False},
                    'attachment': None},
        'mentions': [],
    }),
    (MessagePosted(Message(id=8, room_id=2, seq=42, author_id=3, author_name='alice', body='', html='',
                           client_id='c-2', created_at=WHEN,
                           attachment=Attachment(id=5, name='cat.png', mime='image/png', size=1234, sha256='ab' * 32,
                                                 thumb_sha256='cd' * 32, width=800, height=600))), {
        'v': 4, 'type': 'message.posted',
        'message': {'id': 8, 'room_id': 2, 'seq': 42, 'author_id': 3, 'author_name': 'alice', 'body': '', 'html': '',
                    'client_id': 'c-2', 'created_at': '2026-11-30T01:02:03.456789+00:00', 'kind': 'text',
                    'deleted': False, 'edited_at': None, 'reactions': [], 'reply_to': None,
                    'attachment': {'id': 5, 'name': 'cat.png', 'mime': 'image/png', 'size': 1234, 'sha256': 'ab' * 32,
                                   'thumb_sha256': 'cd' * 32, 'width': 800, 'height': 600}},
        'mentions': [],
    }),
]


def golden_id(case: tuple[Event, dict[str, Any]]) -> str:
    return type(case[0]).__name__


@pytest.mark.parametrize('case', GOLDEN, ids=golden_id)
def test_golden_example_encodes_and_round_trips(case: tuple[Event, dict[str, Any]]) -> None:
    event, golden = case
    encoded = wire.encode(event)
    assert encoded == golden
    assert json.loads(json.dumps(encoded)) == golden  # plain JSON, nothing Python-only inside
    assert wire.decode(golden) == event
    assert wire.decode(json.loads(json.dumps(encoded))) == event


@pytest.mark.parametrize('case', GOLDEN, ids=golden_id)
def test_documented_schema_matches_the_golden_example(case: tuple[Event, dict[str, Any]]) -> None:
    event, golden = case
    schema = wire.schema(type(event))
    assert schema['properties']['type'] == {'const': golden['type']}
    assert schema['properties']['v'] == {'const': golden['v']}
    assert sorted(schema['required']) == sorted(golden)
    assert set(schema['properties']) == set(golden)


def test_every_event_of_the_union_has_a_spec_and_a_golden_example() -> None:
    union = set(typing.get_args(events.Event))
    assert union, 'services.events.Event is no longer a union of event classes'
    without_spec = sorted(c.__name__ for c in union if wire.spec_of(c) is None)
    assert not without_spec, f'add a wire Spec in services/wire.py for: {without_spec}'
    without_example = sorted(c.__name__ for c in union - {type(e) for e, _ in GOLDEN})
    assert not without_example, f'add a golden example in tests/unit/test_wire.py for: {without_example}'
    names = [wire.spec_of(c).name for c in union]  # type: ignore[union-attr]
    assert len(names) == len(set(names)), 'two events share a wire name'


def test_datetimes_keep_their_offset_and_a_naive_one_is_refused() -> None:
    other_zone = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    event = RoomUpdated(Room(1, 'r', '', 4, other_zone))
    assert wire.decode(wire.encode(event)) == event
    naive = wire.encode(event)
    naive['room']['created_at'] = '2026-01-01T12:00:00'
    with pytest.raises(WireError, match=r'room\.updated\.room\.created_at must carry a UTC offset'):
        wire.decode(naive)


def broken(index: int, change: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(GOLDEN[index][1]))
    change(data)
    return data


BAD: list[tuple[str, object, str]] = [
    ('not an object', ['message.posted'], 'must be an object, got list'),
    ('no type', {'v': 1}, "unknown event type None"),
    ('unknown type', {'v': 1, 'type': 'message.burned'}, "unknown event type 'message.burned'"),
    ('unknown version', broken(4, lambda d: d.update(v=2)), 'presence.changed: unknown version 2'),
    ('version as text', broken(4, lambda d: d.update(v='1')), "unknown version '1'"),
    ('version as bool', broken(4, lambda d: d.update(v=True)), 'unknown version True'),
    ('missing field', broken(4, lambda d: d.pop('status')), 'presence.changed lacks status'),
    ('extra field', broken(4, lambda d: d.update(mood='happy')), 'has unknown field.s. mood'),
    ('nested missing', broken(0, lambda d: d['message'].pop('seq')), r'message\.posted\.message lacks seq'),
    ('nested extra', broken(0, lambda d: d['message'].update(x=1)), r'message.posted.message has unknown field.s. x'),
    ('int as text', broken(0, lambda d: d['message'].update(seq='41')), r'message\.seq must be integer, got str'),
    ('bool as int', broken(1, lambda d: d.update(joined=1)), r'joined must be boolean, got int'),
    ('int as bool', broken(1, lambda d: d.update(room_id=True)), r'room_id must be integer, got bool'),
    ('float as int', broken(1, lambda d: d.update(member_count=6.0)), 'member_count must be integer, got float'),
    ('null where required', broken(3, lambda d: d.update(username=None)), 'username must be string, got null'),
    ('status not allowed', broken(4, lambda d: d.update(status='busy')), "status must be one of 'online', 'away'"),
    ('kind not allowed', broken(0, lambda d: d['message'].update(kind='html')), "kind must be one of 'text'"),
    ('date not a date', broken(2, lambda d: d['room'].update(created_at='yesterday')), "created_at must be an ISO"),
    ('date as number', broken(2, lambda d: d['room'].update(created_at=0)), 'created_at must be an ISO 8601 '
                                                                             'date-time string, got int'),
    ('nested not object', broken(2, lambda d: d.update(room='dev')), r'room\.updated\.room must be an object'),
    ('optional wrong type', broken(2, lambda d: d['room'].update(created_by='3')), 'created_by must be integer'),
    ('array not array', broken(6, lambda d: d.update(session_ids='5e55')), 'session_ids must be an array, got str'),
    ('array item type', broken(6, lambda d: d.update(session_ids=['ok', 3])), r'session_ids\[1\] must be string'),
    ('array too long', broken(6, lambda d: d.update(session_ids=['x'] * 1001)), 'more than 1000 items'),
]


@pytest.mark.parametrize(('data', 'reason'), [(d, r) for _, d, r in BAD], ids=[n for n, _, _ in BAD])
def test_bad_payloads_raise_a_wire_error_that_says_why(data: object, reason: str) -> None:
    with pytest.raises(WireError, match=reason):
        wire.decode(data)


def test_an_event_without_a_spec_cannot_be_encoded() -> None:
    class Unknown:
        pass

    with pytest.raises(TypeError, match='Unknown has no wire spec'):
        wire.encode(Unknown())  # type: ignore[arg-type]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(GOLDEN), data=st.data())
def test_whatever_a_field_holds_decode_answers_an_event_or_a_wire_error(
        case: tuple[Event, dict[str, Any]], data: st.DataObject) -> None:
    payload: dict[str, Any] = json.loads(json.dumps(case[1]))
    target = payload
    nested = [k for k, v in payload.items() if isinstance(v, dict)]
    go_inside: bool = data.draw(st.booleans())
    if nested and go_inside:
        target = payload[data.draw(st.sampled_from(nested))]
    key = data.draw(st.sampled_from([*target, 'extra']))
    if data.draw(st.booleans()):
        target[key] = data.draw(JSON_VALUES)
    else:
        target.pop(key, None)
    try:
        decoded = wire.decode(payload)
    except WireError:
        return
    assert wire.encode(decoded) == payload  # accepted: then it is exactly what the payload says
