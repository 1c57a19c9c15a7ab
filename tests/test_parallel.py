"""The one worker pool: ordered results, no more workers than tasks or cores,
a dying worker's tasks handed back, a clean teardown."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tianbao.support import parallel

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="forked workers")


def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


@pytest.mark.parametrize(
    ("jobs", "tasks", "most"),
    [(1, 10, 1), (2, 1, 1), (150, 2, 2), (9999, 50, parallel.cores()), (0, 5, 1)],
)
def test_workers_for__never_more_than_tasks_or_cores(jobs: int, tasks: int, most: int) -> None:
    assert parallel.workers_for(jobs, tasks) == min(most, parallel.cores())


def test_ordered__results_in_input_order_on_at_most_the_tasks_workers() -> None:
    items = list(range(7))
    got = list(parallel.ordered(square_with_pid, items, lambda n: (n,), 9999, count=2, window=2))
    assert [item for item, _ in got] == items
    assert [value for _, (value, _pid) in got] == [n * n for n in items]
    pids = {pid for _, (_value, pid) in got}
    assert os.getpid() not in pids and len(pids) <= 2


def test_ordered__a_dying_worker_hands_its_tasks_back() -> None:
    def dies_on_three(n: int) -> int:
        if n == 3:
            os._exit(3)
        return n

    got = dict(parallel.ordered(dies_on_three, range(6), lambda n: (n,), 1, count=6, window=1))
    assert [got[n] for n in range(3)] == [0, 1, 2]
    assert all(got[n] is parallel.FAILED for n in range(3, 6))


def test_ordered__items_not_sent_come_back_failed() -> None:
    got = dict(
        parallel.ordered(square_with_pid, range(4), lambda n: None if n % 2 else (n,), 2, count=4)
    )
    assert got[1] is parallel.FAILED and got[3] is parallel.FAILED
    assert got[2][0] == 4


def test_ordered__a_raising_task_comes_back_failed() -> None:
    def fails_on_one(n: int) -> int:
        if n == 1:
            raise ValueError("bug")
        return n

    got = dict(parallel.ordered(fails_on_one, range(3), lambda n: (n,), 2, count=3))
    assert got == {0: 0, 1: parallel.FAILED, 2: 2}


def double(n: int) -> int:
    return 2 * n


def negate(n: int) -> int:
    return -n


def test_two_pools_one_inside_the_other__each_runs_its_own_task() -> None:
    first = parallel.ordered(double, range(4), lambda n: (n,), 2, count=4, window=1)
    got_first = [next(first)]  # its workers are running when the second pool starts
    got_second = list(parallel.ordered(negate, range(4), lambda n: (n,), 2, count=4))
    got_first += list(first)
    assert got_first == [(n, 2 * n) for n in range(4)]
    assert got_second == [(n, -n) for n in range(4)]


def test_two_pools_on_two_threads__each_runs_its_own_task() -> None:
    # each thread sends its first item only when both pools are made and neither has
    # forked yet: a task kept for the workers in one place would reach both as the
    # one set last
    both_made = threading.Barrier(2)
    got: dict[str, list[tuple[int, Any]]] = {}

    def send(n: int) -> tuple[int]:
        if n == 0:
            both_made.wait(timeout=60)
        return (n,)

    def request(name: str, task: Callable[[int], int]) -> None:
        got[name] = list(parallel.ordered(task, range(5), send, 2, count=5, timeout=60))

    threads = [
        threading.Thread(target=request, args=("double", double)),
        threading.Thread(target=request, args=("negate", negate)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == {
        "double": [(n, 2 * n) for n in range(5)],
        "negate": [(n, -n) for n in range(5)],
    }


def test_ordered__idle_runs_while_a_result_is_awaited(tmp_path: Any) -> None:
    """A task that can finish only after the caller's ``idle()`` has run (it waits for
    a pipe the callback opens): the run ends, so ``idle`` ran while it was awaited."""
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    said: list[int] = []

    def waits_for_idle(n: int) -> int:
        if n == 1:
            with open(fifo, "rb") as fh:  # blocks until idle() opens the other end
                return n + len(fh.read())
        return n

    def idle() -> None:
        said.append(len(said))
        if len(said) == 1:
            with open(fifo, "wb") as fh:
                fh.write(b"go")

    run = parallel.ordered(
        waits_for_idle, range(2), lambda n: (n,), 1, count=2, timeout=120, idle=idle
    )  # the timeout only turns a hang (idle never called) into a failure
    assert dict(run) == {0: 0, 1: 3} and said
