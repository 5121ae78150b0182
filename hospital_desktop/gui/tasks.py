"""The one way to run slow work off the GUI thread.

Work runs on a single database worker thread (so no two pieces of work race each other and
no Session is shared between threads); its result or error comes back on the GUI thread
through a queued signal. Nothing here touches widgets from the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)
T = TypeVar("T")

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class TaskRunner(QObject):
    """``run(work, on_done, on_error)``; ``busy_changed`` tells the window to show activity."""

    busy_changed = Signal(bool)
    _delivered = Signal(object, object)  # callback, value

    def __init__(self, on_unhandled_error: Failed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database")
        self._on_unhandled_error = on_unhandled_error
        self._pending = 0
        self._closed = False
        self._delivered.connect(self._deliver)

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Failed | None = None,
    ) -> Future[T] | None:
        if self._closed:
            return None
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        future = self._executor.submit(work)
        failed = on_error or self._on_unhandled_error

        def finished(done: Future[T]) -> None:  # on the worker thread
            if done.cancelled():  # dropped by shutdown(): nobody is waiting any more
                return
            error = done.exception()
            if error is not None:
                self._delivered.emit(failed, error)
            else:
                self._delivered.emit(on_done or _ignore, done.result())

        future.add_done_callback(finished)
        return future

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if self._closed:
            return
        try:
            callback(value)
        except Exception as error:  # a bug in a callback must not take the window down
            log.exception("task callback failed")
            self._on_unhandled_error(error)

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; finish what is running (a write is never cut in half)."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=True)


def _ignore(_value: Any) -> None:
    return None
