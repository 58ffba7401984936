"""Message formatting: Markdown rendered on the server, raw HTML off, output passed through an allow-list.

Rendering is pure Python and, for hostile 4,000-character inputs, not cheap: measured here up to 41 ms
('[' * 4000), 27 ms for nested `[*` link/emphasis, 22 ms for 330 bare links (plain text: 1 ms); the
worst case grows linearly, about 10 us per character. So `Renderer` renders short texts (at most
`INLINE_MAX` characters: 2.5 ms at worst) at once, and longer ones in a worker thread, one at a time:
the GIL lets only one thread run Python anyway, and with a single render thread the event loop gets
the GIL back every few milliseconds to serve everyone else (with one thread per message, 16 hostile
renders at once starved it for 700 ms). A process pool would take the GIL out of it, but a spawned
worker re-imports main.py as `__mp_main__`, whose guard starts a second server; not worth that risk.
"""
from __future__ import annotations

import asyncio

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

    def __init__(self) -> None:
        self._one_at_a_time = asyncio.Semaphore(1)

    async def render(self, text: str) -> str:
        if len(text) <= INLINE_MAX:
            return render_markdown(text)
        async with self._one_at_a_time:
            return await asyncio.to_thread(render_markdown, text)
