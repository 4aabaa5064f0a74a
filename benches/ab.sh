#!/bin/bash
# Compares two builds of a divan bench binary on one bench, alternating
# them round by round so both meet the same load.
#
# usage: bash benches/ab.sh FILTER SAMPLES ROUNDS BINARY_A BINARY_B
#   e.g. bash benches/ab.sh 'peers_sir_commsim$' 20 8 /tmp/engine-old /tmp/engine-new
# Build each binary with `cargo bench --bench engine --no-run` (it prints
# the path) and copy it aside. Prints, per binary, the fastest sample over
# all rounds and the median of the rounds' medians.
set -euo pipefail
F=$1; N=$2; R=$3; A=$4; B=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for _ in $(seq "$R"); do
  for b in "$A" "$B"; do
    "$b" --bench "$F" --sample-count "$N" 2>&1 | grep -E '(├|╰)─' |
      awk -v b="$(basename "$b")" '{print b, $2, $3, $4, $9, $10}' >> "$tmp/all"
  done
done
python3 - "$tmp/all" <<'PY'
import sys, collections, statistics
unit = {'ns': 1e-6, 'µs': 1e-3, 'us': 1e-3, 'ms': 1.0, 's': 1e3}
d = collections.defaultdict(lambda: ([], []))
for line in open(sys.argv[1]):
    b, name, f, fu, m, mu = line.split()
    d[(name, b)][0].append(float(f) * unit[fu])
    d[(name, b)][1].append(float(m) * unit[mu])
for (name, b), (fast, med) in sorted(d.items()):
    print(f"{name:28s} {b:20s} fastest {min(fast):8.2f} ms  median of medians {statistics.median(med):8.2f} ms  ({len(med)} rounds)")
PY
