"""Copy a public subset of ../shared/data/bpp into instances/binpacking/ as ``.bpp`` files.

Shipped (byte-identical BPPLIB files, CRLF line endings): every Falkenauer u and t instance
(160), Hard28 (28), Scholl's class 3 (``HARD0``-``HARD9``), and a sample of Scholl's classes 1
and 2: the first instance (``_A``) of each of the 36 class 1 groups and the first (``R0``) of each
of the 48 class 2 groups. ``index.json`` gets each instance's optimum (``bks.json``: BPPLIB's lower
and upper bounds agree for all of them), item count, capacity, L2 bound and fingerprint. Run
from the repository root: ``python scripts/ship_binpacking_instances.py ../shared/data/bpp``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from cosolve.atomic import write_text_atomic
from cosolve.problems import binpacking

SETS = {
    "falkenauer_u": "*.txt",
    "falkenauer_t": "*.txt",
    "hard28": "*.txt",
    "scholl_3": "*.txt",
    "scholl_1": "*_A.txt",
    "scholl_2": "*R0.txt",
}


def main(source: str, target: str = "instances/binpacking") -> None:
    source_folder, folder = Path(source), Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    optima = json.loads((source_folder / "bks.json").read_text())
    index, fingerprints = {}, {}
    for group, pattern in SETS.items():
        for file in sorted((source_folder / group).glob(pattern)):
            instance = binpacking.read(file)
            fingerprint = instance.fingerprint()
            if fingerprint in fingerprints:
                raise SystemExit(f"{file.stem} has the same data as {fingerprints[fingerprint]}")
            fingerprints[fingerprint] = file.stem
            shutil.copyfile(file, folder / f"{file.stem}.bpp")
            index[file.stem] = {
                "file": f"{file.stem}.bpp",
                "set": group,
                "items": instance.n_items,
                "capacity": int(instance.capacity),
                "best_known": optima[file.stem],
                "optimal": True,
                "lower_bound": optima[file.stem],
                "l2": binpacking.l2(instance.weights, instance.capacity),
                "fingerprint": fingerprint,
            }
    write_text_atomic(folder / "index.json", json.dumps(index, indent=1) + "\n")
    print(f"wrote {len(index)} instances to {folder}")


if __name__ == "__main__":
    main(*sys.argv[1:])
