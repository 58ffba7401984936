"""`python -m deploy [--instances 3] [--port 8080]`: a local cluster behind nginx; Ctrl+C stops everything.

Needs PostgreSQL and Redis (CHAT_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/chat,
created when missing; CHAT_REDIS_URL, default redis://127.0.0.1:6379/0) and Debian's nginx.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from .cluster import DEFAULT_DATABASE, DEFAULT_REDIS, Cluster, ClusterError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m deploy', description='Run several chat instances behind nginx.')
    parser.add_argument('--instances', type=int, default=3, help='how many chat processes (default 3)')
    parser.add_argument('--port', type=int, default=8080, help='where nginx listens (default 8080)')
    parser.add_argument('--data-dir', type=Path, default=Path('data/cluster'),
                        help='logs, per-instance data and the shared storage secret (default data/cluster)')
    args = parser.parse_args(argv)
    cluster = Cluster(args.instances, args.data_dir.resolve(), port=args.port,
                      database_url=os.environ.get('CHAT_DATABASE_URL') or DEFAULT_DATABASE,
                      redis_url=os.environ.get('CHAT_REDIS_URL') or DEFAULT_REDIS)

    def stop(_sig: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        print(f'Starting {args.instances} instances and nginx ...', flush=True)
        cluster.start()
        for node in cluster.nodes:
            print(f'  instance {node.index}: http://{node.address}  (log {node.log})', flush=True)
        print(f'Chat cluster ready: {cluster.url}   (Ctrl+C stops everything)', flush=True)
        reported: set[int] = set()
        while True:
            time.sleep(1)
            for node in cluster.nodes:
                if not node.alive() and node.index not in reported:
                    reported.add(node.index)
                    print(f'instance {node.index} exited; nginx sends its users to the others', flush=True)
    except ClusterError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('\nstopping ...', flush=True)
    finally:
        cluster.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
