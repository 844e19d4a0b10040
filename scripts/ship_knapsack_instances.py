"""Copy the knapsack instances of ../shared/data/knapsack into instances/knapsack/ as ``.kp``.

Pisinger's large-scale files and the low-dimensional ones with integer data (f5 has real
values and is skipped: cosolve reads integer knapsack data only); ``index.json`` gets each
instance's proven optimum (``optima.json``), item count, capacity and fingerprint. Run from
the repository root: ``python scripts/ship_knapsack_instances.py ../shared/data/knapsack``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.problems import knapsack


def main(source: str, target: str = "instances/knapsack") -> None:
    source_folder, folder = Path(source), Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    optima = json.loads((source_folder / "optima.json").read_text())
    index = {}
    for file in sorted(source_folder.glob("*/*")):
        if file.name not in optima:
            continue
        try:
            instance = knapsack.read(file)
        except CosolveInputError as error:
            print(f"skipped: {error}")
            continue
        shutil.copyfile(file, folder / f"{file.name}.kp")
        index[file.name] = {
            "file": f"{file.name}.kp",
            "set": file.parent.name,
            "items": instance.n_items,
            "capacity": int(instance.capacity),
            "best_known": optima[file.name],
            "optimal": True,
            "lower_bound": optima[file.name],
            "fingerprint": instance.fingerprint(),
        }
    write_text_atomic(folder / "index.json", json.dumps(index, indent=1) + "\n")
    print(f"wrote {len(index)} instances to {folder}")


if __name__ == "__main__":
    main(*sys.argv[1:])
