"""Files over HTTP against the real `main.py`: the upload route reads as the bytes stream and stops past the limit;
files are served to members only (everyone else: the 404 of a missing file) with safe headers."""
from __future__ import annotations

import asyncio
import contextlib
import io
import json
import select
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.support import App, running_app, services_on

PASSWORD = 'correct horse battery'


async def _seed(data_dir: Path) -> tuple[int, int]:
    async with services_on(data_dir) as services:
        alice = await services.accounts.sign_up('alice', PASSWORD)
        bob = await services.accounts.sign_up('bob', PASSWORD)
        await services.accounts.sign_up('carol', PASSWORD)
        secret = await services.rooms.create_room(alice, 'secret', private=True)
        await services.membership.invite(alice, secret.id, 'bob')
        general = await services.rooms.default_room(bob)
        return secret.id, general.id


@pytest.fixture(scope='module')
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, int, int]]:
    data = tmp_path_factory.mktemp('files') / 'data'
    data.mkdir()
    secret, general = asyncio.run(_seed(data))
    with running_app(data, CHAT_MAX_UPLOAD_MB='1', CHAT_UPLOAD_QUOTA_MB='3') as app:
        yield app, secret, general


def client(app: App, name: str) -> httpx.Client:
    c = httpx.Client(base_url=app.url, timeout=10)
    assert c.post('/api/session', json={'username': name, 'password': PASSWORD}).status_code == 204
    return c


def png(size: tuple[int, int] = (900, 300)) -> bytes:
    out = io.BytesIO()
    Image.new('RGB', size, (10, 120, 200)).save(out, format='PNG')
    return out.getvalue()


def stored(app: App) -> list[Path]:
    return sorted(p for p in (app.data_dir / 'files').rglob('*') if p.is_file()) \
        if (app.data_dir / 'files').exists() else []


def upload(c: httpx.Client, room: int, name: str, data: bytes, cid: str) -> httpx.Response:
    return c.post(f'/api/rooms/{room}/files', params={'name': name, 'cid': cid}, content=data)


def test_an_image_is_served_to_members_only(site: tuple[App, int, int]) -> None:
    app, secret, _ = site
    alice, bob, carol = client(app, 'alice'), client(app, 'bob'), client(app, 'carol')
    answer = upload(alice, secret, 'cat.png', png(), 'img1')
    assert answer.status_code == 201, answer.text
    url = answer.json()['url']
    assert url == f'/files/{answer.json()["id"]}/cat.png'

    seen = bob.get(url)
    assert seen.status_code == 200 and seen.headers['content-type'] == 'image/png'
    assert seen.headers['x-content-type-options'] == 'nosniff'
    assert seen.headers['content-disposition'].startswith('inline;')
    assert seen.headers['cache-control'].startswith('private')
    assert "sandbox" in seen.headers['content-security-policy']
    with Image.open(io.BytesIO(seen.content)) as im:
        assert im.size == (900, 300)
    thumb = bob.get(url.replace('/cat.png', '/thumb/cat.png'))
    assert thumb.status_code == 200 and thumb.headers['content-type'] == 'image/jpeg'

    missing = alice.get('/files/99999999/cat.png')
    assert missing.status_code == 404
    for outsider in (carol, httpx.Client(base_url=app.url)):  # not a member; not signed in
        refused = outsider.get(url)
        assert (refused.status_code, refused.content) == (404, missing.content)
    for crafted in ('/files/abc/x', '/files/-1/x', f'/files/{"9" * 40}/x', '/files/1/thumb/x'):
        assert carol.get(crafted).status_code == 404


def test_files_other_than_images_are_downloads(site: tuple[App, int, int]) -> None:
    app, _, general = site
    alice = client(app, 'alice')
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    answer = upload(alice, general, '../evil"\r\nX-Injected: 1.svg', svg, 'svg1')
    assert answer.status_code == 201, answer.text
    assert answer.json()['url'].endswith('/evil%22X-Injected%3A%201.svg')
    got = alice.get(answer.json()['url'])
    assert got.status_code == 200 and got.content == svg
    assert got.headers['content-type'].startswith('text/plain')  # never image/svg+xml
    assert got.headers['content-disposition'].startswith('attachment;')
    assert 'x-injected' not in got.headers
    assert got.headers['x-content-type-options'] == 'nosniff'


def raw_upload(app: App, path: str, cookie: str, total: int, chunked: bool) -> tuple[int, dict[str, str], int]:
    """Send up to `total` bytes of body (chunked, or announced with Content-Length) until the server answers: its
    status, JSON body and how many bytes were sent by then. A plain blocking socket: the server closes the
    connection with the rest of the body unread (a reset), and the kernel still hands over the answer received."""
    with socket.create_connection(('127.0.0.1', app.port), timeout=10) as sock:
        head = [f'POST {path} HTTP/1.1', f'Host: 127.0.0.1:{app.port}', f'Cookie: {cookie}',
                'Content-Type: application/octet-stream',
                'Transfer-Encoding: chunked' if chunked else f'Content-Length: {total}']
        sock.sendall(('\r\n'.join(head) + '\r\n\r\n').encode())
        sent = 0
        piece = b'x' * 65536
        try:
            while sent < total and not select.select([sock], [], [], 0.005)[0]:
                sock.sendall(b'%x\r\n%s\r\n' % (len(piece), piece) if chunked else piece)
                sent += len(piece)
        except OSError:  # reset: the server stopped reading
            pass
        answer = b''
        with contextlib.suppress(OSError):
            while b'\r\n\r\n' not in answer or len(answer.split(b'\r\n\r\n', 1)[1]) < _length(answer):
                more = sock.recv(65536)
                if not more:
                    break
                answer += more
    head_text, _, body = answer.partition(b'\r\n\r\n')
    return int(head_text.split()[1]), json.loads(body[:_length(answer)]), sent


def _length(answer: bytes) -> int:
    for line in answer.split(b'\r\n\r\n', 1)[0].split(b'\r\n'):
        name, _, value = line.partition(b':')
        if name.strip().lower() == b'content-length':
            return int(value)
    return 1 << 30


@pytest.mark.parametrize('chunked', [True, False])
def test_a_file_past_the_limit_is_refused_while_it_streams_and_nothing_is_kept(
        site: tuple[App, int, int], chunked: bool) -> None:
    app, _, general = site
    alice = client(app, 'alice')
    cookie = '; '.join(f'{k}={v}' for k, v in alice.cookies.items())
    before = stored(app)
    total = 20 * 1024 * 1024
    status, body, sent = raw_upload(app, f'/api/rooms/{general}/files?name=big.bin&cid=big{int(chunked)}', cookie,
                                    total, chunked)
    assert (status, body) == (413, {'detail': 'That file is larger than 1 MB'})
    assert sent < total  # answered long before the body ended
    assert stored(app) == before and list((app.data_dir / 'incoming').glob('*')) == []
    latest = alice.get('/login')  # the server still answers
    assert latest.status_code in (200, 303)


def test_the_quota_and_the_origin_are_checked(site: tuple[App, int, int]) -> None:
    app, _, general = site
    bob = client(app, 'bob')
    foreign = bob.post(f'/api/rooms/{general}/files', params={'name': 'a.txt', 'cid': 'x1'}, content=b'hi',
                       headers={'Origin': 'https://evil.example'})
    assert foreign.status_code == 403
    sizes = []
    for i in range(5):
        answer = upload(bob, general, f'part{i}.bin', bytes([i]) * 900_000, f'q{i}')
        sizes.append(answer.status_code)
        if answer.status_code != 201:
            assert answer.status_code == 413 and 'You have used your 3 MB for files' in answer.json()['detail']
            break
    assert sizes == [201, 201, 201, 413]
    assert upload(bob, 999_999, 'a.txt', b'hi', 'n1').status_code == 404
    assert upload(bob, general, 'a.txt', b'hi', 'bad id!').status_code == 400
    assert httpx.post(f'{app.url}/api/rooms/{general}/files', params={'name': 'a', 'cid': 'c'},
                      content=b'hi').status_code == 401
