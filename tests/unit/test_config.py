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
