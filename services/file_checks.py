"""What an uploaded file is, decided from its bytes (never its name or the browser's word), and a safe name for it.

Images (PNG, JPEG, GIF, WebP) are opened with Pillow within pixel limits (a small file declaring enormous
dimensions is refused before anything is decoded), decoded whole (a truncated or damaged image is refused) and
re-encoded from their pixels alone: EXIF (GPS included), comments, ICC profiles and whatever a polyglot carried
after the image data do not survive. A thumbnail (at most THUMB pixels a side) is made when the image is larger.
Everything else is a download: PDF, UTF-8 text, or application/octet-stream. An SVG is text: never shown inline.

Blocking (Pillow, reading the file): services/uploads.py calls `inspect` in a worker thread.
"""
from __future__ import annotations

import io
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence

from .errors import ValidationError

MAX_NAME = 200  # characters of a file's name, its extension included
MAX_PIXELS = 50_000_000  # width x height of an image, all frames together (a 48-megapixel photo passes)
THUMB = 400  # the longest side of a thumbnail
TEXT_SNIFF = 64 * 1024  # bytes looked at to tell text from binary
FORMATS = {'PNG': 'image/png', 'JPEG': 'image/jpeg', 'GIF': 'image/gif', 'WEBP': 'image/webp'}
EXTENSIONS = {'PNG': '.png', 'JPEG': '.jpg', 'GIF': '.gif', 'WEBP': '.webp'}
DAMAGED = 'That image is damaged or incomplete'


def too_big_image() -> str:
    return f'That image is too large (at most {MAX_PIXELS // 1_000_000} megapixels)'


@dataclass(frozen=True, slots=True)
class Inspected:
    """What a file turned out to be. For an image: its re-encoded bytes (`data`), maybe a thumbnail, its size."""

    mime: str
    name: str
    data: bytes | None = None  # None: keep the file's own bytes (not an image)
    thumb: bytes | None = None
    width: int | None = None
    height: int | None = None


def clean_name(raw: object) -> str:
    """A name safe to show and to put in a header: the last part of a path, without control and format characters
    (bidi overrides that would disguise the extension included), NFC, spaces and dots trimmed, at most MAX_NAME
    characters (the extension kept); 'file' when nothing is left."""
    text = raw if isinstance(raw, str) else ''
    text = text[:4 * MAX_NAME + 1000]  # cheap before per-character work
    text = text.replace('\\', '/').rsplit('/', 1)[-1]
    text = unicodedata.normalize('NFC', text)
    text = ''.join(ch for ch in text if unicodedata.category(ch)[0] != 'C' and unicodedata.category(ch) not in
                   ('Zl', 'Zp'))
    text = ' '.join(text.split()).strip(' .')
    if len(text) > MAX_NAME:
        stem, dot, extension = text.rpartition('.')
        if dot and 0 < len(extension) <= 16:
            text = stem[:MAX_NAME - len(extension) - 1].rstrip(' .') + '.' + extension
        else:
            text = text[:MAX_NAME].rstrip(' .')
    return text or 'file'


def image_format(head: bytes) -> str | None:
    """PNG, JPEG, GIF or WEBP by the file's magic bytes, else None."""
    if head.startswith(b'\x89PNG\r\n\x1a\n'):
        return 'PNG'
    if head.startswith(b'\xff\xd8\xff'):
        return 'JPEG'
    if head.startswith((b'GIF87a', b'GIF89a')):
        return 'GIF'
    if len(head) >= 12 and head.startswith(b'RIFF') and head[8:12] == b'WEBP':
        return 'WEBP'
    return None


def _download_type(head: bytes) -> str:
    if head.startswith(b'%PDF-'):
        return 'application/pdf'
    if b'\x00' not in head:
        try:
            head.decode('utf-8')
        except UnicodeDecodeError as error:
            if error.start < len(head) - 3:  # not just a character cut at the end of what was read
                return 'application/octet-stream'
        return 'text/plain; charset=utf-8'
    return 'application/octet-stream'


def _with_extension(name: str, image: str) -> str:
    """The name with its image format's extension (a PNG called photo.jpg becomes photo.png)."""
    stem, dot, extension = name.rpartition('.')
    if dot and stem and extension.lower() in ('png', 'jpg', 'jpeg', 'gif', 'webp', 'jpe', 'jfif'):
        name = stem
    return clean_name(name + EXTENSIONS[image])


def inspect(path: Path, name: str) -> Inspected:
    """Decide what the file at `path` is; ValidationError for an image that is damaged or too large."""
    with path.open('rb') as file:
        head = file.read(TEXT_SNIFF)
    image = image_format(head)
    if image is None:
        return Inspected(mime=_download_type(head), name=name)
    data, thumb, width, height = _reencode(path, image)
    return Inspected(mime=FORMATS[image], name=_with_extension(name, image), data=data, thumb=thumb,
                     width=width, height=height)


def _reencode(path: Path, image: str) -> tuple[bytes, bytes | None, int, int]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('error', Image.DecompressionBombWarning)
            with Image.open(path, formats=[image]) as probe:  # reads the header only
                _check_pixels(probe)
                probe.verify()  # the structure (chunk checksums for PNG) without decoding the pixels
            with Image.open(path, formats=[image]) as im:
                _check_pixels(im)
                return _encode(im, image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(too_big_image()) from None
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError):
        raise ValidationError(DAMAGED) from None


def _check_pixels(im: Image.Image) -> None:
    frames = getattr(im, 'n_frames', 1)
    if im.width < 1 or im.height < 1 or im.width * im.height * frames > MAX_PIXELS:
        raise ValidationError(too_big_image())


def _encode(im: Image.Image, image: str) -> tuple[bytes, bytes | None, int, int]:
    out = io.BytesIO()
    if getattr(im, 'n_frames', 1) > 1 and image in ('GIF', 'WEBP'):
        frames, durations = [], []
        for frame in ImageSequence.Iterator(im):
            frame.load()
            durations.append(int(frame.info.get('duration', 100) or 100))
            frames.append(_pixels_only(frame.convert('RGBA')))
        first = frames[0]
        first.save(out, format=image, save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   disposal=2 if image == 'GIF' else 0)
    else:
        im.load()  # decodes everything: a truncated image fails here
        first = _pixels_only(ImageOps.exif_transpose(im) or im)
        if image == 'JPEG' and first.mode not in ('RGB', 'L'):
            first = first.convert('RGB')
        if image == 'WEBP' and first.mode not in ('RGB', 'RGBA'):
            first = first.convert('RGBA')
        options = {'quality': 90} if image in ('JPEG', 'WEBP') else {'optimize': True} if image == 'PNG' else {}
        first.save(out, format=image, **options)
    return out.getvalue(), _thumbnail(first), first.width, first.height


def _pixels_only(im: Image.Image) -> Image.Image:
    """A copy with the pixels (and a palette's transparency) and no metadata at all."""
    clean = im.copy()
    transparency = im.info.get('transparency')
    clean.info = {} if transparency is None or (isinstance(transparency, bytes) and len(transparency) > 1024) \
        else {'transparency': transparency}
    return clean


def _thumbnail(im: Image.Image) -> bytes | None:
    if max(im.width, im.height) <= THUMB:
        return None  # the image is its own thumbnail
    small = im.copy()
    small.thumbnail((THUMB, THUMB))
    out = io.BytesIO()
    if small.mode in ('RGBA', 'LA', 'P', 'PA') or 'transparency' in small.info:
        small = small.convert('RGBA')
        small.info = {}
        small.save(out, format='PNG', optimize=True)
    else:
        small.convert('RGB').save(out, format='JPEG', quality=85)
    return out.getvalue()
