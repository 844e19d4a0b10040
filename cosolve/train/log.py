"""Training logs: one CSV row per validation, readable by any plotting tool."""

from __future__ import annotations

import csv
from pathlib import Path


def append_csv(path: str | Path, row: dict) -> None:
    """Append ``row`` to the CSV file ``path``, writing the header first when the file is new."""
    path = Path(path)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        if new:
            writer.writeheader()
        writer.writerow({key: f"{value:.6g}" if isinstance(value, float) else value for key, value in row.items()})
