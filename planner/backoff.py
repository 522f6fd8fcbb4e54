"""Exponential back-off for a costly step tried between sweeps: after a try that gains nothing the next 1,
then 2, 4, ... chances go without it, and a try that gains resets the pause."""

from __future__ import annotations


class Backoff:
    """Whether a step is due at this chance, given what its last tries gained."""

    def __init__(self) -> None:
        self.rest, self.pause = 0, 1

    def due(self) -> bool:
        """True when the step is tried at this chance; a chance spent resting counts down the rest."""
        if self.rest:
            self.rest -= 1
            return False
        return True

    def tried(self, gained: bool) -> None:
        """Note a try's outcome: a gain makes the step due at every chance again; none doubles the pause."""
        if gained:
            self.pause = 1
        else:
            self.rest, self.pause = self.pause, 2 * self.pause
