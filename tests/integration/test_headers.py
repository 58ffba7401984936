"""Security headers on every response of the real app, and the session cookie's attributes."""
from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from nicegui import __version__ as nicegui_version

from tests.support import App, running_app

EXPECTED = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
}
STRICT_REFERRERS = {'no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'}


@pytest.fixture(scope='module')
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with running_app(tmp_path_factory.mktemp('headers') / 'data') as server:
        yield server


def assert_hardened(response: httpx.Response) -> None:
    where = f'{response.request.method} {response.request.url.path} ({response.status_code})'
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f'{where}: {name} = {response.headers.get(name)!r}'
    assert response.headers.get('referrer-policy') in STRICT_REFERRERS, where
    csp = response.headers.get('content-security-policy', '')
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(';') if part.strip()}
    assert directives.get('frame-ancestors') in (["'self'"], ["'none'"]), f'{where}: CSP {csp!r}'


@pytest.mark.parametrize('path', [
    '/login',
    '/',  # a redirect
    f'/_nicegui/{nicegui_version}/static/nicegui.css',  # a static asset
    '/no/such/page',  # NiceGUI's 404 page
    '/_nicegui_ws/socket.io/?EIO=4&transport=polling',  # the Socket.IO endpoint itself
])
def test_every_response_carries_the_security_headers(app: App, path: str) -> None:
    response = httpx.get(app.url + path, timeout=10)
    assert response.status_code in (200, 303, 307, 404), response.status_code
    assert_hardened(response)


def test_api_errors_and_refusals_carry_them_too(app: App) -> None:
    assert_hardened(httpx.post(app.url + '/api/session', json={}, timeout=10))
    assert_hardened(httpx.get(app.url + '/_nicegui_ws/socket.io/?EIO=4&transport=polling',
                              headers={'Origin': 'http://evil.example'}, timeout=10))


def test_a_static_asset_is_not_sniffed(app: App) -> None:
    response = httpx.get(f'{app.url}/_nicegui/{nicegui_version}/static/nicegui.css', timeout=10)
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/css')
    assert response.headers['x-content-type-options'] == 'nosniff'


def test_session_cookie_is_httponly_and_samesite_lax(app: App) -> None:
    response = httpx.get(app.url + '/login', timeout=10)
    cookies = [value for name, value in response.headers.multi_items() if name == 'set-cookie']
    session = [c for c in cookies if c.startswith('session=')]
    assert session, f'no session cookie in {cookies}'
    attributes = {part.strip().split('=')[0].lower(): part.strip() for part in session[0].split(';')[1:]}
    assert 'httponly' in attributes
    assert re.fullmatch(r'samesite=lax', attributes.get('samesite', ''), re.IGNORECASE), attributes
    assert 'secure' not in attributes  # plain HTTP here: a Secure cookie would never come back


def test_session_cookie_is_secure_behind_https(app: App) -> None:
    # uvicorn trusts X-Forwarded-Proto from 127.0.0.1 (its default forwarded_allow_ips): the request is HTTPS
    response = httpx.get(app.url + '/login', headers={'X-Forwarded-Proto': 'https'}, timeout=10)
    session = [v for n, v in response.headers.multi_items() if n == 'set-cookie' and v.startswith('session=')]
    assert session and 'secure' in [p.strip().lower() for p in session[0].split(';')], session
