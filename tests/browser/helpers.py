"""Small waits and actions on the UI contract of DESIGN.md (accessible names, test ids)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

T = TypeVar('T')


def wait(driver: WebDriver, condition: Callable[[WebDriver], T], timeout: float = 10) -> T:
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)


def field(driver: WebDriver, name: str) -> WebElement:
    return wait(driver, lambda d: d.find_element(By.XPATH, f'//*[@aria-label="{name}"]'
                                                       f' | //label[.//*[normalize-space()="{name}"]]//input'))


def button(driver: WebDriver, name: str) -> WebElement:
    # a Quasar button's icon is an aria-hidden ligature: the accessible name is the label span's text
    return wait(driver, lambda d: d.find_element(
        By.XPATH, f'//button[normalize-space()="{name}" or .//span[normalize-space()="{name}"]]'))


def click(driver: WebDriver, find: Callable[[], WebElement]) -> None:
    """Click once the element takes the click (a dialog may still be opening over the page)."""
    def clicked(_: WebDriver) -> bool:
        try:
            find().click()
        except WebDriverException:
            return False
        return True
    wait(driver, clicked)


def sign_up(driver: WebDriver, url: str, username: str, password: str = 'correct horse') -> None:
    driver.get(f'{url}/login')
    field(driver, 'Username').send_keys(username)
    field(driver, 'Password').send_keys(password)
    button(driver, 'Create account').click()
    wait(driver, lambda d: '/room/' in d.current_url, timeout=20)
    wait_connected(driver)


def sign_in(driver: WebDriver, url: str, username: str, password: str = 'correct horse') -> None:
    driver.get(f'{url}/login')
    field(driver, 'Username').send_keys(username)
    field(driver, 'Password').send_keys(password)
    button(driver, 'Sign in').click()
    wait(driver, lambda d: '/room/' in d.current_url, timeout=20)
    wait_connected(driver)


def wait_connected(driver: WebDriver) -> None:
    wait(driver, lambda d: d.execute_script('return !!(window.socket && window.did_handshake)'))


def messages(driver: WebDriver) -> list[tuple[int, str]]:
    """(seq, text) of every message element, in document order."""
    rows = driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=message]')]"
        ".map(e => [Number(e.dataset.seq), e.innerText])")
    return [(int(seq), str(text)) for seq, text in rows]


def send(driver: WebDriver, text: str) -> None:
    box = field(driver, 'Message')
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
