import pytest

from services import validation
from services.errors import ValidationError


@pytest.mark.parametrize(('raw', 'clean'), [('  Alice ', 'alice'), ('a.b-c_d', 'a.b-c_d'), ('x' * 32, 'x' * 32)])
def test_usernames_are_stripped_and_lowercased(raw: str, clean: str) -> None:
    assert validation.username(raw) == clean


@pytest.mark.parametrize('raw', ['ab', 'x' * 33, 'al ice', 'alïce', 'a/b', '<script>', '', '   ', None, 5])
def test_bad_usernames_are_refused_with_a_sentence(raw: object) -> None:
    with pytest.raises(ValidationError, match=r'Username .+\.'):
        validation.username(raw)


def test_room_names_follow_the_same_rules() -> None:
    assert validation.room_name(' Dev-Ops ') == 'dev-ops'
    with pytest.raises(ValidationError, match='Room name'):
        validation.room_name('no spaces')


def test_password_length_limits() -> None:
    assert validation.password(' ' * 8) == ' ' * 8
    for bad in ('short', 'x' * 257):
        with pytest.raises(ValidationError, match='Password'):
            validation.password(bad)


def test_topic_is_one_clean_line() -> None:
    assert validation.topic('  Release planning  ') == 'Release planning'
    assert validation.topic('x' * 200) == 'x' * 200
    for bad in ('x' * 201, 'two\nlines', 'bell\x07', 'evil\u202etxt.exe', 'iso\u2066late'):
        with pytest.raises(ValidationError, match='Topic'):
            validation.topic(bad)


def test_message_body_is_normalised() -> None:
    assert validation.message_body('a\r\nb\x00c\td\x1b', 4000) == 'a\nbc\td'


@pytest.mark.parametrize('raw', ['', '   \n\t ', '\x00\x01'])
def test_empty_messages_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match=r'^Message is empty$'):
        validation.message_body(raw, 4000)


def test_too_long_message_says_by_how_much() -> None:
    assert len(validation.message_body('x' * 4000, 4000)) == 4000
    with pytest.raises(ValidationError, match=r'^Message is too long \(4,123 of 4,000 characters\)$'):
        validation.message_body('x' * 4123, 4000)


@pytest.mark.parametrize('raw', ['', 'x' * 65, 'a b', 'a:b', 'é', None])
def test_bad_client_ids(raw: object) -> None:
    with pytest.raises(ValidationError):
        validation.client_id(raw)


def test_good_client_id() -> None:
    assert validation.client_id('Ab_9-' * 12) == 'Ab_9-' * 12


@pytest.mark.parametrize('raw', [-1, 1.5, '3', True, None])
def test_bad_seqs(raw: object) -> None:
    with pytest.raises(ValidationError):
        validation.seq(raw)


def test_limits_are_clamped() -> None:
    assert [validation.limit(n) for n in (-5, 0, 1, 50, 200, 10_000)] == [1, 1, 1, 50, 200, 200]
