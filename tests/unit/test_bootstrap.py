import stat
from pathlib import Path

from services.bootstrap import Services, bootstrap, ensure_data_dir
from services.bus.memory import InProcessBus
from services.config import Settings
from services.store.sqlalchemy_store import SQLAlchemyStore


def test_storage_secret_is_created_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / 'nested' / 'data')
    secret = ensure_data_dir(settings)
    path = settings.data_dir / 'storage_secret'
    assert len(secret) >= 40 and path.read_text() == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_data_dir(settings) == secret


def test_default_adapters(tmp_path: Path) -> None:
    services = bootstrap(Settings(data_dir=tmp_path))
    assert isinstance(services.store, SQLAlchemyStore) and isinstance(services.bus, InProcessBus)
    assert services.store.url == f'sqlite+aiosqlite:///{tmp_path}/chat.db'


async def test_start_creates_general_once(services: Services) -> None:
    general = await services.store.get_room_by_name('general')
    assert general is not None
    assert (general.topic, general.created_by, general.member_count) == ('Company-wide chat', None, 0)
    await services.rooms.ensure_general()
    assert [r.name for r in await services.store.list_rooms('', 10, 0)] == ['general']


def test_redis_adapters_when_a_redis_url_is_set(tmp_path: Path) -> None:
    from services.bus.redis import RedisBus
    from services.presence import Presence
    from services.presence_redis import RedisPresence

    settings = Settings.from_env({'CHAT_DATA_DIR': str(tmp_path), 'CHAT_REDIS_URL': 'redis://127.0.0.1:6379/0',
                                  'CHAT_REDIS_PREFIX': 'team-a:'})
    services = bootstrap(settings)  # nothing connects before start()
    assert isinstance(services.bus, RedisBus) and isinstance(services.presence, RedisPresence)
    assert services.bus.channel == 'team-a:events' and services.presence.instance == services.bus.origin
    plain = bootstrap(Settings(data_dir=tmp_path))
    assert isinstance(plain.bus, InProcessBus) and isinstance(plain.presence, Presence)
