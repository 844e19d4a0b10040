"""Write the job shop benchmarks of ../shared/data/jssp/benchmarks.json into instances/jssp/.

One JSPLIB-format file per instance plus ``index.json`` with best-known makespans, proven
optimality, lower bounds and fingerprints. Run from the repository root:
``python scripts/ship_jssp_instances.py ../shared/data/jssp/benchmarks.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from cosolve.atomic import write_text_atomic
from cosolve.problems.jssp import Instance, write

SETS = {
    "abz": "Adams, Balas and Zawack (1988)",
    "dmu": "Demirkol, Mehta and Uzsoy (1998)",
    "ft": "Fisher and Thompson (1963)",
    "la": "Lawrence (1984)",
    "orb": "Applegate and Cook (1991)",
    "swv": "Storer, Wu and Vaccari (1992)",
    "ta": "Taillard (1993)",
    "yn": "Yamada and Nakano (1992)",
}


def main(source: str, target: str = "instances/jssp") -> None:
    data = json.loads(Path(source).read_text())
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    index = {}
    for source_name in sorted(data, key=lambda n: (n.rstrip("0123456789"), int(n[len(n.rstrip("0123456789")) :] or 0))):
        entry = data[source_name]
        # JSPLIB and OR-Library call Yamada and Nakano's instances yn1..yn4.
        name = "yn" + source_name[2:].lstrip("0") if source_name.startswith("yn") else source_name
        instance = Instance(
            name, np.array(entry["machine_order"], dtype=np.int64), np.array(entry["processing_times"], dtype=np.int64)
        )
        assert instance.shape == (entry["jobs"], entry["machines"]), name
        family = SETS[name.rstrip("0123456789")]
        lower_bound = entry.get("lower_bound", entry["best_known_makespan"] if entry["optimal"] else None)
        # A lower bound equal to a known makespan proves it optimal (the source leaves some unflagged).
        optimal = bool(entry["optimal"]) or lower_bound == entry["best_known_makespan"]
        if optimal:
            status = "optimal"
        else:
            status = "best known" + (f", lower bound {lower_bound}" if lower_bound is not None else "")
        comment = (
            f"{name}: {family}, {instance.n_jobs} jobs x {instance.n_machines} machines\n"
            f"makespan {entry['best_known_makespan']} ({status})"
        )
        write(folder / f"{name}.jsp", instance, comment=comment)
        index[name] = {
            "file": f"{name}.jsp",
            "jobs": instance.n_jobs,
            "machines": instance.n_machines,
            "best_known": entry["best_known_makespan"],
            "optimal": optimal,
            "lower_bound": lower_bound,
            "fingerprint": instance.fingerprint(),
        }
    write_text_atomic(folder / "index.json", json.dumps(index, indent=1) + "\n")
    print(f"wrote {len(index)} instances to {folder}")


if __name__ == "__main__":
    main(*sys.argv[1:])
