"""Host names the app answers to (DNS rebinding defence, chat_ui/hosts.py)."""
from __future__ import annotations

import pytest

from chat_ui.hosts import host_allowed, known_hosts
from services.config import Settings

KNOWN = known_hosts(Settings.from_env({'CHAT_ALLOWED_ORIGINS': 'https://chat.example:8443',
                                       'CHAT_ALLOWED_HOSTS': 'intranet.local', 'CHAT_HOST': 'chatbox'}))


@pytest.mark.parametrize('host', ['localhost', 'LOCALHOST:8080', 'chat.example', 'chat.example:8443', 'intranet.local',
                                  'chatbox:8080', '127.0.0.1:8080', '10.1.2.3', '[::1]:8080', '[2001:db8::1]', None,
                                  'localhost.'])
def test_known_names_and_any_address_pass(host: str | None) -> None:
    assert host_allowed(host, KNOWN)


@pytest.mark.parametrize('host', ['evil.example', 'evil.example:8080', 'chat.example.evil.example', 'localhost.evil',
                                  '', ':8080', '[::1', 'user@localhost'])
def test_other_names_are_refused(host: str) -> None:
    assert not host_allowed(host, KNOWN)
