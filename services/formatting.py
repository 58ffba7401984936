"""Message formatting: Markdown rendered on the server, raw HTML off, output passed through an allow-list.

Rendering is pure Python and, for hostile 4,000-character inputs, not cheap: measured here up to 41 ms
('[' * 4000), 27 ms for nested `[*` link/emphasis, 22 ms for 330 bare links (plain text: 1 ms); the
worst case grows linearly, about 10 us per character. So `Renderer` renders short texts (at most
`INLINE_MAX` characters: 2.5 ms at worst) at once, and longer ones in one worker process. A worker
thread was not enough: it holds the GIL, and every database round trip of everyone else's request then
waited up to 5 ms for it, so two users posting worst-case Markdown raised others' p99 to 600 ms. The
worker is forked (not spawned: a spawned worker re-imports main.py), once, on the first long message;
where fork does not exist it falls back to a thread.
"""
from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import nh3
from markdown_it import MarkdownIt

_TAGS = {
    'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr',
}
_ATTRIBUTES = {'a': {'href', 'title'}}
_SCHEMES = {'http', 'https', 'mailto'}

# html=False makes markdown-it escape any HTML the user typed, so it shows as text;
# nh3 is the second fence in case a renderer rule ever emits something unexpected.
# linkify: bare addresses (https://..., www.example.com) become links, as in every chat app.
_md = MarkdownIt('commonmark', {'html': False, 'breaks': True, 'linkify': True}).enable(['strikethrough', 'linkify'])
# Images would load third-party URLs in every viewer's browser: render their alt text instead.
_md.add_render_rule('image', lambda self, tokens, idx, options, env: self.renderInline(
    tokens[idx].children or [], options, env))

# markdown-it writes strikethrough as <s>; the allow-list (and the UI styles) speak <del>.
_md.add_render_rule('s_open', lambda self, tokens, idx, options, env: '<del>')
_md.add_render_rule('s_close', lambda self, tokens, idx, options, env: '</del>')


def render_markdown(text: str) -> str:
    """The message body as safe HTML (links open in a new tab without referrer or opener)."""
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel='noopener noreferrer nofollow',
        set_tag_attribute_values={'a': {'target': '_blank'}},
    ).strip()


INLINE_MAX = 200


class Renderer:
    """Renders message bodies without stalling the event loop (see the module's docstring)."""

    def __init__(self, render: Callable[[str], str] | None = None) -> None:
        self._render = render or render_markdown  # a module-level function: the worker finds it by name
        self._pool: Executor | None = None

    async def render(self, text: str) -> str:
        render = self._render
        if len(text) <= INLINE_MAX:
            return render(text)
        loop = asyncio.get_running_loop()
        if self._pool is None:
            self._pool = _worker()
        if self._pool is None:
            return await asyncio.to_thread(render, text)
        try:
            return await loop.run_in_executor(self._pool, render, text)
        except BrokenProcessPool:  # the worker was killed: start another for the next message
            self._pool = None
            return await asyncio.to_thread(render, text)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _worker() -> Executor | None:
    if 'fork' not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('fork'))
