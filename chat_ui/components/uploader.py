""""Attach file": one small element in the composer's field (no NiceGUI element per file or per progress bar).

uploader.js does it all in the browser: the button opens the file chooser (a hidden <input type=file>), a file
dropped on the conversation or an image pasted into the composer goes the same way; each file is sent with an
XHR (its progress shown as a bar) to `POST /api/rooms/<id>/files` (chat_ui/files_api.py); a refusal shows as a
notification with the server's sentence. The message then arrives like any other (message_list.js).
"""
from __future__ import annotations

from nicegui import ui


class Uploader(ui.element, component='uploader.js'):
    def __init__(self, room_id: int, max_bytes: int) -> None:
        super().__init__()
        self._props['roomId'] = room_id
        self._props['maxBytes'] = max_bytes
