"""Work spread over processes that Ctrl-C stops at once.

A ``concurrent.futures`` pool waits, on Ctrl-C, for every queued task to finish; here the workers
ignore Ctrl-C and the pool is terminated when the parent is interrupted, so tasks not yet started
never run and running ones stop (see :mod:`cosolve.interrupt`).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Sequence
from typing import Any


def run_in_processes(
    function: Callable[..., Any],
    arguments: Sequence[tuple],
    jobs: int,
    on_result: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """``[function(*args) for args in arguments]`` in ``jobs`` spawned processes, in order.

    ``on_result(position, value)`` is called (in a helper thread of this process) as each task
    finishes. A task's exception is raised here."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN)) as pool:
        handles = [
            pool.apply_async(
                function,
                args,
                callback=None if on_result is None else (lambda value, position=position: on_result(position, value)),
            )
            for position, args in enumerate(arguments)
        ]
        return [handle.get() for handle in handles]
