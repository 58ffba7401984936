"""Device cookies (OWASP "Slow down online guessing attacks with device cookies").

After a successful sign-in a browser gets a long-lived cookie `<nonce>.<signature>.<username>`
signed with a key derived from the storage secret. A sign-in that presents a valid one for the
username is "from a known device": its failures count against that device only, and it passes the
global per-username ceiling that strangers guessing from many addresses run into. So a stranger can
slow down new devices for a name, but not lock its owner out of the browsers they already use.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_CONTEXT = b'chat device cookie v1'


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


class DeviceCookies:
    def __init__(self, secret: str | None = None) -> None:
        # No secret (tests, a library caller): a per-process key, so cookies only live until a restart.
        material = secret.encode('utf-8') if secret else secrets.token_bytes(32)
        self._key = hmac.new(material, _CONTEXT, hashlib.sha256).digest()

    def _sign(self, nonce: str, username: str) -> str:
        return _b64(hmac.new(self._key, f'{nonce}.{username.lower()}'.encode(), hashlib.sha256).digest()[:18])

    def issue(self, username: str) -> str:
        """A new cookie value for a browser where `username` just signed in."""
        nonce = _b64(secrets.token_bytes(12))
        return f'{nonce}.{self._sign(nonce, username)}.{username.lower()}'

    def verify(self, value: object, username: str) -> str | None:
        """The device's id (its nonce) if `value` is a valid cookie for `username`, else None."""
        if not isinstance(value, str) or len(value) > 200:
            return None
        parts = value.split('.', 2)
        if len(parts) != 3 or parts[2] != username.lower():
            return None
        nonce, signature, _ = parts
        return nonce if hmac.compare_digest(signature, self._sign(nonce, username)) else None
