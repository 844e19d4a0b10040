"""Ctrl-C that stops every command within two seconds.

Python turns Ctrl-C into ``KeyboardInterrupt`` only when the main thread runs Python code; a
native solver (CP-SAT, the routing solver, a long torch call) would finish its time limit first,
and CP-SAT's own Ctrl-C handler would quietly return its best solution as if nothing happened.
While :func:`installed` (the CLI's ``main`` installs it):

* a watcher thread learns of the signal at once (``signal.set_wakeup_fd``) and stops the native
  solver that registered itself with :func:`stoppable`: CP-SAT (:func:`solve_cp_sat`) returns its
  best solution so far, which the caller marks as interrupted; the routing solver
  (:func:`solve_routing`) polls for the signal itself;
* outside such a region Ctrl-C raises ``KeyboardInterrupt`` as usual;
* if the process is still alive :data:`GRACE_S` seconds after the signal (stuck in native code
  that cannot be stopped), the watcher prints ``cosolve: interrupted`` and exits with 130;
  a second Ctrl-C does so at once.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

GRACE_S = 1.5
"""Seconds between Ctrl-C and the forced exit of a process stuck in native code."""
EXIT_CODE = 130
MESSAGE = "cosolve: interrupted"

_requested = threading.Event()
_stops: list[Callable[[], None]] = []
_deadlines: list[threading.Timer] = []  # forced exits armed by the watcher
_lock = threading.Lock()


class Interrupted(Exception):
    """Ctrl-C, with what the command had done by then (printed after ``cosolve: interrupted``).

    Not a ``KeyboardInterrupt``: the argument parser would swallow that and its detail."""

    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail


def requested() -> bool:
    """True once Ctrl-C was pressed (since :func:`installed` began)."""
    return _requested.is_set()


def check() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed: call between units of work."""
    if _requested.is_set():
        raise KeyboardInterrupt


@contextmanager
def stoppable(stop: Callable[[], None]) -> Iterator[None]:
    """While the block runs, Ctrl-C calls ``stop`` (from another thread) instead of raising.

    ``stop`` must be thread-safe and make the native call in the block return soon. A block
    entered after Ctrl-C raises ``KeyboardInterrupt`` at once: no new work starts."""
    check()
    with _lock:
        _stops.append(stop)
    try:
        yield
    finally:
        with _lock:
            _stops.remove(stop)


def solve_cp_sat(solver: Any, model: Any, keep_best: bool = True) -> Any:
    """``solver.solve(model)``, stoppable by Ctrl-C; returns the CP-SAT status.

    With ``keep_best`` an interrupted search returns its best solution so far (the caller
    reports it as interrupted: :func:`requested` is true); without, it raises ``KeyboardInterrupt``.
    CP-SAT's own Ctrl-C handler is turned off: it would hide the interruption."""
    solver.parameters.catch_sigint_signal = False
    with stoppable(solver.stop_search):
        status = solver.solve(model)
    if not keep_best:
        check()
    return status


def solve_routing(routing: Any, parameters: Any, initial: Any = None) -> Any:
    """``routing.SolveWithParameters(parameters)`` (OR-Tools' routing solver; from the assignment
    ``initial`` when given), stoppable by Ctrl-C; returns the assignment, the best so far when
    interrupted (:func:`requested` is true).

    The routing solver keeps the interpreter lock while it searches, so no other thread can stop
    it: a search limit asks :func:`requested` at each step instead (about a microsecond each)."""
    limit = routing.solver().CustomLimit(_requested.is_set)
    routing.AddSearchMonitor(limit)
    with stoppable(lambda: None):
        if initial is not None:
            return routing.SolveFromAssignmentWithParameters(initial, parameters)
        return routing.SolveWithParameters(parameters)


def _on_signal(signum: int, frame: Any) -> None:
    """The main thread's SIGINT handler."""
    _requested.set()
    with _lock:
        inside_stoppable = bool(_stops)
    if not inside_stoppable:
        raise KeyboardInterrupt


def _force_exit() -> None:
    os.write(2, (MESSAGE + "\n").encode())
    os._exit(EXIT_CODE)


def _watch(reader: socket.socket, done: threading.Event) -> None:
    """Watcher thread: on SIGINT stop the registered solvers and arm the forced exit."""
    deadline: threading.Timer | None = None
    while not done.is_set():
        try:
            data = reader.recv(64)
        except OSError:
            return
        if not data or done.is_set():
            return
        if signal.SIGINT not in data:
            continue
        if deadline is not None:  # the second Ctrl-C
            _force_exit()
        _requested.set()
        with _lock:
            stops = list(_stops)
        for stop in stops:
            stop()
        deadline = threading.Timer(GRACE_S, _force_exit)
        deadline.daemon = True
        deadline.start()
        _deadlines.append(deadline)


@contextmanager
def installed() -> Iterator[None]:
    """Install the Ctrl-C handling for the block (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous_handler = signal.signal(signal.SIGINT, _on_signal)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    done = threading.Event()
    watcher = threading.Thread(target=_watch, args=(reader, done), name="cosolve-interrupt", daemon=True)
    watcher.start()
    _requested.clear()
    try:
        yield
    finally:
        done.set()
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous_handler)
        writer.close()  # the watcher reads the end of the stream and stops
        watcher.join()
        reader.close()
        for deadline in _deadlines:  # after the join: the watcher arms no more
            deadline.cancel()
        _deadlines.clear()
        _requested.clear()  # a later installation (or a library call) starts afresh
        sys.stderr.flush()
