"""Sign-in (issue 17): the lockout holds under parallel guesses on PostgreSQL (one upsert per attempt, no 500), an
unknown name costs the same argon2 work as a known one, and a lock that ended starts the count again."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from tests.world import PASSWORD
from workflows.people.sign_in import LOCK_MINUTES, MAX_FAILURES, LoginRefused
from workflows.tables import login_failures_table, users_table


def _failures(services, username: str) -> int | None:
    with services.engine.connect() as conn:
        return conn.execute(select(login_failures_table.c.failures)
                            .where(login_failures_table.c.username == username)).scalar()


@pytest.fixture
def argon2_checks(monkeypatch) -> list[str]:
    """Every argon2 verification, by the hash it was checked against (the hasher itself still runs)."""
    checked: list[str] = []
    original = PasswordHasher.verify

    def counting(self, hash, password):  # noqa: A002 — argon2's own parameter name
        checked.append(hash if isinstance(hash, str) else hash.decode())
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return checked


def test_ten_parallel_wrong_passwords_on_postgresql_lock_the_name_and_raise_nothing_but_refusals(postgres_services):
    services = postgres_services
    start = threading.Barrier(10)
    escaped: list[BaseException] = []

    def guess(n: int) -> None:
        start.wait()
        try:
            services.web.sign_in("clerk", f"guess-{n}", "203.0.113.9")
        except LoginRefused:
            pass
        except BaseException as error:  # a UniqueViolation here was the 500 of the issue
            escaped.append(error)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert escaped == []
    assert _failures(services, "clerk") == 10  # every guess was counted, none lost to a race
    with pytest.raises(LoginRefused, match="锁定"):
        services.web.sign_in("clerk", PASSWORD)  # even the right password, until the lock ends
    services.clock.advance_to(services.clock.now() + dt.timedelta(minutes=LOCK_MINUTES, seconds=1))
    assert services.web.sign_in("clerk", PASSWORD).user.username == "clerk"
    assert _failures(services, "clerk") is None  # a success clears the count


def test_parallel_guesses_check_at_most_the_limit_against_the_real_hash(postgres_services, argon2_checks):
    """The attempt is counted before the password is checked: guesses beyond the limit never reach the real hash."""
    services = postgres_services
    start = threading.Barrier(8)

    def guess(n: int) -> None:
        start.wait()
        try:
            services.web.sign_in("head", f"guess-{n}")
        except LoginRefused:
            pass

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with services.engine.connect() as conn:
        real = conn.execute(select(users_table.c.password_hash).where(users_table.c.username == "head")).scalar_one()
    assert len(argon2_checks) == 8  # the same work for every attempt…
    assert argon2_checks.count(real) == MAX_FAILURES  # …but only the first five against the real hash


def test_an_unknown_name_goes_through_argon2_like_a_known_one(services, argon2_checks):
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        services.web.sign_in("nobody-here", "whatever")
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        services.web.sign_in("clerk", "whatever")
    assert len(argon2_checks) == 2  # one verification each: the answer's time does not tell which name exists


def test_a_name_no_user_can_have_is_refused_like_a_wrong_password_with_no_row_and_no_error(services, argon2_checks):
    """Over 100 characters or with a NUL (PostgreSQL refuses both in a String(100) column): the same answer."""
    for name in ("x" * 101, "a\x00b", "y" * 100_000):
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            services.web.sign_in(name, "whatever")
    assert len(argon2_checks) == 3
    with services.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(login_failures_table)).scalar_one() == 0


def test_five_wrong_passwords_lock_even_the_right_one_and_a_lock_that_ended_starts_the_count_again(services):
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginRefused) as refused:
            services.web.sign_in("clerk", "wrong")
        assert "锁定" not in str(refused.value)
    with pytest.raises(LoginRefused, match=f"已被锁定{LOCK_MINUTES}分钟"):
        services.web.sign_in("clerk", "wrong")
    with pytest.raises(LoginRefused, match="锁定"):
        services.web.sign_in("clerk", PASSWORD)
    services.clock.advance_to(services.clock.now() + dt.timedelta(minutes=LOCK_MINUTES + 1))
    with pytest.raises(LoginRefused) as refused:
        services.web.sign_in("clerk", "wrong")
    assert "锁定" not in str(refused.value)  # one failure after the lock, not the sixth in a row
    assert _failures(services, "clerk") == 1
    assert services.web.sign_in("clerk", PASSWORD).user.username == "clerk"


def test_the_counts_of_names_not_tried_for_a_day_are_cleared_so_guessed_names_do_not_pile_up(services):
    for n in range(20):
        with pytest.raises(LoginRefused):
            services.web.sign_in(f"guessed-{n}", "whatever")
    with pytest.raises(LoginRefused):
        services.web.sign_in("clerk", "wrong")
    services.clock.advance_to(services.clock.now() + dt.timedelta(days=1, minutes=1))
    with pytest.raises(LoginRefused):
        services.web.sign_in("head", "wrong")  # tried just now: kept
    services.web.sign_in("clerk", PASSWORD)
    with services.engine.connect() as conn:
        left = conn.execute(select(login_failures_table.c.username)).scalars().all()
    assert left == ["head"]


def test_a_failure_a_day_old_does_not_count_towards_the_lock(services):
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginRefused):
            services.web.sign_in("clerk", "wrong")
    services.clock.advance_to(services.clock.now() + dt.timedelta(days=1, minutes=1))
    with pytest.raises(LoginRefused) as refused:
        services.web.sign_in("clerk", "wrong")
    assert "锁定" not in str(refused.value) and _failures(services, "clerk") == 1
