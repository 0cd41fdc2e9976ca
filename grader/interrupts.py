"""Interrupts (a grader's SIGTERM, Ctrl-C) raised as KeyboardInterrupt only where it is safe.

A signal handler's exception surfaces at whatever bytecode the main thread is at. Inside a
Docker call that can be the moment after queue.LifoQueue (urllib3's connection pool) took its
mutex, which then stays held: the cleanup's next call on the same client waits for it forever.
And a `containers create` cut short leaves the engine making the container after the grader
looked for it by name. Such calls run with interrupts held: the interrupt is raised when they
end, and they end within the client's timeout."""
from __future__ import annotations

import threading
from contextlib import contextmanager

_held = 0           # main-thread sections holding interrupts back
_pending = False    # an interrupt came while held


def interrupt() -> None:
    """The handler's part: KeyboardInterrupt now, or when the held section ends."""
    global _pending
    if _held:
        _pending = True
        return
    raise KeyboardInterrupt


@contextmanager
def held():
    """Hold interrupts back from the block (signal handlers run in the main thread only: in
    another thread this changes nothing); one that came meanwhile is raised when it ends."""
    global _held, _pending
    main = threading.current_thread() is threading.main_thread()
    if main:
        _held += 1
    try:
        yield
    finally:
        if main:
            _held -= 1
            if not _held and _pending:
                _pending = False
                raise KeyboardInterrupt
