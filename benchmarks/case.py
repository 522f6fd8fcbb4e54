"""One benchmark case: an engine instance with the rules its family's published numbers refer to."""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.rules import Rules


@dataclass(frozen=True, eq=False)
class Case:
    """An instance ready for the engine, with its family, rules and facts for the results table."""

    name: str
    family: str
    instance: object
    rules: Rules
    coordinates: tuple | None = None
    """Planar (x, y) arrays for peers that cluster on coordinates; None when the family has none."""
    notes: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of nodes (practices, counties, clients)."""
        return len(self.instance.codes)
