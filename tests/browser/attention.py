"""Reading the attention UI of a page in real Chromium: badges, the tab title, "Seen by", notifications."""
from __future__ import annotations

from selenium import webdriver

BADGES = ("return Object.fromEntries([...document.querySelectorAll('a.chat-room[data-room]')].map(a => "
          "[(a.querySelector('.chat-room-name, .chat-dm-name') || {}).innerText, "
          "[Number(a.dataset.unread), Number(a.dataset.mentions)]]))")
SEEN = ("return Object.fromEntries([...document.querySelectorAll('[data-testid=seen-by]')].map(e => "
        "[Number(e.closest('[data-testid=message]').dataset.seq), e.innerText]))")
# Notifications as constructed by the page (headless Chromium shows none): permission granted, each one recorded.
SPY_NOTIFICATIONS = '''
window.chatNotes = [];
window.Notification = function (title, options) {
    window.chatNotes.push([title, (options && options.body) || '']);
    this.close = () => {};
};
window.Notification.permission = 'granted';
window.Notification.requestPermission = () => Promise.resolve('granted');
'''


def badges(driver: webdriver.Chrome) -> dict[str, tuple[int, int]]:
    """The drawer's conversations: name -> (data-unread, data-mentions)."""
    return {str(name): (int(u), int(m)) for name, (u, m) in driver.execute_script(BADGES).items()}


def seen_by(driver: webdriver.Chrome) -> dict[int, str]:
    """seq of a message -> its "Seen by ..." line."""
    return {int(seq): str(text) for seq, text in driver.execute_script(SEEN).items()}


def focused(driver: webdriver.Chrome) -> webdriver.Chrome:
    """Headless windows may not count as focused: the page should behave as the window in front."""
    driver.execute_cdp_cmd('Emulation.setFocusEmulationEnabled', {'enabled': True})
    return driver


def spy_notifications(driver: webdriver.Chrome) -> None:
    """From every next document of this browser on: notifications allowed and recorded in `window.chatNotes`."""
    driver.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': SPY_NOTIFICATIONS})


def notes(driver: webdriver.Chrome) -> list[tuple[str, str]]:
    return [(str(t), str(b)) for t, b in driver.execute_script('return window.chatNotes || []')]


def title(driver: webdriver.Chrome) -> str:
    return str(driver.execute_script('return document.title'))
