"""A local cluster: N chat instances on one PostgreSQL database and one Redis, behind nginx.

`Cluster` is what `python -m deploy` runs, and what the multi-instance tests and the benchmark start.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .nginx import render

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = 'postgresql+asyncpg://postgres@127.0.0.1:5432/chat'
DEFAULT_REDIS = 'redis://127.0.0.1:6379/0'


class ClusterError(RuntimeError):
    """Something the cluster needs is missing; the message says what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


@dataclass
class Instance:
    index: int
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f'127.0.0.1:{self.port}'

    @property
    def log(self) -> Path:
        return self.data_dir / 'app.log'

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    """`instances` chat processes sharing `database_url`, `redis_url` and one storage secret, behind nginx on `port`."""

    instances: int
    data_dir: Path
    database_url: str = DEFAULT_DATABASE
    redis_url: str = DEFAULT_REDIS
    port: int = 8080
    host: str = '127.0.0.1'
    env: dict[str, str] = field(default_factory=dict)  # extra CHAT_* settings for every instance
    debug_header: bool = False
    nodes: list[Instance] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f'http://{self.host}:{self.port}'

    # --- start --------------------------------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> None:
        """Check the services, migrate once, start the instances and nginx; ClusterError says what is missing."""
        if not 1 <= self.instances <= 16:
            raise ClusterError('--instances must be between 1 and 16')
        nginx = shutil.which('nginx') or ('/usr/sbin/nginx' if Path('/usr/sbin/nginx').exists() else None)
        if nginx is None:
            raise ClusterError('nginx is not installed (Debian/Ubuntu: apt-get install nginx)')
        self.data_dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(self._prepare())
        secret = self._secret()
        for i in range(self.instances):
            node = Instance(i + 1, free_port(), self.data_dir / f'node-{i + 1}')
            node.data_dir.mkdir(parents=True, exist_ok=True)
            self.nodes.append(node)
            self._spawn(node, secret)
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            self._wait_ready(f'http://{node.address}/login', deadline, node)
        self._start_nginx(nginx)
        self._wait_ready(f'{self.url}/login', deadline, None)

    async def _prepare(self) -> None:
        await _check_postgres(self.database_url)
        await _check_redis(self.redis_url)
        # migrate once here: N instances starting together need not race for the schema (they still
        # take an advisory lock, see services/store/migrate.py)
        from services.store.sqlalchemy_store import SQLAlchemyStore
        store = SQLAlchemyStore(self.database_url)
        try:
            await store.start()
        finally:
            await store.close()

    def _secret(self) -> str:
        if secret := os.environ.get('CHAT_STORAGE_SECRET', '').strip():
            return secret
        path = self.data_dir / 'storage_secret'
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                f.write(secrets.token_urlsafe(32))
        return path.read_text(encoding='utf-8').strip()

    def node_env(self, node: Instance, secret: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'NICEGUI_'))}
        env.update(CHAT_HOST='127.0.0.1', CHAT_PORT=str(node.port), CHAT_DATA_DIR=str(node.data_dir),
                   CHAT_DATABASE_URL=self.database_url, CHAT_REDIS_URL=self.redis_url,
                   CHAT_STORAGE_SECRET=secret, CHAT_TRUSTED_PROXIES='127.0.0.1',
                   CHAT_ALLOWED_ORIGINS=self.url,
                   # files posted on one instance are served by all: one directory for the cluster's files
                   CHAT_FILES_URL=(self.data_dir / 'files').resolve().as_uri(), **self.env)
        return env

    def _spawn(self, node: Instance, secret: str | None = None) -> None:
        secret = secret or self._secret()
        with node.log.open('ab') as log:
            node.process = subprocess.Popen([sys.executable, 'main.py'], cwd=ROOT, env=self.node_env(node, secret),
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def _start_nginx(self, nginx: str) -> None:
        prefix = self.data_dir / 'nginx'
        prefix.mkdir(parents=True, exist_ok=True)
        conf = prefix / 'nginx.conf'
        conf.write_text(render(f'{self.host}:{self.port}', [n.address for n in self.nodes], prefix,
                               debug_header=self.debug_header), encoding='utf-8')
        check = subprocess.run([nginx, '-t', '-p', str(prefix), '-c', str(conf)], capture_output=True, text=True)
        if check.returncode != 0:
            raise ClusterError(f'nginx refused the configuration:\n{check.stderr}')
        with (prefix / 'stdout.log').open('ab') as log:
            self.nginx = subprocess.Popen([nginx, '-p', str(prefix), '-c', str(conf), '-g', 'daemon off;'],
                                          stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_ready(self, url: str, deadline: float, node: Instance | None) -> None:
        while time.monotonic() < deadline:
            if node is not None and not node.alive():
                raise ClusterError(f'instance {node.index} exited while starting:\n{_tail(node.log)}')
            if node is None and self.nginx is not None and self.nginx.poll() is not None:
                raise ClusterError(f'nginx exited while starting:\n{_tail(self.data_dir / "nginx" / "error.log")}')
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise ClusterError(f'{url} did not answer in time')

    # --- run and stop --------------------------------------------------------------------------------------

    def kill(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to instance `index` (1-based) and wait for it to end (the failure tests)."""
        node = self.nodes[index - 1]
        if node.process is not None and node.process.poll() is None:
            os.killpg(node.process.pid, sig)
            node.process.wait(30)

    def restart(self, index: int, timeout: float = 60.0) -> None:
        """Start instance `index` again on its port and data directory."""
        node = self.nodes[index - 1]
        self._spawn(node)
        self._wait_ready(f'http://{node.address}/login', time.monotonic() + timeout, node)

    def stop(self) -> None:
        """SIGTERM everything, SIGKILL what is still running after 10 s."""
        procs = [p for p in [self.nginx, *(n.process for n in self.nodes)] if p is not None and p.poll() is None]
        for p in procs:
            _signal_group(p, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(p, signal.SIGKILL)
                p.wait(5)

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return '\n'.join(path.read_text(encoding='utf-8', errors='replace').splitlines()[-lines:])
    except OSError:
        return '(no log)'


async def _check_postgres(url: str) -> None:
    """Connect once; create the database when the server answers but it does not exist yet."""
    import asyncpg  # the PostgreSQL driver the store uses
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != 'postgresql':
        raise ClusterError(f'CHAT_DATABASE_URL must be a PostgreSQL URL for several instances, not {parsed.drivername}')
    dsn = parsed.set(drivername='postgresql').render_as_string(hide_password=False)
    where = f'{parsed.host or "localhost"}:{parsed.port or 5432}'
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
    except asyncpg.InvalidCatalogNameError:
        admin = parsed.set(drivername='postgresql', database='postgres').render_as_string(hide_password=False)
        conn = await asyncpg.connect(admin, timeout=5)
        try:
            await conn.execute(f'CREATE DATABASE "{parsed.database}"')
        finally:
            await conn.close()
        return
    except (TimeoutError, OSError, asyncpg.PostgresError) as e:
        raise ClusterError(f'PostgreSQL does not answer at {where} ({e}). Start it or set CHAT_DATABASE_URL.') from None
    await conn.close()


async def _check_redis(url: str) -> None:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(url, socket_connect_timeout=5)
    try:
        await client.ping()
    except (OSError, RedisError) as e:
        raise ClusterError(f'Redis does not answer at {url} ({e}). Start it, or set CHAT_REDIS_URL.') from None
    finally:
        await client.aclose()
