"""`python -m bench.bus_hop`: what crossing Redis costs an event, between two RedisBus instances.

Both instances live in this process (one clock): instance A publishes MessagePosted events, instance B's
handler stamps their arrival. Paced: one event every 2 ms (latency, p50/p99/max); burst: N at once
(throughput). Needs Redis on CHAT_REDIS_URL or 127.0.0.1:6379; works under its own key prefix.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from datetime import UTC, datetime

from services.bus.redis import RedisBus
from services.events import Event, MessagePosted
from services.models import Message


def event(seq: int) -> MessagePosted:
    body = 'x' * 120  # a typical chat line
    return MessagePosted(Message(seq, 1, seq, 1, 'alice', body, f'<p>{body}</p>', f'c{seq}', datetime.now(UTC)))


async def run(url: str, paced: int, burst: int) -> None:
    prefix = f'bench-{secrets.token_hex(4)}:'
    a, b = RedisBus(url, prefix, origin='a'), RedisBus(url, prefix, origin='b')
    await a.start()
    await b.start()
    sent: dict[int, float] = {}
    got: dict[int, float] = {}
    done = asyncio.Event()
    target = 0

    async def receive(e: Event) -> None:
        if isinstance(e, MessagePosted):
            got[e.message.seq] = time.perf_counter()
            if len(got) >= target:
                done.set()

    b.subscribe(receive)
    try:
        target = paced
        for seq in range(paced):
            sent[seq] = time.perf_counter()
            await a.publish(event(seq))
            await asyncio.sleep(0.002)
        await asyncio.wait_for(done.wait(), 30)
        ms = sorted((got[s] - sent[s]) * 1000 for s in range(paced))
        print(f'paced   n={paced} p50={statistics.median(ms):.2f} ms p99={ms[int(len(ms) * 0.99) - 1]:.2f} ms '
              f'max={ms[-1]:.2f} ms')
        got.clear()
        done.clear()
        target = burst
        start = time.perf_counter()
        for seq in range(burst):
            await a.publish(event(seq))
        await asyncio.wait_for(done.wait(), 60)
        took = time.perf_counter() - start
        print(f'burst   n={burst} {burst / took:,.0f} events/s through Redis (publish to last arrival {took:.2f} s)')
        print(f'dropped={a.stats.dropped} undecodable={b.stats.undecodable}')
    finally:
        await a.close()
        await b.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog='python -m bench.bus_hop', description=__doc__)
    parser.add_argument('--paced', type=int, default=2000)
    parser.add_argument('--burst', type=int, default=20000)
    args = parser.parse_args()
    asyncio.run(run(os.environ.get('CHAT_REDIS_URL', 'redis://127.0.0.1:6379/0'), args.paced, args.burst))


if __name__ == '__main__':
    main()
