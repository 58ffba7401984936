"""What an uploaded file is, from its bytes: names made safe, images re-encoded without metadata, hostile files."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from services import file_checks
from services.errors import ValidationError
from services.file_checks import MAX_NAME, clean_name, inspect

GPS_TAG = 0x8825


def photo(fmt: str = 'JPEG', size: tuple[int, int] = (640, 480), exif: bool = True) -> bytes:
    """A picture with EXIF (a camera, GPS coordinates) and a comment, as a phone would send."""
    im = Image.new('RGB', size, (200, 30, 30))
    out = io.BytesIO()
    options: dict[str, object] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = 'SpyCam'  # Make
        data[0x0112] = 1  # Orientation
        gps = data.get_ifd(GPS_TAG)
        gps[1] = 'N'
        gps[2] = (48.0, 51.0, 29.0)
        options['exif'] = data.tobytes()
    if fmt == 'GIF':
        options = {'comment': b'secret comment'}
    im.save(out, format=fmt, **options)
    return out.getvalue()


def write(tmp_path: Path, data: bytes, name: str = 'upload') -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_any_name_becomes_a_safe_one(raw: str) -> None:
    name = clean_name(raw)
    assert 0 < len(name) <= MAX_NAME
    assert '/' not in name and '\\' not in name
    assert name not in ('.', '..') and not name.startswith((' ', '.')) and not name.endswith((' ', '.'))
    assert all(ch.isprintable() or ch == ' ' for ch in name), repr(name)
    assert '\u202e' not in name and '\n' not in name and '\x00' not in name
    assert clean_name(name) == name  # cleaning is stable


@pytest.mark.parametrize(('raw', 'clean'), [
    ('../../etc/passwd', 'passwd'),
    ('C:\\Users\\me\\cat.png', 'cat.png'),
    ('report\u202egpj.exe', 'reportgpj.exe'),  # the right-to-left override that disguises an extension
    ('a\x00b\r\nc.txt', 'abc.txt'),
    ('   ..  ', 'file'),
    ('', 'file'),
    (None, 'file'),
    ('x' * 500 + '.pdf', 'x' * (MAX_NAME - 4) + '.pdf'),
])
def test_names_lose_paths_controls_and_excess(raw: object, clean: str) -> None:
    assert clean_name(raw) == clean


@pytest.mark.parametrize('fmt', ['JPEG', 'PNG', 'WEBP', 'GIF'])
def test_an_image_is_re_encoded_without_exif_gps_or_comments(tmp_path: Path, fmt: str) -> None:
    found = inspect(write(tmp_path, photo(fmt)), 'holiday')
    assert found.mime == file_checks.FORMATS[fmt]
    assert found.data is not None and (found.width, found.height) == (640, 480)
    assert found.name == 'holiday' + file_checks.EXTENSIONS[fmt]
    assert b'SpyCam' not in found.data and b'secret comment' not in found.data
    with Image.open(io.BytesIO(found.data)) as im:
        assert im.format == fmt
        assert not im.getexif() and 'exif' not in im.info and 'comment' not in im.info
    assert found.thumb is not None  # 640 px: larger than a thumbnail
    with Image.open(io.BytesIO(found.thumb)) as small:
        assert max(small.size) == file_checks.THUMB


def test_a_small_image_is_its_own_thumbnail(tmp_path: Path) -> None:
    found = inspect(write(tmp_path, photo('PNG', (32, 20))), 'icon.png')
    assert found.thumb is None and (found.width, found.height) == (32, 20)


def test_the_bytes_decide_not_the_extension(tmp_path: Path) -> None:
    png_called_jpg = inspect(write(tmp_path, photo('PNG')), 'photo.jpg')
    assert png_called_jpg.mime == 'image/png' and png_called_jpg.name == 'photo.png'
    text_called_png = inspect(write(tmp_path, b'just some words\n'), 'picture.png')
    assert text_called_png.mime == 'text/plain; charset=utf-8' and text_called_png.data is None
    assert inspect(write(tmp_path, b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), 'a.pdf').mime == 'application/pdf'
    assert inspect(write(tmp_path, bytes(range(256)) * 4), 'a.png').mime == 'application/octet-stream'


def test_an_svg_with_script_is_never_an_image(tmp_path: Path) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    found = inspect(write(tmp_path, svg), 'logo.svg')
    assert found.mime == 'text/plain; charset=utf-8' and found.data is None  # served as a download only


def test_a_polyglot_keeps_only_its_pixels(tmp_path: Path) -> None:
    """A GIF that is also HTML/JavaScript (bytes after the image's end): re-encoding drops the payload."""
    payload = b'<script>alert(1)</script><html><body onload=alert(2)>'
    found = inspect(write(tmp_path, photo('GIF', (16, 16), exif=False) + payload), 'x.gif')
    assert found.data is not None and payload not in found.data and b'<script' not in found.data


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels (a decompression bomb's calling card)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(b'\x00' * 64)) + \
        chunk(b'IEND', b'')


@pytest.mark.parametrize(('width', 'height'), [(100_000, 100_000), (2**31 - 1, 1), (10_000, 6_000)])
def test_an_image_declaring_enormous_dimensions_is_refused_before_decoding(
        tmp_path: Path, width: int, height: int) -> None:
    with pytest.raises(ValidationError, match='too large'):
        inspect(write(tmp_path, png_declaring(width, height)), 'bomb.png')


@pytest.mark.parametrize('fmt', ['JPEG', 'PNG', 'WEBP', 'GIF'])
def test_a_truncated_image_is_refused(tmp_path: Path, fmt: str) -> None:
    data = photo(fmt, exif=False)
    with pytest.raises(ValidationError, match='damaged or incomplete'):
        inspect(write(tmp_path, data[:len(data) // 2]), 'half')


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fmt=st.sampled_from(['JPEG', 'PNG', 'WEBP', 'GIF']), data=st.data())
def test_whatever_an_image_file_holds_it_is_refused_or_re_encoded(tmp_path: Path, fmt: str,
                                                                   data: st.DataObject) -> None:
    """Damage a real image anywhere (and keep its magic bytes): a clear refusal or a clean image, nothing else."""
    good = bytearray(photo(fmt, (48, 32), exif=False))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(12, len(good) - 1))
        good[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(16, len(good)))
    try:
        found = inspect(write(tmp_path, bytes(good[:cut])), 'fuzzed')
    except ValidationError as refused:
        assert str(refused) in (file_checks.DAMAGED, file_checks.too_big_image())
        return
    assert found.data is not None
    with Image.open(io.BytesIO(found.data)) as im:
        im.load()
        assert im.format == fmt


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=st.sampled_from([b'\x89PNG\r\n\x1a\n', b'\xff\xd8\xff', b'GIF89a', b'RIFF\x00\x00\x00\x00WEBP', b'']),
       rest=st.binary(max_size=2000))
def test_random_bytes_behind_magic_numbers_never_crash(tmp_path: Path, head: bytes, rest: bytes) -> None:
    try:
        found = inspect(write(tmp_path, head + rest), 'noise')
    except ValidationError:
        return
    assert found.mime
