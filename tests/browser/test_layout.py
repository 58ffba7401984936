"""The room page at phone width (375 px) and at desktop width, as the UI contract describes it."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.support import App

from .helpers import button, messages, send, sign_up, wait


def no_horizontal_scroll(driver: webdriver.Chrome) -> bool:
    return bool(driver.execute_script(
        'return document.documentElement.scrollWidth <= document.documentElement.clientWidth'))


def fits_the_window(driver: webdriver.Chrome) -> bool:
    """The page itself does not scroll: the conversation scrolls inside it and the composer (with the room its
    error or counter line takes below the field) ends within the window."""
    return bool(driver.execute_script(
        'return document.documentElement.scrollHeight <= document.documentElement.clientHeight'))


def test_phone_width_has_a_rooms_menu_and_no_horizontal_scroll(
        app: App, browser: Callable[..., webdriver.Chrome], tmp_path: Path) -> None:
    phone = browser(375, 812)
    sign_up(phone, app.url, 'alice')
    send(phone, 'a long line without spaces ' + 'x' * 300)
    wait(phone, lambda d: any('xxxx' in text for _, text in messages(d)))
    assert no_horizontal_scroll(phone) and fits_the_window(phone)
    drawer_items = phone.find_elements(By.XPATH, '//aside//*[normalize-space()="general"]')
    assert not any(e.is_displayed() for e in drawer_items), 'the room list should start collapsed'
    phone.save_screenshot(str(tmp_path / 'room-phone.png'))
    button(phone, 'Rooms').click()
    wait(phone, lambda d: any(e.is_displayed() for e in
                              d.find_elements(By.XPATH, '//aside//*[normalize-space()="general"]')))
    assert no_horizontal_scroll(phone)


def test_desktop_shows_rooms_and_members_side_by_side(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    desk = browser(1280, 800)
    sign_up(desk, app.url, 'alice')
    room_names = desk.find_elements(By.XPATH, '//aside//*[normalize-space()="general"]')
    assert any(e.is_displayed() for e in room_names)
    members = desk.find_elements(By.CSS_SELECTOR, '[data-testid=member]')
    assert [m.get_attribute('data-presence') for m in members] == ['online']
    assert desk.find_element(By.CSS_SELECTOR, '[data-testid=typing]') is not None
    assert no_horizontal_scroll(desk) and fits_the_window(desk)
