"""In Chromium through nginx: alice on instance 1, bob on instance 2. Messages, typing, presence, a new direct
message, unread badges, read receipts, reactions, replies and files cross."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from deploy.cluster import Cluster
from tests.browser.attention import badges, focused, seen_by
from tests.browser.helpers import click, field, messages, send, sign_in, sign_up, wait, wait_connected
from tests.browser.test_files import loaded_images

from .conftest import create_users, node_cookie

TYPING = "return document.querySelector('[data-testid=typing]').innerText"
UP = '\U0001F44D'
DMS = "return [...document.querySelectorAll('.chat-dm-name')].map(e => e.innerText)"


def presence_of(driver: webdriver.Chrome, username: str) -> str | None:
    return driver.execute_script(  # type: ignore[no-any-return]
        'const e = document.querySelector(`[data-testid=member][data-user="${arguments[0]}"]`);'
        'return e ? e.dataset.presence : null', username)


def pinned(make: Callable[..., webdriver.Chrome], cluster: Cluster, index: int) -> webdriver.Chrome:
    """A browser whose nginx cookie routes it to instance `index`."""
    driver = make()
    driver.get(f'{cluster.url}/login')
    driver.delete_cookie('chat_node')
    driver.add_cookie({'name': 'chat_node', 'value': node_cookie(cluster, index), 'path': '/'})
    return driver


def served_by(driver: webdriver.Chrome, cluster: Cluster) -> str:
    return str(driver.execute_script(
        'const r = new XMLHttpRequest(); r.open("GET", "/login", false); r.send();'
        'return r.getResponseHeader("X-Chat-Upstream")'))


def test_messages_typing_and_presence_cross_instances_both_ways(
        cluster: Cluster, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = pinned(browser, cluster, 1), pinned(browser, cluster, 2)
    sign_up(alice, cluster.url, 'alice')
    sign_up(bob, cluster.url, 'bob')
    assert served_by(alice, cluster) == cluster.nodes[0].address
    assert served_by(bob, cluster) == cluster.nodes[1].address
    wait(alice, lambda d: any('bob joined' in t for _, t in messages(d)), timeout=15)

    send(alice, 'hello from instance one')
    wait(bob, lambda d: any('hello from instance one' in t for _, t in messages(d)), timeout=15)
    send(bob, 'hello back from instance two')
    wait(alice, lambda d: any('hello back from instance two' in t for _, t in messages(d)), timeout=15)
    for driver in (alice, bob):
        seqs = [seq for seq, _ in messages(driver)]
        assert seqs == sorted(set(seqs)), f'out of order or twice: {seqs}'

    field(alice, 'Message').send_keys('thinking')
    wait(bob, lambda d: d.execute_script(TYPING) == 'alice is typing…', timeout=15)
    field(alice, 'Message').send_keys(Keys.ENTER)
    wait(bob, lambda d: d.execute_script(TYPING) == '', timeout=15)
    field(bob, 'Message').send_keys('me too')
    wait(alice, lambda d: d.execute_script(TYPING) == 'bob is typing…', timeout=15)

    wait(alice, lambda d: presence_of(d, 'bob') == 'online', timeout=15)
    wait(bob, lambda d: presence_of(d, 'alice') == 'online', timeout=15)

    alice.get(f'{cluster.url}/dm/bob')  # made on instance 1: bob's drawer on instance 2 lists it at once
    wait(alice, lambda d: '/room/' in d.current_url, timeout=15)
    wait(bob, lambda d: d.execute_script(DMS) == ['alice'], timeout=15)
    alice.get('about:blank')  # her only page (instance 1) closes: bob (instance 2) sees her offline after the grace
    wait(bob, lambda d: presence_of(d, 'alice') == 'offline', timeout=20)


def test_badges_and_receipts_cross_instances(cluster: Cluster, browser: Callable[..., webdriver.Chrome]) -> None:
    """carol on instance 1 writes in general; dave's page on instance 2 counts it live in his drawer, a mention too;
    when dave reads general, carol's page shows "Seen by dave"."""
    carol, dave = focused(pinned(browser, cluster, 1)), focused(pinned(browser, cluster, 2))
    create_users(cluster, 'carol', 'dave')  # sign-ups from one address are limited to 5 a minute
    sign_in(carol, cluster.url, 'carol')
    sign_in(dave, cluster.url, 'dave')
    dave.get(f'{cluster.url}/dm/carol')
    wait(dave, lambda d: '/room/' in d.current_url and badges(d).get('general') == (0, 0), timeout=15)
    wait_connected(dave)
    send(carol, 'across the instances')
    wait(dave, lambda d: badges(d).get('general') == (1, 0), timeout=15)
    send(carol, 'you there @dave?')
    wait(dave, lambda d: badges(d).get('general') == (2, 1), timeout=15)
    dave.find_element(By.XPATH, '//a[.//span[@class="chat-room-name" and text()="general"]]').click()
    wait(dave, lambda d: badges(d).get('general') == (0, 0), timeout=15)
    newest = max(seq for seq, _ in messages(carol))
    wait(carol, lambda d: seen_by(d).get(newest) == 'Seen by dave', timeout=15)


def test_reactions_replies_and_files_cross_instances(cluster: Cluster, browser: Callable[..., webdriver.Chrome],
                                                     tmp_path: Path) -> None:
    """erin on instance 1 asks; frank on instance 2 reacts and replies; erin sees both live; erin's picture shows
    on frank's page."""
    erin, frank = pinned(browser, cluster, 1), pinned(browser, cluster, 2)
    create_users(cluster, 'erin', 'frank')
    sign_in(erin, cluster.url, 'erin')
    sign_in(frank, cluster.url, 'frank')
    send(erin, 'ship it today?')
    wait(frank, lambda d: any('ship it today?' in t for _, t in messages(d)), timeout=15)
    seq = next(s for s, t in reversed(messages(frank)) if 'ship it today?' in t)
    click(frank, lambda: frank.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"] button[aria-label="React"]'))
    search = wait(frank, lambda d: d.find_element(By.CSS_SELECTOR, 'input[aria-label="Search emoji"]'))
    wait(frank, lambda d: d.find_elements(By.CSS_SELECTOR, '.chat-picker-emoji'))
    search.send_keys('thumbs up')
    wait(frank, lambda d: d.find_element(By.CSS_SELECTOR, '.chat-picker-emoji').get_attribute('data-emoji') == UP)
    search.send_keys(Keys.ENTER)
    wait(erin, lambda d: [(c.get_attribute('data-emoji'), c.text.strip()) for c in d.find_elements(
        By.CSS_SELECTOR, f'[data-seq="{seq}"] [data-testid=reaction]')] == [(UP, f'{UP} 1')], timeout=15)
    click(frank, lambda: frank.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"] button[aria-label="Reply"]'))
    wait(frank, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid=replying]'))
    send(frank, 'yes, after lunch')
    wait(erin, lambda d: any('yes, after lunch' in t for _, t in messages(d)), timeout=15)
    reply = next(s for s, t in reversed(messages(erin)) if 'yes, after lunch' in t)
    parent = erin.find_element(By.CSS_SELECTOR, f'[data-seq="{reply}"] [data-testid=reply-parent]')
    assert parent.get_attribute('data-parent-seq') == str(seq) and 'ship it today?' in parent.text

    # a picture posted through instance 1 shows on instance 2's page, served by instance 2 (the cluster's files
    # are in one directory: CHAT_FILES_URL, deploy/cluster.py)
    picture = tmp_path / 'board.png'
    buffer = io.BytesIO()
    Image.new('RGB', (600, 300), (40, 120, 250)).save(buffer, format='PNG')
    picture.write_bytes(buffer.getvalue())
    wait(erin, lambda d: d.find_element(By.CSS_SELECTOR, 'input[type=file]')).send_keys(str(picture))
    for driver in (erin, frank):
        wait(driver, lambda d: loaded_images(d) == [(400, 'board.png')], timeout=20)
