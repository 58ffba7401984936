"""User-fixture tests run the real `main.py` in-process, each on a fresh data directory."""
from __future__ import annotations

from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User, UserInteraction


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / 'data'
    monkeypatch.setenv('CHAT_DATA_DIR', str(data))
    return data


def field(user: User, label: str) -> UserInteraction[ui.input]:
    """The input with this label (error texts may mention the label too)."""
    return user.find(kind=ui.input, content=label)


def press(user: User, label: str) -> None:
    user.find(kind=ui.button, content=label).click()


async def sign_up(user: User, name: str, password: str = 'correct horse') -> None:
    await user.open('/login')
    field(user, 'Username').type(name)
    field(user, 'Password').type(password)
    press(user, 'Create account')
    await user.should_see('Members', retries=50)  # landed in a room page
