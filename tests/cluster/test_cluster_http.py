"""nginx in front of two instances: sticky by cookie, failover when one dies, still signed in after it."""
from __future__ import annotations

import time
from pathlib import Path

import httpx

from deploy.cluster import Cluster

from .conftest import PASSWORD, create_users, node_cookie, start_cluster, stop_cluster


def test_a_browser_stays_on_its_instance_and_new_ones_spread(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.url, timeout=5) as client:
        first = client.get('/login')
        assert 'chat_node=' in first.headers.get('set-cookie', '')
        upstream = first.headers['x-chat-upstream']
        for _ in range(10):  # the page, its polling and its socket: always the same process
            assert client.get('/login').headers['x-chat-upstream'] == upstream
    seen = {httpx.get(f'{cluster.url}/login', timeout=5).headers['x-chat-upstream'] for _ in range(30)}
    assert seen == {node.address for node in cluster.nodes}, 'new browsers should be spread over every instance'


def test_a_signed_in_user_whose_instance_dies_is_still_signed_in_on_the_next(tmp_path: Path) -> None:
    cluster = start_cluster(tmp_path, instances=2)
    try:
        create_users(cluster, 'erin')
        with httpx.Client(base_url=cluster.url, timeout=10, cookies={'chat_node': node_cookie(cluster, 1)}) as client:
            assert client.post('/api/session', json={'username': 'erin', 'password': PASSWORD}).status_code == 204
            page = client.get('/', follow_redirects=True)
            assert page.headers['x-chat-upstream'] == cluster.nodes[0].address
            room = page.url.path
            assert room.startswith('/room/')
            cluster.kill(1)
            deadline = time.monotonic() + 30
            while True:  # nginx marks the dead instance down after its first failure and retries on the other
                page = client.get(room)
                if page.status_code not in (502, 503, 504) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert page.status_code == 200, page.text[:300]
            # nginx names every instance it tried: the dead one first (if it was tried), the one that answered last
            assert page.headers['x-chat-upstream'].split(', ')[-1] == cluster.nodes[1].address
            assert page.url.path == room, 'sent to sign in again: the session did not survive its instance'
            posted = client.post(f'{room.replace("/room/", "/api/rooms/")}/messages',
                                 json={'body': 'still here', 'client_id': 'after-failover-1'})
            assert posted.status_code == 201, posted.text
    finally:
        stop_cluster(cluster)


def test_a_burst_limit_counts_across_instances(cluster: Cluster) -> None:
    """One user signed in on both instances gets one burst of 10 messages in all, not 10 per instance."""
    create_users(cluster, 'frank')
    clients = [httpx.Client(base_url=cluster.url, timeout=10, cookies={'chat_node': node_cookie(cluster, i)})
               for i in (1, 2)]
    try:
        for client in clients:
            assert client.post('/api/session', json={'username': 'frank', 'password': PASSWORD}).status_code == 204
        room = clients[0].get('/', follow_redirects=True).url.path.replace('/room/', '/api/rooms/')
        codes = []
        for i in range(14):  # alternate instances: 7 sends through each
            answer = clients[i % 2].post(f'{room}/messages', json={'body': f'burst {i}', 'client_id': f'burst-{i}'})
            assert answer.headers['x-chat-upstream'] == cluster.nodes[i % 2].address
            codes.append(answer.status_code)
        assert codes.count(201) == 10 and codes.count(429) == 4, codes
    finally:
        for client in clients:
            client.close()
