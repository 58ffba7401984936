"""Render deploy/nginx.conf.template for a set of instances."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).with_name('nginx.conf.template')


def render(listen: str, backends: Sequence[str], prefix: Path, *, debug_header: bool = False,
           max_fails: int = 1, fail_timeout: int = 10) -> str:
    """The nginx configuration: listen on `listen` (host:port), balance over `backends` (host:port each).

    `debug_header` adds `X-Chat-Upstream: <instance address>` to every response (local cluster and tests only:
    it tells a client which instance served it).
    """
    if not backends:
        raise ValueError('at least one backend is needed')
    servers = '\n'.join(f'        server {b} max_fails={max_fails} fail_timeout={fail_timeout}s;' for b in backends)
    extra = '            add_header X-Chat-Upstream $upstream_addr always;' if debug_header else ''
    # as root, nginx's workers would run as `nobody` and could not use the 0700 prefix: keep them ours (local use)
    user = 'user root;\n' if os.geteuid() == 0 else ''
    text = TEMPLATE.read_text(encoding='utf-8')
    values = {'@USER@': user, '@PREFIX@': str(prefix), '@SERVERS@': servers, '@LISTEN@': listen, '@EXTRA@': extra}
    for key, value in values.items():
        text = text.replace(key, value)
    return text
