"""A deadline passed into long-running work so it can stop cooperatively.

Engine-neutral: the scoring loop, facet counting and snippet building take a
:class:`Deadline` and call :meth:`Deadline.expired` (cheap: one clock read) between units of
work; past it they stop and say so (a partial result) or raise :class:`DeadlineExceeded`
via :meth:`Deadline.check`.  ``Deadline.none()`` never expires.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


class DeadlineExceeded(TimeoutError):
    """A search ran past its time budget before it had anything to show."""

    def __init__(self, budget_ms: float, stage: str = "") -> None:
        self.budget_ms = budget_ms
        self.stage = stage
        where = f" ({stage})" if stage else ""
        super().__init__(
            f"this search took too long (over {budget_ms:,.0f} ms{where}); "
            "try a more specific query or a filter"
        )


@dataclass
class Deadline:
    """The moment a piece of work must stop by: ``budget_ms`` from creation (``None``: never).

    ``expired()`` says whether it has passed; ``check(stage)`` raises
    :class:`DeadlineExceeded` when it has; ``hit`` records that some step stopped early, so
    the caller can mark its result as partial.
    """

    budget_ms: float | None
    started: float = field(default_factory=time.monotonic)
    hit: bool = False

    @classmethod
    def none(cls) -> Deadline:
        """A deadline that never expires."""
        return cls(None)

    @property
    def at(self) -> float:
        """The ``time.monotonic()`` value it expires at (``inf`` for none)."""
        if self.budget_ms is None or self.budget_ms <= 0:
            return float("inf")
        return self.started + self.budget_ms / 1000

    def remaining(self) -> float:
        """Seconds left (``inf`` for none; never below 0)."""
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        """Whether the deadline has passed; the first True also sets :attr:`hit`."""
        if time.monotonic() >= self.at:
            self.hit = True
            return True
        return False

    def check(self, stage: str = "") -> None:
        """Raise :class:`DeadlineExceeded` (naming ``stage``) if the deadline has passed."""
        if self.expired():
            raise DeadlineExceeded(float(self.budget_ms or 0), stage)
