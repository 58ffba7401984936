"""kill -9 an instance while its users send through the composer (Chromium, through nginx).

Their pages come back on the other instance by themselves, still signed in; every acknowledged message is
shown once and in order, nothing sent is lost (what the dead instance never stored is back in the composer),
and presence is right: the user who came back is online, the one who did not goes offline.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.keys import Keys

from deploy.cluster import Cluster
from tests.browser.helpers import field, messages, send, sign_up, wait

from .conftest import start_cluster, stop_cluster
from .test_cluster_browser import pinned, presence_of, served_by

WORD = re.compile(r'\bkill-\d{2}\b')


@pytest.fixture
def doomed(tmp_path: Path) -> Iterator[Cluster]:
    cluster = start_cluster(tmp_path / 'cluster', instances=2, CHAT_MESSAGE_BURST='100')
    yield cluster
    stop_cluster(cluster)


def shown_words(driver: webdriver.Chrome) -> list[str]:
    """Every `kill-NN` word in the conversation, in document order (a resent composer may hold several)."""
    return [w for _, text in messages(driver) for w in WORD.findall(text)]


def composer_text(driver: webdriver.Chrome) -> str:
    return str(field(driver, 'Message').get_attribute('value') or '')


def test_an_instance_killed_while_its_users_send(doomed: Cluster, browser: Callable[..., webdriver.Chrome]) -> None:
    carol, dave, erin = pinned(browser, doomed, 1), pinned(browser, doomed, 2), pinned(browser, doomed, 1)
    for driver, name in ((carol, 'carol'), (dave, 'dave'), (erin, 'erin')):
        sign_up(driver, doomed.url, name)
    assert served_by(carol, doomed) == served_by(erin, doomed) == doomed.nodes[0].address
    wait(dave, lambda d: presence_of(d, 'carol') == 'online' and presence_of(d, 'erin') == 'online', timeout=20)

    sent: list[str] = []
    killer = threading.Thread(target=doomed.kill, args=(1,))  # SIGKILL while the sends go on: some are in flight
    for i in range(1, 13):
        word = f'kill-{i:02d}'
        send(carol, f'{word} ')  # spaced: texts typed while disconnected stay apart in the field
        sent.append(word)
        if i == 7:
            carol.execute_script('window.before_the_kill = true')  # gone once the page has reloaded
            killer.start()
    killer.join()
    acknowledged = shown_words(carol)  # what the dead instance had stored and shown before it died
    erin.get('about:blank')  # erin's page died with her instance and she does not come back

    # carol's page reconnects through nginx, lands on instance 2, reloads itself and is still signed in
    reloaded = 'return !window.before_the_kill && !!window.did_handshake && !!window.socket?.connected'
    wait(carol, lambda d: '/room/' in d.current_url and d.execute_script(reloaded), timeout=60)
    assert served_by(carol, doomed).split(', ')[-1] == doomed.nodes[1].address
    wait(carol, lambda d: set(acknowledged) <= set(shown_words(d)), timeout=30)
    pending = composer_text(carol)
    shown = shown_words(carol)
    counts = {
        'sent': len(sent), 'acknowledged': len(acknowledged), 'shown': len(shown),
        'duplicates': len(shown) - len(set(shown)),
        'lost': len([w for w in sent if w not in shown and w not in WORD.findall(pending)]),
        'back in the composer': len(WORD.findall(pending)),
    }
    print(f'\nkill test: {counts}')
    assert counts['duplicates'] == 0 and counts['lost'] == 0, counts
    assert shown == sorted(shown), f'out of order: {shown}'
    assert sent[:len(shown)] == shown, 'stored messages are a prefix of what was sent, in order'

    if pending:  # sending what came back stores it once (same client id if nothing else was typed)
        field(carol, 'Message').send_keys(Keys.ENTER)
    wait(carol, lambda d: sorted(set(shown_words(d))) == sent, timeout=30)
    wait(dave, lambda d: sorted(set(shown_words(d))) == sent, timeout=30)
    for driver in (carol, dave):
        words = shown_words(driver)
        assert len(words) == len(set(words)) == len(sent), f'twice or missing: {words}'
        seqs = [seq for seq, _ in messages(driver)]
        assert seqs == sorted(set(seqs))

    # presence: carol is back (on instance 2); erin's only page died with instance 1: offline within the
    # 30 s that instance's connections live in Redis without renewal, plus the grace period
    wait(dave, lambda d: presence_of(d, 'carol') == 'online', timeout=10)
    wait(dave, lambda d: presence_of(d, 'erin') == 'offline', timeout=50)
