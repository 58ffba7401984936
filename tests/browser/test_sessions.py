"""Issue 8 row 5 in real Chromium: signing out in one tab sends the other tab of the session to /login."""
from __future__ import annotations

from collections.abc import Callable

from selenium import webdriver
from selenium.webdriver.common.by import By

from .conftest import App
from .helpers import messages, send, sign_up, wait, wait_connected


def test_sign_out_in_one_tab_ends_the_other(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    driver = browser()
    sign_up(driver, app.url, 'alice')
    first = driver.current_window_handle
    driver.switch_to.new_window('tab')
    driver.get(f'{app.url}/')
    wait(driver, lambda d: '/room/' in d.current_url, timeout=20)
    wait_connected(driver)
    send(driver, 'from the second tab')
    wait(driver, lambda d: any('from the second tab' in text for _, text in messages(d)))
    room_url = driver.current_url
    second = driver.current_window_handle

    driver.switch_to.window(first)
    driver.find_element(By.XPATH, '//button[@aria-label="Sign out"]').click()
    wait(driver, lambda d: d.current_url.endswith('/login'))

    driver.switch_to.window(second)
    wait(driver, lambda d: d.current_url.endswith('/login'))  # by itself, without a reload
    wait(driver, lambda d: d.find_elements(By.XPATH, '//button[normalize-space()="Create account"]'))
    status = driver.execute_async_script('''
        const done = arguments[arguments.length - 1];
        fetch('/api/rooms/1/messages', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({body: 'after sign-out', client_id: 'late-1'})}).then(r => done(r.status));
    ''')
    assert status == 401
    driver.get(room_url)
    wait(driver, lambda d: d.current_url.endswith('/login'))
    assert 'Traceback' not in app.log.read_text()
