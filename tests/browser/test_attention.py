"""Attention in real Chromium with two people: bob's badges count alice's messages live, clear when he reads (in
his other browser too), a mention counts and notifies, alice sees "Seen by bob", counts are right after a
reconnect and after a server restart, the unread divider, muting and "Mark all as read"."""
from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support import App

from .attention import badges, focused, notes, seen_by, spy_notifications, title
from .helpers import click, field, messages, send, sign_in, sign_up, wait, wait_connected

COMPLETIONS = ("return [...document.querySelectorAll('[data-testid=mention-completion] [role=option]')]"
               ".map(e => e.innerText.slice(1))")


def open_dm(driver: webdriver.Chrome, url: str, other: str) -> None:
    driver.get(f'{url}/dm/{other}')
    wait(driver, lambda d: '/room/' in d.current_url and d.execute_script(
        'return !!document.querySelector(".chat-room.active .chat-dm-name")'), timeout=15)
    wait_connected(driver)


def open_room(driver: webdriver.Chrome, name: str) -> None:
    click(driver, lambda: driver.find_element(By.XPATH, f'//a[.//span[@class="chat-room-name" and text()="{name}"]]'))
    wait(driver, lambda d: d.execute_script(
        'const a = document.querySelector(".chat-room.active .chat-room-name"); return a && a.innerText') == name)
    wait_connected(driver)


def test_badges_mentions_notifications_and_receipts_live(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice = focused(browser())
    sign_up(alice, app.url, 'alice')
    bob, bob_too = focused(browser()), focused(browser())  # bob on two devices
    spy_notifications(bob)
    sign_up(bob, app.url, 'bob')
    sign_in(bob_too, app.url, 'bob')
    for driver in (bob, bob_too):  # both look at their DM with alice: general is "another conversation"
        open_dm(driver, app.url, 'alice')
        wait(driver, lambda d: badges(d).get('general') == (0, 0))
    assert not title(bob).startswith('(')
    bob.find_element(By.TAG_NAME, 'body').click()  # a click: the page may ask for notifications now

    for text in ('one', 'two', 'three'):
        send(alice, text)
    for driver in (bob, bob_too):
        wait(driver, lambda d: badges(d).get('general') == (3, 0))
    wait(bob, lambda d: title(d).startswith('(3) '))
    assert notes(bob) == [], 'no notification for an ordinary message in a room'

    box = field(alice, 'Message')  # "@" completes members' names: Enter takes the first
    box.send_keys('lunch, @b')
    wait(alice, lambda d: d.execute_script(COMPLETIONS) == ['bob'])
    box.send_keys(Keys.ENTER)
    wait(alice, lambda _: box.get_attribute('value') == 'lunch, @bob ')
    box.send_keys('at noon?', Keys.ENTER)
    for driver in (bob, bob_too):
        wait(driver, lambda d: badges(d).get('general') == (4, 1))
    wait(bob, lambda d: notes(d) == [('alice in #general', 'lunch, @bob at noon?')])
    mention = alice.find_element(By.CSS_SELECTOR, '[data-testid=mention]')
    assert mention.text == '@bob'

    # bob reads general on one device: both clear, and alice sees him under her newest message
    open_room(bob, 'general')
    wait(bob, lambda d: d.find_elements(By.CSS_SELECTOR, '.chat-msg.chat-mentioned'))
    for driver in (bob, bob_too):
        wait(driver, lambda d: badges(d).get('general') == (0, 0))
    wait(bob, lambda d: not title(d).startswith('('))
    newest = max(seq for seq, _ in messages(alice))
    wait(alice, lambda d: seen_by(d) == {newest: 'Seen by bob'})

    # a direct message notifies even without a mention; read in the DM itself it counts nothing there
    send(alice, 'see you there')
    wait(alice, lambda d: seen_by(d) != {newest: 'Seen by bob'})  # bob read it at once: his line moved down
    # posting reads one's own message: bob sees alice's line move under it at once, as after a reload
    wait(bob, lambda d: seen_by(d) == {max(seq for seq, _ in messages(d)): 'Seen by alice'})
    open_room(bob_too, 'general')
    open_dm(alice, app.url, 'bob')
    send(alice, 'psst')
    for driver in (bob, bob_too):
        wait(driver, lambda d: badges(d).get('alice') == (1, 0))
    wait(bob, lambda d: ('alice', 'psst') in notes(d))
    open_dm(bob_too, app.url, 'alice')  # read on one device: the other's badge clears
    wait(bob, lambda d: badges(d).get('alice') == (0, 0))


def test_a_conversation_new_to_the_drawer_counts_and_notifies_live(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = focused(browser()), focused(browser())
    sign_up(alice, app.url, 'alice')
    spy_notifications(bob)
    sign_up(bob, app.url, 'bob')
    bob.find_element(By.TAG_NAME, 'body').click()  # a click: the page may ask for notifications now
    open_dm(alice, app.url, 'bob')  # a DM bob's page did not list when it opened
    wait(bob, lambda d: 'alice' in badges(d))
    send(alice, 'hello there')
    wait(bob, lambda d: badges(d).get('alice') == (1, 0))
    wait(bob, lambda d: ('alice', 'hello there') in notes(d))
    send(alice, 'and again')
    wait(bob, lambda d: badges(d).get('alice') == (2, 0))


def test_counts_after_a_reconnect_and_a_restart_and_the_divider(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = focused(browser()), focused(browser())
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    open_dm(bob, app.url, 'alice')
    send(alice, 'before the cut')
    wait(bob, lambda d: badges(d).get('general') == (1, 0))

    bob.execute_script('window.socket.disconnect()')
    for text in ('while away 1', 'while away 2 @bob, ok'):
        send(alice, text)
    time.sleep(0.5)
    assert badges(bob).get('general') == (1, 0), 'a cut page cannot have heard anything'
    bob.execute_script('window.socket.connect()')
    wait(bob, lambda d: badges(d).get('general') == (3, 1), timeout=15)  # the server's counts after the reconnect

    before = bob.execute_script('return window.clientId')
    app.stop()
    app.start()
    wait(bob, lambda d: d.execute_script('return window.clientId') not in (None, before), timeout=30)
    wait_connected(bob)
    wait(bob, lambda d: badges(d).get('general') == (3, 1))
    wait_connected(alice)

    # opening general: "New messages" before the first unread one
    open_room(bob, 'general')
    first_unread = next(seq for seq, text in messages(bob) if 'before the cut' in text)
    divider = bob.find_element(By.CSS_SELECTOR, '[data-testid=unread-divider]')
    following = divider.find_element(By.XPATH, 'following-sibling::*[@data-testid="message"][1]')
    assert int(following.get_attribute('data-seq') or 0) == first_unread
    wait(bob, lambda d: badges(d).get('general') == (0, 0))

    # muted: no unread count, a mention still counts; "Mark all as read" clears everything
    click(bob, lambda: bob.find_element(By.CSS_SELECTOR, 'button[aria-label="Mute conversation"]'))
    wait(bob, lambda d: d.find_elements(By.CSS_SELECTOR, 'button[aria-label="Unmute conversation"]'))
    open_dm(bob, app.url, 'alice')
    send(alice, 'muted chatter')
    send(alice, 'but @bob still')
    wait(bob, lambda d: badges(d).get('general') == (0, 1))
    click(bob, lambda: bob.find_element(By.CSS_SELECTOR, 'button[data-action="mark-all-read"]'))
    wait(bob, lambda d: badges(d).get('general') == (0, 0))


def test_many_unread_open_at_the_first_and_scroll_on_to_the_newest(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    """More unread messages than a page holds: the conversation opens at the first unread one, and scrolling down
    brings every later one, in order, until the newest (then live messages show again)."""
    alice, bob = focused(browser()), focused(browser())
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    open_dm(bob, app.url, 'alice')
    room = int(alice.current_url.rstrip('/').split('/')[-1].split('?')[0])
    with httpx.Client(base_url=app.url, timeout=20) as client:
        assert client.post('/api/session', json={'username': 'alice', 'password': 'correct horse'}).status_code == 204
        for i in range(90):  # the app's burst is 100; a page holds 50
            answer = client.post(f'/api/rooms/{room}/messages', json={'body': f'news {i}', 'client_id': f'news-{i}'})
            assert answer.status_code == 201, answer.text
    wait(bob, lambda d: badges(d).get('general') == (90, 0), timeout=15)
    open_room(bob, 'general')
    first = next(seq for seq, text in messages(bob) if 'news 0' in text.split('\n'))
    following = bob.find_element(By.CSS_SELECTOR, '[data-testid=unread-divider]').find_element(
        By.XPATH, 'following-sibling::*[@data-testid="message"][1]')
    assert int(following.get_attribute('data-seq') or 0) == first
    assert not any('news 89' in text.split('\n') for _, text in messages(bob)), 'the window starts at the first unread'
    assert badges(bob).get('general') == (90, 0), 'nothing read before the newest was on screen'

    def scrolled_to_the_newest(d: webdriver.Chrome) -> bool:
        d.execute_script("const l = document.querySelector('.chat-list'); l.scrollTop = l.scrollHeight;")
        return any('news 89' in text.split('\n') for _, text in messages(d))
    wait(bob, scrolled_to_the_newest, timeout=30)
    seqs = [seq for seq, _ in messages(bob)]
    assert seqs == list(range(seqs[0], seqs[-1] + 1)), 'no message skipped'
    wait(bob, lambda d: scrolled_to_the_newest(d) and badges(d).get('general') == (0, 0))  # (still at the end)
    wait(bob, lambda d: not d.find_elements(By.XPATH, '//button[normalize-space()="Jump to latest messages"]'))
    send(alice, 'and one more, live')
    wait(bob, lambda d: any('and one more, live' in text for _, text in messages(d)))
