#!/bin/bash
# Compares two builds of a divan bench binary on one bench, alternating
# them round by round so both meet the same load.
#
# usage: bash benches/ab.sh FILTER SAMPLES ROUNDS BINARY_A BINARY_B
#   e.g. bash benches/ab.sh 'peers_sir_commsim$' 20 8 /tmp/engine-old /tmp/engine-new
# Build each binary with `cargo bench --bench engine --no-run` (it prints
# the path) and copy it aside. Prints, per binary, the fastest sample over
# all rounds and the median of the rounds' medians; then, per bench, the
# median over rounds of B's median / A's median in the same round, with
# its quartiles (the machine's load moves within minutes: a round's two
# binaries meet nearly the same, so the paired ratio spreads less).
set -euo pipefail
F=$1; N=$2; R=$3; A=$4; B=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq "$R"); do
  for b in "$A" "$B"; do
    "$b" --bench "$F" --sample-count "$N" 2>&1 | grep -E '(├|╰)─' |
      awk -v b="$b" -v r="$r" '{print r, b, $2, $3, $4, $9, $10}' >> "$tmp/all"
  done
done
python3 - "$tmp/all" "$A" "$B" <<'PY'
import sys, collections, statistics
unit = {'ns': 1e-6, 'µs': 1e-3, 'us': 1e-3, 'ms': 1.0, 's': 1e3}
rounds = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, b, name, f, fu, m, mu = line.split()
    rounds[(name, r)][b] = (float(f) * unit[fu], float(m) * unit[mu])
A, B = sys.argv[2], sys.argv[3]
for name in sorted({n for n, _ in rounds}):
    rs = [v for (n, _), v in rounds.items() if n == name and A in v and B in v]
    for b in (A, B):
        fast = min(v[b][0] for v in rs)
        med = statistics.median(v[b][1] for v in rs)
        print(f"{name:28s} {b.split('/')[-1]:20s} fastest {fast:8.2f} ms  median of medians {med:8.2f} ms  ({len(rs)} rounds)")
    ratios = sorted(v[B][1] / v[A][1] for v in rs)
    q = statistics.quantiles(ratios, n=4) if len(ratios) >= 4 else [ratios[0], 0, ratios[-1]]
    print(f"{name:28s} B/A paired median {statistics.median(ratios):.3f}  quartiles {q[0]:.3f}-{q[2]:.3f}")
PY
