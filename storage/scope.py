"""Which rows a report may read: an area and what lies below it. Every report query asks here."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, true

LEVELS = ("province", "commune", "village")


@dataclass(frozen=True)
class Scope:
    """An area id ("" = every area; "ha-noi/hong-ha" = that ward and its villages)."""

    area_id: str = ""

    @property
    def level(self) -> int:
        """-1 for every area, then 0 province, 1 commune, 2 village."""
        return self.area_id.count("/") if self.area_id else -1

    def where(self, table: Table) -> Any:
        """The condition that keeps `table`'s rows (it has area_* columns) inside the scope."""
        if self.level < 0:
            return true()
        return table.c[f"area_{LEVELS[self.level]}"] == self.area_id

    def part_column(self, table: Table) -> Any:
        """The column naming the part of the scope a row is in (a province, a commune...);
        None at village level, which has no parts."""
        below = self.level + 1
        return table.c[f"area_{LEVELS[below]}"] if below < len(LEVELS) else None

    def contains(self, area_id: str) -> bool:
        """Whether `area_id` is this scope's area or lies below it."""
        return not self.area_id or area_id == self.area_id \
            or area_id.startswith(self.area_id + "/")

    def narrow(self, area_id: str) -> "Scope | None":
        """The scope of `area_id` if it lies inside this one; None for anything else."""
        return Scope(area_id) if self.contains(area_id) else None
