"""What the native tier checks inside the desktop window's page (over Qt WebEngine's remote debugging): the page
may notify as in a browser tab, and the chat works there (an account, a message, the drawer's badges)."""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest


def wait_for(what: str, check, timeout: float, interval: float = 0.2, log: Path | None = None):  # type: ignore[no-untyped-def]
    """Poll `check()` until it returns something truthy; fail with `what` (and the app log) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            tail = log.read_text(errors='replace')[-4000:] if log and log.exists() else ''
            pytest.fail(f'timed out after {timeout:.0f} s waiting for {what}\n--- app log ---\n{tail}')
        time.sleep(interval)


def evaluate_in_window(debug_port: int, app_url: str, expression: str) -> object:
    """Evaluate `expression` in the window's page through Qt WebEngine's DevTools endpoint; None if not there yet."""
    try:
        pages = httpx.get(f'http://127.0.0.1:{debug_port}/json/list', timeout=2).json()
    except (httpx.HTTPError, ValueError):
        return None
    page = next((p for p in pages if p.get('type') == 'page' and p.get('url', '').startswith(app_url)), None)
    if page is None:
        return None

    async def run() -> object:
        import aiohttp
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(page['webSocketDebuggerUrl']) as ws:
                await ws.send_json({'id': 1, 'method': 'Runtime.evaluate',
                                    'params': {'expression': expression, 'returnByValue': True}})
                async for msg in ws:
                    data = json.loads(msg.data)
                    if data.get('id') == 1:
                        return data.get('result', {}).get('result', {}).get('value')
        return None

    try:
        return asyncio.run(asyncio.wait_for(run(), 10))
    except Exception:
        return None



def notification_is_presented(debug_port: int, url: str, log: Path) -> None:
    # (c3) the page may notify, as in a browser tab (chat_ui/native_notify.py): permission granted, the
    # notification presented by the window (its log line; a tray message where the desktop has a tray)
    evaluate_in_window(debug_port, url, 'Notification.requestPermission().then((p) => {'
                       ' window.chatPermission = p; new Notification("alice in #general", {body: "lunch?"}); })')
    wait_for('the notification permission', lambda: evaluate_in_window(
        debug_port, url, 'window.chatPermission || ""') == 'granted', 10, interval=0.3, log=log)
    wait_for('the window to present the notification', lambda: 'notification: alice in #general: lunch?'
             in log.read_text(errors='replace'), 10, interval=0.3, log=log)


def a_message_is_sent_and_shown(debug_port: int, url: str, log: Path) -> None:
    # (c4) the chat itself in the window: an account made on the login page, then a message sent from the composer
    # shows in the conversation, whose drawer carries the attention badges (data-unread) of the browser's
    fill = ('(() => { const set = (label, value) => { const i = document.querySelector(`[aria-label="${label}"]`)'
            ' || [...document.querySelectorAll("label")].find(l => l.innerText.trim() === label)'
            '?.querySelector("input"); i.value = value; i.dispatchEvent(new Event("input", {bubbles: true})); };'
            ' set("Username", "winnie"); set("Password", "correct horse");'
            ' setTimeout(() => [...document.querySelectorAll("button")].find(b => b.innerText.trim().toUpperCase()'
            ' === "CREATE ACCOUNT").click(), 300); return true; })()')
    evaluate_in_window(debug_port, url, fill)
    wait_for('the window to open the room after the sign-up', lambda: evaluate_in_window(
        debug_port, url, 'location.pathname.startsWith("/room/") && !!window.did_handshake'
        ' && !!document.querySelector("textarea[aria-label=Message]")'), 30, interval=0.5, log=log)
    send = ('(() => { const box = document.querySelector("textarea[aria-label=Message]"); box.value = "hello from the'
            ' window"; box.dispatchEvent(new Event("input", {bubbles: true})); box.dispatchEvent(new KeyboardEvent('
            '"keydown", {key: "Enter", code: "Enter", keyCode: 13, bubbles: true})); return true; })()')
    evaluate_in_window(debug_port, url, send)
    shown = ('[...document.querySelectorAll("[data-testid=message]")].some(e => e.innerText.includes("hello from'
             ' the window")) && document.querySelectorAll("a.chat-room[data-unread][data-mentions]").length > 0')
    wait_for('the message in the window\'s conversation', lambda: evaluate_in_window(
        debug_port, url, shown), 20, interval=0.5, log=log)
