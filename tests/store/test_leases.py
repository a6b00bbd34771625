"""Leases: one holder at a time; a second holder is refused until the first expires or releases."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import Engine

from connector.store import acquire_lease, lease_holder, release_lease, renew_lease, session_factory

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
TTL = dt.timedelta(seconds=60)


def test_second_holder_refused_until_expiry(engine: Engine) -> None:
    factory = session_factory(engine)
    with time_machine.travel(T0, tick=False):
        with factory.begin() as s:
            assert acquire_lease(s, "scheduler", "host-a:1", TTL)
        with factory.begin() as s:
            assert not acquire_lease(s, "scheduler", "host-b:2", TTL)
            assert lease_holder(s, "scheduler") == "host-a:1"
            assert acquire_lease(s, "other", "host-b:2", TTL)
    with time_machine.travel(T0 + dt.timedelta(seconds=59), tick=False), factory.begin() as s:
        assert not acquire_lease(s, "scheduler", "host-b:2", TTL)
    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        with factory.begin() as s:
            assert lease_holder(s, "scheduler") is None
            assert acquire_lease(s, "scheduler", "host-b:2", TTL)
        with factory.begin() as s:
            assert lease_holder(s, "scheduler") == "host-b:2"
            assert not renew_lease(s, "scheduler", "host-a:1", TTL)
            assert not release_lease(s, "scheduler", "host-a:1")
            assert lease_holder(s, "scheduler") == "host-b:2"


def test_renew_keeps_and_release_frees(engine: Engine) -> None:
    factory = session_factory(engine)
    with time_machine.travel(T0, tick=False), factory.begin() as s:
        assert acquire_lease(s, "scheduler", "a", TTL)
    with time_machine.travel(T0 + dt.timedelta(seconds=50), tick=False), factory.begin() as s:
        assert renew_lease(s, "scheduler", "a", TTL)
        assert acquire_lease(s, "scheduler", "a", TTL)
    with time_machine.travel(T0 + dt.timedelta(seconds=100), tick=False), factory.begin() as s:
        assert not acquire_lease(s, "scheduler", "b", TTL)
        assert release_lease(s, "scheduler", "a")
        assert acquire_lease(s, "scheduler", "b", TTL)


def test_ttl_must_be_positive(engine: Engine) -> None:
    with session_factory(engine)() as s, pytest.raises(ValueError):
        acquire_lease(s, "scheduler", "a", dt.timedelta(0))


def test_concurrent_acquire_has_one_winner(engine: Engine) -> None:
    import threading

    factory = session_factory(engine)
    barrier = threading.Barrier(4)
    wins: list[str] = []
    errors: list[BaseException] = []

    def contend(holder: str) -> None:
        try:
            barrier.wait()
            with factory.begin() as s:
                if acquire_lease(s, "scheduler", holder, TTL):
                    wins.append(holder)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=contend, args=(f"h{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(wins) == 1
    with factory() as s:
        assert lease_holder(s, "scheduler") == wins[0]


def test_take_over_only_from_the_named_holder(engine: Engine) -> None:
    from connector.store import take_over_lease

    factory = session_factory(engine)
    with factory.begin() as s:
        assert acquire_lease(s, "scheduler", "host-a:1", TTL)
    with factory.begin() as s:
        assert not take_over_lease(s, "scheduler", "host-a:2", "host-a:3", TTL)  # not the holder any more
        assert take_over_lease(s, "scheduler", "host-a:1", "host-a:3", TTL)
        assert lease_holder(s, "scheduler") == "host-a:3"
