"""The wire format of events: one definition of each event's name, version and payload shape.

An event travels as plain JSON: `{"v": <version>, "type": "<name>", <field>: <value>, ...}` with the
event dataclass's fields beside `v` and `type`, nested dataclasses as objects, datetimes as ISO 8601
strings with their offset. The payload shape is the event dataclass itself (services/events.py and the
models it holds): the codec below is compiled from its type hints, so there is no second list of field
names to drift. What pins the shape is tests/unit/test_wire.py: a golden example per event. Changing a
field changes that example; then bump the event's version here (and, if old senders must still be
understood during a rolling upgrade, add an upgrade step for the old version).

The Redis bus uses it between instances; the browser component and the bench clients are meant to use
the same names and shapes (`schema()` describes them as JSON Schema).
"""
from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import events
from .events import Event

Json = Any  # a value json.dumps accepts: dict, list, str, int, float, bool, None


class WireError(ValueError):
    """A payload that is not a known event of a known version with exactly the right fields."""


@dataclass(frozen=True, slots=True)
class Spec:
    """One event on the wire: its name, its current version and the dataclass that gives its shape."""

    name: str
    version: int
    cls: type


SPECS: tuple[Spec, ...] = (
    # v2: Message.deleted; v3: Message.edited_at; v4: mentions, Message.reactions, .reply_to, .attachment
    Spec('message.posted', 4, events.MessagePosted),
    Spec('membership.changed', 1, events.MembershipChanged),
    Spec('room.updated', 2, events.RoomUpdated),  # v2: Room.kind
    Spec('room.created', 2, events.RoomCreated),  # v2: Room.kind
    Spec('typing.changed', 1, events.TypingChanged),
    Spec('presence.changed', 1, events.PresenceChanged),
    Spec('sessions.ended', 1, events.SessionsEnded),
    Spec('message.deleted', 1, events.MessageDeleted),
    Spec('role.changed', 1, events.RoleChanged),
    Spec('member.removed', 1, events.MemberRemoved),
    Spec('message.edited', 1, events.MessageEdited),
    Spec('read.moved', 1, events.ReadMoved),
    Spec('mute.changed', 1, events.MuteChanged),
    Spec('reaction.changed', 1, events.ReactionChanged),
)

_RESERVED = {'v', 'type'}


@dataclass(frozen=True, slots=True)
class _Codec:
    encode: Callable[[Any], Json]
    decode: Callable[[Json, str], Any]  # (value, path for error messages) -> value
    schema: dict[str, Any]


def _kind(value: object) -> str:
    return 'null' if value is None else type(value).__name__


def _scalar(cls: type, json_type: str) -> _Codec:
    def decode(value: Json, path: str) -> Any:
        # bool is a subclass of int in Python, not on the wire
        if type(value) is not cls and not (cls is float and type(value) is int):
            raise WireError(f'{path} must be {json_type}, got {_kind(value)}')
        return float(typing.cast(float, value)) if cls is float else value

    return _Codec(lambda value: value, decode, {'type': json_type})


def _datetime() -> _Codec:
    def decode(value: Json, path: str) -> datetime:
        if not isinstance(value, str):
            raise WireError(f'{path} must be an ISO 8601 date-time string, got {_kind(value)}')
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise WireError(f'{path} must be an ISO 8601 date-time string, got {value!r}') from None
        if parsed.tzinfo is None:
            raise WireError(f'{path} must carry a UTC offset, got {value!r}')
        return parsed

    return _Codec(lambda value: value.isoformat(), decode, {'type': 'string', 'format': 'date-time'})


def _literal(allowed: tuple[Any, ...]) -> _Codec:
    def decode(value: Json, path: str) -> Any:
        # compare with types too: True == 1 must not pass for a Literal[1]
        if not any(type(value) is type(a) and value == a for a in allowed):
            raise WireError(f'{path} must be one of {", ".join(map(repr, allowed))}, got {value!r}')
        return value

    return _Codec(lambda value: value, decode, {'enum': list(allowed)})


def _optional(inner: _Codec) -> _Codec:
    def encode(value: Any) -> Json:
        return None if value is None else inner.encode(value)

    def decode(value: Json, path: str) -> Any:
        return None if value is None else inner.decode(value, path)

    return _Codec(encode, decode, {'anyOf': [inner.schema, {'type': 'null'}]})


def _sequence(inner: _Codec, limit: int = 1000) -> _Codec:
    """A homogeneous tuple (`tuple[X, ...]`) as a JSON array of at most `limit` items."""

    def encode(value: Any) -> Json:
        return [inner.encode(item) for item in value]

    def decode(value: Json, path: str) -> Any:
        if not isinstance(value, list):
            raise WireError(f'{path} must be an array, got {_kind(value)}')
        if len(value) > limit:
            raise WireError(f'{path} has more than {limit} items')
        return tuple(inner.decode(item, f'{path}[{i}]') for i, item in enumerate(value))

    return _Codec(encode, decode, {'type': 'array', 'items': inner.schema, 'maxItems': limit})


def _record(cls: type) -> _Codec:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    codecs = {name: _compile(hints[name]) for name in names}
    expected = set(names)

    def encode(value: Any) -> Json:
        return {name: codecs[name].encode(getattr(value, name)) for name in names}

    def decode(value: Json, path: str) -> Any:
        if not isinstance(value, dict):
            raise WireError(f'{path} must be an object, got {_kind(value)}')
        _exact_keys(value.keys(), expected, path)
        return cls(**{name: codecs[name].decode(value[name], f'{path}.{name}') for name in names})

    schema = {'type': 'object', 'additionalProperties': False, 'required': names,
              'properties': {name: codecs[name].schema for name in names}}
    return _Codec(encode, decode, schema)


def _exact_keys(keys: Iterable[str], expected: set[str], path: str) -> None:
    given = set(keys)
    if missing := expected - given:
        raise WireError(f'{path} lacks {", ".join(sorted(missing))}')
    if extra := given - expected:
        raise WireError(f'{path} has unknown field(s) {", ".join(sorted(map(str, extra)))}')


def _compile(tp: Any) -> _Codec:
    """The codec for one type hint of an event or model field; a type the wire cannot carry is refused."""
    origin = typing.get_origin(tp)
    if tp is bool or tp is int or tp is float or tp is str:
        return _scalar(tp, {bool: 'boolean', int: 'integer', float: 'number', str: 'string'}[tp])
    if tp is datetime:
        return _datetime()
    if origin is typing.Literal:
        return _literal(typing.get_args(tp))
    if origin is types.UnionType or origin is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return _optional(_compile(args[0]))
    if origin is tuple and len(typing.get_args(tp)) == 2 and typing.get_args(tp)[1] is Ellipsis:
        return _sequence(_compile(typing.get_args(tp)[0]))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _record(tp)
    raise TypeError(f'the wire format cannot carry {tp!r}: add a codec for it in services/wire.py')


def _build() -> tuple[dict[type, tuple[Spec, _Codec]], dict[str, tuple[Spec, _Codec]]]:
    by_class: dict[type, tuple[Spec, _Codec]] = {}
    by_name: dict[str, tuple[Spec, _Codec]] = {}
    for spec in SPECS:
        if _RESERVED & {f.name for f in dataclasses.fields(spec.cls)}:
            raise TypeError(f'{spec.cls.__name__} may not have a field named v or type (the envelope uses them)')
        entry = (spec, _record(spec.cls))
        by_class[spec.cls] = by_name[spec.name] = entry
    return by_class, by_name


_BY_CLASS, _BY_NAME = _build()


def spec_of(cls: type) -> Spec | None:
    """The wire spec of an event class, or None when it has none (tests/unit/test_wire.py fails then)."""
    entry = _BY_CLASS.get(cls)
    return entry[0] if entry else None


def encode(event: Event) -> dict[str, Json]:
    """The event as a JSON-safe dict with its `v` and `type`; TypeError for an event without a spec."""
    entry = _BY_CLASS.get(type(event))
    if entry is None:
        raise TypeError(f'{type(event).__name__} has no wire spec: add it to SPECS in services/wire.py')
    spec, codec = entry
    return {'v': spec.version, 'type': spec.name, **codec.encode(event)}


def decode(data: object) -> Event:
    """The event a dict received from elsewhere stands for; WireError says what is wrong with it."""
    if not isinstance(data, dict):
        raise WireError(f'an event must be an object, got {_kind(data)}')
    name, version = data.get('type'), data.get('v')
    if not isinstance(name, str) or (entry := _BY_NAME.get(name)) is None:
        raise WireError(f'unknown event type {name!r}')
    spec, codec = entry
    if type(version) is not int or version != spec.version:
        raise WireError(f'{name}: unknown version {version!r} (this instance speaks v{spec.version})')
    fields = {k: v for k, v in data.items() if k not in _RESERVED}
    event: Event = codec.decode(fields, name)
    return event


def schema(cls: type) -> dict[str, Any]:
    """The JSON Schema of an event class on the wire (envelope included), for documentation and clients."""
    entry = _BY_CLASS.get(cls)
    if entry is None:
        raise TypeError(f'{cls.__name__} has no wire spec')
    spec, codec = entry
    body = codec.schema
    return {
        'title': spec.name, 'type': 'object', 'additionalProperties': False,
        'required': ['v', 'type', *body['required']],
        'properties': {'v': {'const': spec.version}, 'type': {'const': spec.name}, **body['properties']},
    }
