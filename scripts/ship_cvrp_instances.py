"""Copy the CVRPLIB instances of ../shared/data/cvrplib (X, A, B, P) into instances/cvrp/.

Files are copied byte for byte; ``index.json`` gets each instance's best-known cost
(``bks.json``: X from its solution files, two newer CVRPLIB values; A/B/P the optima of
their COMMENT lines), node count, capacity and fingerprint. Run from the repository root:
``python scripts/ship_cvrp_instances.py ../shared/data/cvrplib``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from cosolve.atomic import write_text_atomic
from cosolve.problems import cvrp

PROVEN_OPTIMAL_SETS = ("A", "B", "P")
"""The Augerat sets' COMMENT values are proven optima (for the fleet size in the name)."""


def main(source: str, target: str = "instances/cvrp") -> None:
    source_folder, folder = Path(source), Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    best = json.loads((source_folder / "bks.json").read_text())
    index = {}
    for file in sorted(source_folder.glob("*/*.vrp")):
        name = file.stem
        shutil.copyfile(file, folder / file.name)
        instance = cvrp.read(folder / file.name)
        index[name] = {
            "file": file.name,
            "set": file.parent.name,
            "customers": instance.n_customers,
            "capacity": int(instance.capacity),
            "best_known": best[name],
            "optimal": file.parent.name in PROVEN_OPTIMAL_SETS,
            "lower_bound": best[name] if file.parent.name in PROVEN_OPTIMAL_SETS else None,
            "fingerprint": instance.fingerprint(),
        }
    write_text_atomic(folder / "index.json", json.dumps(index, indent=1) + "\n")
    print(f"wrote {len(index)} instances to {folder}")


if __name__ == "__main__":
    main(*sys.argv[1:])
