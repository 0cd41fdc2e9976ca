"""An outage of what a batch's graders need: the local Docker engine, or the Dask scheduler."""
from __future__ import annotations

import threading
import time

OUTAGE_LIMIT = 300   # seconds without an answer before a batch gives up


class Outage:
    """What the graders need (the local Docker engine, or the Dask scheduler) as a batch sees it.
    When a grading fails while it does not answer, that is an outage, not the submission's
    failure: no grading starts until it answers again, and the ones it cut short are graded
    again from the start. An outage longer than `limit` seconds ends the batch."""

    def __init__(self, what: str, answers, limit: float, say):
        self.what, self.answers, self.limit, self.say = what, answers, limit, say
        self.reason = f"{what} unreachable"
        self.answering = threading.Event()
        self.answering.set()
        self.gave_up = False
        self._lock = threading.Lock()

    def explains(self, outcome: dict) -> bool:
        """Whether an outage explains this failed grading: one that its pool says was cut short
        by it, or that failed while it does not answer."""
        if outcome["gradable"]:
            return False
        with self._lock:
            if not self.answering.is_set() or self.gave_up:
                return True
            if not outcome.get("cut_short") and self.answers():
                return False
            self.answering.clear()
        since = time.time()
        self.say(f"{self.what} not answering since "
                 f"{time.strftime('%H:%M:%S', time.localtime(since))}; waiting")
        threading.Thread(target=self._wait_for_it, args=(since,), daemon=True).start()
        return True

    def _wait_for_it(self, since: float) -> None:
        while time.time() - since < self.limit:
            time.sleep(1)
            if self.answers():
                self.say(f"{self.what} answering again after {time.time() - since:.0f} s; "
                         "grading what the outage cut short again")
                self.answering.set()
                return
        self.say(f"{self.what} not answering for {self.limit:g} s: giving up")
        self.gave_up = True
        self.answering.set()

    def gate(self) -> bool:
        """Wait while it is out; False once the batch has given up on it."""
        self.answering.wait()
        return not self.gave_up

    def then(self, action) -> None:
        """Do action once the outage is over (or given up on), without waiting here."""
        threading.Thread(target=lambda: (self.answering.wait(), action()), daemon=True).start()
