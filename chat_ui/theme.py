"""Shared look: one stylesheet for every page."""
from __future__ import annotations

from pathlib import Path

from nicegui import app, ui

CSS = Path(__file__).parent / 'static' / 'chat.css'


def add_theme() -> None:
    ui.add_css(CSS, shared=True)
    app.colors(primary='#2563eb')  # once for the app: a ui.colors element per page costs memory on every page
