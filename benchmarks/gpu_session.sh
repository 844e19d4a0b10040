#!/usr/bin/env bash
# Every GPU figure of benchmarks/README.md in one run (about 8 minutes on an H200), for a
# lent GPU machine whose python3 already holds torch and torch-geometric; OR-Tools is not
# needed there (the CP-SAT columns run on the CPU: benchmarks/jssp_cpsat_equal_time.py).
#
#   OUT=gpu_out bash benchmarks/gpu_session.sh
#   DEVICE=cpu QUICK=1 OUT=/tmp/out bash benchmarks/gpu_session.sh   # smoke test on a CPU
#
# 1. throughput: MWKR and the shipped policy (greedy) on 16,384 random 15x15 instances;
# 2. Taillard and 3. DMU: gnn greedy, gnn:sample=128 and every rule, per size group.
# The result files land in $OUT.
set -u
OUT=${OUT:-gpu_out}
DEVICE=${DEVICE:-cuda}
QUICK=${QUICK:+--quick}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
for package in problems gnn baselines instances; do  # the package-dir layout of pyproject.toml
    [ -e "cosolve/$package" ] || ln -s "../$package" "cosolve/$package"
done
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null
python3 -c "import torch, torch_geometric; print('torch', torch.__version__, 'pyg', torch_geometric.__version__)"
results=benchmarks/results
timeout 120 python3 benchmarks/jssp_env_speed.py --device "$DEVICE" $QUICK && cp "$results/jssp_env_speed_$DEVICE.json" "$OUT"/
timeout 120 python3 benchmarks/jssp_gnn_speed.py --device "$DEVICE" $QUICK && cp "$results/jssp_gnn_speed_$DEVICE.json" "$OUT"/
for family in ta dmu; do
    name=jssp_${family}_sample128_$DEVICE
    timeout 300 python3 benchmarks/jssp_taillard.py --set $family --device "$DEVICE" --samples 128 --no-cpsat \
        --threads 4 --name "$name" $QUICK
    cp "$results/$name.json" "$OUT"/  # written after every group, so a cut run keeps what it measured
done
ls -la "$OUT"
