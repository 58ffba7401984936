"""A room page is small on the server: every NiceGUI element costs memory on every open page (issue 10, ask 4).

The live parts (typing line, member panel and count, topic) are one element rendered in the browser; the drawer's
head and room list are one HTML element; the brand colour is set once for the app, not per page.
"""
from __future__ import annotations

from nicegui.testing import User

from .conftest import sign_up

# 28 before the live chrome moved into room_live.js; 17 with the drawer's buttons as HTML; +1 the header's search box;
# +1 "Attach file" (uploader.js: button, file chooser, drop, paste and progress bars in one element)
MAX_ELEMENTS = 19


async def test_a_room_page_has_few_elements(user: User) -> None:
    await sign_up(user, 'alice')
    assert user.client is not None
    kinds = sorted(type(e).__name__ for e in user.client.elements.values())
    assert len(kinds) <= MAX_ELEMENTS, kinds
