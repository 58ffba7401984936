"""Real-browser tests: the real `main.py` in a subprocess, driven by Debian's headless Chromium."""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.support import App, running_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    # rate limits stay on, with room for the bursts these tests send (tests/ui/test_limits.py tests the limits)
    with running_app(tmp_path / 'data', CHAT_MESSAGE_BURST='100') as server:
        yield server


def chromium_binary() -> str | None:
    return shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Callable[..., webdriver.Chrome]]:
    binary, driver_path = chromium_binary(), shutil.which('chromedriver')
    if not binary or not driver_path:
        pytest.fail('chromium and chromedriver are needed (apt-get install chromium chromium-driver)')
    drivers: list[webdriver.Chrome] = []

    def make(width: int = 1280, height: int = 800) -> webdriver.Chrome:
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                     '--disable-background-networking', '--disable-component-update', '--disable-sync',
                     '--no-first-run', '--disable-quic', f'--window-size={width},{height}',
                     f'--user-data-dir={tmp_path / f"chrome-{len(drivers)}"}'):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(driver_path))
        driver.implicitly_wait(0)
        # headless Chromium will not make a window narrower than 500 px: emulate the phone's viewport
        driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                               {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': width < 600})
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.quit()
