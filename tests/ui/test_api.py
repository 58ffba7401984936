"""The JSON API against the real `main.py` in a subprocess (no User fixture): sign in, open a room, post."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import App, running_app, services_on

PASSWORD = 'correct horse'


async def _seed(data_dir: Path) -> int:
    async with services_on(data_dir) as services:
        await services.accounts.sign_up('alice', PASSWORD)
        bob = await services.accounts.sign_up('bob', PASSWORD)
        return (await services.rooms.create_room(bob, 'bobs-room')).id


@pytest.fixture
def api_app(tmp_path: Path) -> Iterator[tuple[App, int]]:
    bobs_room = asyncio.run(_seed(tmp_path / 'data'))
    with running_app(tmp_path / 'data') as server:
        yield server, bobs_room


def sign_in(client: httpx.Client, username: str = 'alice', password: str = PASSWORD) -> httpx.Response:
    return client.post('/api/session', json={'username': username, 'password': password})


def test_sign_in_gives_a_session_that_opens_rooms(api_app: tuple[App, int]) -> None:
    app, _ = api_app
    with httpx.Client(base_url=app.url, timeout=10) as client:
        assert client.get('/room/1').status_code == 303  # not signed in yet: to /login
        response = sign_in(client)
        assert response.status_code == 204
        assert 'session' in client.cookies  # NiceGUI's session cookie holds the storage id
        page = client.get('/room/1')
        assert page.status_code == 200
        assert 'general' in page.text
        assert client.delete('/api/session').status_code == 204
        assert client.get('/room/1').status_code == 303


def test_wrong_password_is_401(api_app: tuple[App, int]) -> None:
    app, _ = api_app
    with httpx.Client(base_url=app.url, timeout=10) as client:
        response = sign_in(client, password='wrong password')
        assert response.status_code == 401
        assert response.json() == {'detail': 'Wrong username or password'}
        assert sign_in(client, username='nobody').status_code == 401
        assert client.post('/api/session', content=b'not json').status_code == 422
        assert client.get('/room/1').status_code == 303


def test_post_message(api_app: tuple[App, int]) -> None:
    app, bobs_room = api_app
    with httpx.Client(base_url=app.url, timeout=10) as client:
        assert client.post('/api/rooms/1/messages', json={'body': 'hi', 'client_id': 'c1'}).status_code == 401
        sign_in(client)
        first = client.post('/api/rooms/1/messages', json={'body': 'hello', 'client_id': 'c1'})
        assert first.status_code == 201
        seq = first.json()['seq']
        again = client.post('/api/rooms/1/messages', json={'body': 'hello', 'client_id': 'c1'})
        assert again.json() == {'seq': seq}  # idempotent on the client id
        second = client.post('/api/rooms/1/messages', json={'body': 'again', 'client_id': 'c2'})
        assert second.json()['seq'] == seq + 1
        assert client.post(f'/api/rooms/{bobs_room}/messages', json={'body': 'x', 'client_id': 'c3'}).status_code == 403
        assert client.post('/api/rooms/1/messages', json={'body': '  ', 'client_id': 'c4'}).status_code == 422
        assert client.post('/api/rooms/1/messages', json={'body': 'x', 'client_id': 'bad id!'}).status_code == 422
        assert client.post('/api/rooms/999/messages', json={'body': 'x', 'client_id': 'c5'}).status_code == 404


def test_repeated_wrong_passwords_are_slowed_down_with_retry_after(api_app: tuple[App, int]) -> None:
    app, _ = api_app
    with httpx.Client(base_url=app.url, timeout=10) as client:
        codes = [sign_in(client, password='wrong password').status_code for _ in range(6)]
        assert codes[:5] == [401] * 5
        locked = sign_in(client)  # even the right password waits out the lockout
        assert locked.status_code == 429, codes
        assert 'Too many sign-in attempts' in locked.json()['detail']
        assert int(locked.headers['Retry-After']) >= 1
