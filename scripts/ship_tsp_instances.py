"""Copy the TSPLIB instances of ../shared/data/tsplib into instances/tsp/ with an index.

Files are copied byte for byte; ``index.json`` gets each instance's proven optimal tour
length (TSPLIB's list), node count, edge weight type and fingerprint. Run from the
repository root: ``python scripts/ship_tsp_instances.py ../shared/data/tsplib``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from cosolve.atomic import write_text_atomic
from cosolve.problems import tsp


def main(source: str, target: str = "instances/tsp") -> None:
    source_folder, folder = Path(source), Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    optima = json.loads((source_folder / "optimal.json").read_text())
    index = {}
    for name in sorted(optima, key=lambda n: (tsp.read(source_folder / f"{n}.tsp").n_nodes, n)):
        shutil.copyfile(source_folder / f"{name}.tsp", folder / f"{name}.tsp")
        instance = tsp.read(folder / f"{name}.tsp")
        index[name] = {
            "file": f"{name}.tsp",
            "nodes": instance.n_nodes,
            "edge_weight_type": instance.edge_weight_type,
            "best_known": optima[name],
            "optimal": True,
            "lower_bound": optima[name],
            "fingerprint": instance.fingerprint(),
        }
    write_text_atomic(folder / "index.json", json.dumps(index, indent=1) + "\n")
    print(f"wrote {len(index)} instances to {folder}")


if __name__ == "__main__":
    main(*sys.argv[1:])
