"""The search page's filter controls: conversation, author and dates, which rewrite the query's filters.

They show what the query says (services.search_query.filters_of) and "Apply filters" opens the search with the
query rewritten (with_filters): a room becomes `in:name`; a direct message, which has no name to write, goes in
the page's `room` parameter instead.
"""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.errors import ValidationError
from services.models import User
from services.search_query import ParsedQuery, filters_of, with_filters

from .search_box import search_url

ALL = ''  # the select's key for every conversation; 'in:<name>' a room, 'id:<id>' a direct message


async def conversation_options(services: Services, user: User) -> dict[str, str]:
    """The conversations the select offers: my rooms by name, then my direct messages by title."""
    rooms = await services.rooms.list_joined(user)
    dms = await services.conversations.list_dms(user)
    return {ALL: 'All conversations'} | {f'in:{room.name}': f'#{room.name}' for room in rooms} \
        | {f'id:{dm.room.id}': dm.title for dm in dms}


async def search_filters(services: Services, user: User, raw: str, parsed: ParsedQuery | None,
                         room_id: int | None) -> None:
    """Add the controls for the query `raw` (parsed, or None when it is bad) and the page's `room_id`."""
    values = filters_of(parsed) if parsed is not None else {'author': '', 'room': '', 'after': '', 'before': ''}
    options = await conversation_options(services, user)
    current = f'id:{room_id}' if room_id is not None else f'in:{values["room"].lower()}' if values['room'] else ALL
    if current not in options:  # in: names a room I am not in (it finds nothing): keep it as it is
        options[current] = f'#{values["room"]}' if current.startswith('in:') else 'That conversation'

    with ui.row().classes('w-full items-end gap-2').mark('search-filters'):
        where = ui.select(options, value=current, label='Conversation').props('outlined dense options-dense') \
            .classes('min-w-[12rem]')
        author = ui.input('From', value=values['author'], placeholder='username').props('outlined dense') \
            .classes('w-36')
        after = ui.input('After', value=values['after']).props('outlined dense stack-label type=date').classes('w-40')
        before = ui.input('Before', value=values['before']).props('outlined dense stack-label type=date') \
            .classes('w-40')

        def apply() -> None:
            key = str(where.value or ALL)
            try:
                query = with_filters(raw, author=author.value or '', room=key[3:] if key.startswith('in:') else '',
                                     after=after.value or '', before=before.value or '')
            except ValidationError as e:
                ui.notification(str(e), type='negative')
                return
            ui.navigate.to(search_url(query, int(key[3:]) if key.startswith('id:') else None))

        ui.button('Apply filters', on_click=apply).props('unelevated no-caps')
        author.on('keydown.enter', apply)
