"""A message's file as pages see it: where to fetch it (chat_ui/files_api.py serves it) and what to show."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from services.models import Attachment


def file_url(attachment: Attachment, thumb: bool = False) -> str:
    """Where a page fetches a file (or its thumbnail); the name is only for the browser's sake."""
    name = quote(attachment.name, safe='')
    return f'/files/{attachment.id}/thumb/{name}' if thumb else f'/files/{attachment.id}/{name}'


def attachment_payload(attachment: Attachment | None) -> dict[str, Any] | None:
    """What a page needs to show a message's file (message_list.js `attachmentView`), or None."""
    if attachment is None:
        return None
    image = attachment.is_image
    return {'id': attachment.id, 'name': attachment.name, 'size': attachment.size, 'image': image,
            'url': file_url(attachment),
            'thumb': (file_url(attachment, thumb=True) if attachment.thumb_sha256 else file_url(attachment))
            if image else None,
            'width': attachment.width, 'height': attachment.height}
