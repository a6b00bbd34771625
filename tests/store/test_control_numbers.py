"""Control numbers are handed out once: sequentially, across rollbacks, and under concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from connector.errors import StorageError
from connector.store import ControlNumber, allocate_control_numbers, make_engine, session_factory, start_run
from connector.store.repo_control import MAX_CONTROL_NUMBER, peek_next_control_number


def test_allocations_are_consecutive_and_disjoint(session: Session) -> None:
    assert peek_next_control_number(session, "ISA13") == 1
    first = allocate_control_numbers(session, "ISA13", 3)
    second = allocate_control_numbers(session, "ISA13")
    third = allocate_control_numbers(session, "ISA13", 5)
    assert list(first) == [1, 2, 3]
    assert list(second) == [4]
    assert list(third) == [5, 6, 7, 8, 9]
    assert list(allocate_control_numbers(session, "GS06", 2)) == [1, 2]
    assert peek_next_control_number(session, "ISA13") == 10


def test_caller_rollback_does_not_give_numbers_back(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory() as session:
        taken = allocate_control_numbers(session, "ST02", 2)
        session.rollback()
    with factory() as session:
        again = allocate_control_numbers(session, "ST02", 2)
    assert set(taken).isdisjoint(again)
    assert again.start == taken.stop


def test_zero_count_is_refused(session: Session) -> None:
    with pytest.raises(ValueError):
        allocate_control_numbers(session, "ISA13", 0)


def test_exhausted_counter_stops_instead_of_wrapping(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory() as session:
        allocate_control_numbers(session, "ISA13")
        session.execute(update(ControlNumber).values(next_value=MAX_CONTROL_NUMBER))
        session.commit()
        assert list(allocate_control_numbers(session, "ISA13")) == [MAX_CONTROL_NUMBER]
        with pytest.raises(StorageError, match="exhausted"):
            allocate_control_numbers(session, "ISA13")


def _in_threads(workers: int, work: Callable[[], None]) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def run() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


@pytest.mark.parametrize("engines", ["shared engine", "engine per worker"])
def test_concurrent_allocations_never_overlap(engine: Engine, db_url: str, engines: str) -> None:
    taken: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        own = make_engine(db_url) if engines == "engine per worker" else engine
        try:
            with session_factory(own)() as session:
                for size in (1, 2, 3) * 10:
                    numbers = allocate_control_numbers(session, "ISA13", size)
                    with lock:
                        taken.extend(numbers)
        finally:
            if own is not engine:
                own.dispose()

    _in_threads(4, work)
    assert len(taken) == 4 * 60
    assert sorted(taken) == list(range(1, 4 * 60 + 1))


def test_pending_writes_in_the_callers_session(engine: Engine) -> None:
    """PostgreSQL allocates beside an open write; SQLite refuses at once instead of waiting on a lock."""
    with session_factory(engine)() as session:
        start_run(session, "claims")
        if engine.dialect.name == "sqlite":
            with pytest.raises(StorageError, match="commit"):
                allocate_control_numbers(session, "ISA13")
            session.commit()
        assert list(allocate_control_numbers(session, "ISA13")) == [1]
        session.rollback()
        assert list(allocate_control_numbers(session, "ISA13")) == [2]
