from pathlib import Path

import pytest

from services.config import Settings


def test_defaults_use_a_sqlite_file_in_the_data_dir() -> None:
    settings = Settings.from_env({})
    assert settings.port == 8080 and settings.host == '127.0.0.1' and not settings.native
    assert settings.db_url == 'sqlite+aiosqlite:///data/chat.db'


def test_env_values_are_parsed() -> None:
    settings = Settings.from_env({
        'CHAT_HOST': '0.0.0.0', 'CHAT_PORT': '9000', 'CHAT_DATA_DIR': '/tmp/x', 'CHAT_NATIVE': 'yes',
        'CHAT_DATABASE_URL': 'postgresql+asyncpg://db/chat', 'CHAT_REDIS_URL': 'redis://r',
        'CHAT_PRESENCE_GRACE': '2.5', 'CHAT_AWAY_AFTER': '60', 'CHAT_TYPING_TTL': '3',
        'CHAT_ALLOWED_ORIGINS': 'https://a.example, https://b.example,',
    })
    assert settings.host == '0.0.0.0' and settings.port == 9000 and settings.native
    assert settings.data_dir == Path('/tmp/x')
    assert settings.db_url == 'postgresql+asyncpg://db/chat'
    assert settings.redis_url == 'redis://r'
    assert (settings.presence_grace, settings.away_after, settings.typing_ttl) == (2.5, 60.0, 3.0)
    assert settings.allowed_origins == ('https://a.example', 'https://b.example')


def test_overrides_win_over_env_but_none_does_not() -> None:
    settings = Settings.from_env({'CHAT_PORT': '9000', 'CHAT_HOST': 'h'}, port=7000, host=None)
    assert settings.port == 7000 and settings.host == 'h'


@pytest.mark.parametrize(('var', 'value'), [
    ('CHAT_PORT', 'eighty'), ('CHAT_PORT', '70000'), ('CHAT_NATIVE', 'maybe'),
    ('CHAT_PRESENCE_GRACE', '-1'), ('CHAT_AWAY_AFTER', 'soon'), ('CHAT_TYPING_TTL', 'nan'),
])
def test_bad_values_name_the_variable(var: str, value: str) -> None:
    with pytest.raises(ValueError, match=var):
        Settings.from_env({var: value})


def test_bad_override_is_refused() -> None:
    with pytest.raises(ValueError, match='port'):
        Settings.from_env({}, port=0)


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().port = 1  # type: ignore[misc]


def test_only_config_reads_the_environment() -> None:
    root = Path(__file__).resolve().parents[2] / 'services'
    readers = [p.relative_to(root).as_posix() for p in root.rglob('*.py')
               if 'os.environ' in p.read_text() or 'getenv' in p.read_text()]
    assert readers == ['config.py']


def test_edge_defaults_trust_no_proxy() -> None:
    edge = Settings.from_env({}).edge
    assert edge.trusted_proxies == () and edge.allowed_hosts == ()
    assert (edge.page_burst, edge.pages_per_user, edge.sockets_per_address) == (30, 20, 200)
    assert (edge.header_timeout, edge.shutdown_timeout) == (10.0, 3.0)


def test_edge_values_are_parsed() -> None:
    edge = Settings.from_env({
        'CHAT_TRUSTED_PROXIES': '10.0.0.1, 192.168.0.0/16,,::1', 'CHAT_ALLOWED_HOSTS': 'Chat.Example, b.example',
        'CHAT_PAGE_BURST': '5', 'CHAT_PAGE_EVERY': '2', 'CHAT_PAGES_PER_USER': '3', 'CHAT_SOCKETS_PER_ADDRESS': '4',
        'CHAT_CONNECTIONS_PER_ADDRESS': '6', 'CHAT_MAX_CONNECTIONS': '7', 'CHAT_HEADER_TIMEOUT': '1.5',
        'CHAT_BODY_TIMEOUT': '2.5', 'CHAT_KEEP_ALIVE': '3', 'CHAT_SHUTDOWN_TIMEOUT': '4',
    }).edge
    assert edge.trusted_proxies == ('10.0.0.1/32', '192.168.0.0/16', '::1/128')
    assert edge.allowed_hosts == ('chat.example', 'b.example')
    assert (edge.page_burst, edge.page_every, edge.pages_per_user, edge.sockets_per_address) == (5, 2.0, 3, 4)
    assert (edge.connections_per_address, edge.max_connections) == (6, 7)
    assert (edge.header_timeout, edge.body_timeout, edge.keep_alive, edge.shutdown_timeout) == (1.5, 2.5, 3.0, 4.0)


@pytest.mark.parametrize(('var', 'value'), [
    ('CHAT_TRUSTED_PROXIES', 'proxy.example'), ('CHAT_TRUSTED_PROXIES', '10.0.0.0/33'), ('CHAT_PAGE_BURST', '0'),
    ('CHAT_PAGE_EVERY', '0'), ('CHAT_PAGES_PER_USER', '0'), ('CHAT_HEADER_TIMEOUT', '0'), ('CHAT_KEEP_ALIVE', 'x'),
])
def test_bad_edge_values_name_the_variable(var: str, value: str) -> None:
    with pytest.raises(ValueError, match=var):
        Settings.from_env({var: value})
