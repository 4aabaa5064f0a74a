#!/usr/bin/env bash
# Time the peers' kernel (issue 11) in numpy, Mesa 3 and commsim on the same
# 100,000-node Barabási–Albert edge list, and print a Markdown table.
#
#   bash benches/peers/run.sh            # print the table
#   bash benches/peers/run.sh --write    # also write benches/peers/results.md
#
# Not part of CI. Needs python3 (with venv) and network access to PyPI the
# first time (numpy and Mesa go into benches/peers/.venv).
set -euo pipefail

NUMPY_VERSION=2.4.6
MESA_VERSION=3.3.1
REPS=3

write=0
for arg in "$@"; do
    case "$arg" in
        --write) write=1 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
py="$venv/bin/python"

if [ ! -x "$py" ]; then
    echo "creating $venv" >&2
    python3 -m venv "$venv"
fi
"$py" -m pip install -q --disable-pip-version-check \
    "numpy==$NUMPY_VERSION" "mesa==$MESA_VERSION" >&2

echo "building commsim (release)" >&2
(cd "$root" && cargo build --release -q)
commsim="$root/target/release/commsim"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$commsim" graph --model barabasi-albert --size 100000 --m 3 --seed 7 \
    -o "$tmp/ba-100k.edges" >&2
cp "$here/peers-sir.toml" "$tmp/peers-sir.toml"

echo "numpy: $REPS runs" >&2
"$py" "$here/peers.py" numpy "$tmp/ba-100k.edges" --reps "$REPS" > "$tmp/numpy.json"
echo "Mesa: $REPS runs (slow)" >&2
"$py" "$here/peers.py" mesa "$tmp/ba-100k.edges" --reps "$REPS" > "$tmp/mesa.json"

# commsim as whole processes: (time of --runs 11 - time of --runs 1) / 10,
# so reading the graph and writing the outputs' fixed part cancel out.
now() { date +%s.%N; }
time_commsim() { # runs, then extra flags; prints seconds
    local runs="$1"; shift
    local t0 t1
    t0="$(now)"
    "$commsim" run "$tmp/peers-sir.toml" --runs "$runs" --out "$tmp/out-$runs" \
        --force -q "$@"
    t1="$(now)"
    "$py" -c "print($t1 - $t0)"
}
: > "$tmp/commsim-1.txt"
: > "$tmp/commsim-all.txt"
for rep in $(seq "$REPS"); do
    echo "commsim --threads 1: rep $rep" >&2
    a="$(time_commsim 1 --threads 1)"; b="$(time_commsim 11 --threads 1)"
    echo "$a $b" >> "$tmp/commsim-1.txt"
    cp "$tmp/out-11/runs.csv" "$tmp/commsim-runs.csv"
    echo "commsim (default threads): rep $rep" >&2
    a="$(time_commsim 1)"; b="$(time_commsim 11)"
    echo "$a $b" >> "$tmp/commsim-all.txt"
done

cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
"$py" - "$tmp" "$(date -u +%Y-%m-%d)" "$(nproc)" "$cpu" \
    "$("$commsim" --version)" "$(rustc --version)" > "$tmp/results.md" <<'EOF'
import csv, json, statistics, sys
tmp, date, nproc, cpu, commsim_v, rustc_v = sys.argv[1:]
med = statistics.median
rows = []

def counts(results):
    m = lambda k: int(med(r[k] for r in results))
    return f"{m('S')} / {m('I')} / {m('R')}", f"{m('peak_I')} (day {m('peak_day')})"

tools = {}
for name in ("numpy", "mesa"):
    tools[name] = json.load(open(f"{tmp}/{name}.json"))
np_s = tools["numpy"]["seconds"]
notes = []
for name, label in (("numpy", f"numpy {tools['numpy']['numpy']}"),
                    ("mesa", f"Mesa {tools['mesa']['mesa']}")):
    t = tools[name]
    sir, peak = counts(t["results"])
    if t.get("note"):
        notes.append(f"Mesa: {t['note']}; its counts are at day {t['timed_days']}.")
    rows.append((label, t["seconds"], sir, peak))

runs = list(csv.DictReader(open(f"{tmp}/commsim-runs.csv")))
n = tools["numpy"]["nodes"]
m = lambda k: int(med(float(r[k]) for r in runs))
c_sir = f"{n - m('total_joined')} / {m('final_members')} / {m('total_left')}"
c_peak = f"{m('peak_members')} (day {m('peak_day')})"
for f, label in (("commsim-1.txt", "commsim, 1 thread"),
                 ("commsim-all.txt", f"commsim, default threads ({nproc})")):
    pairs = [tuple(map(float, l.split())) for l in open(f"{tmp}/{f}") if l.strip()]
    per_run = med((b - a) / 10 for a, b in pairs)
    rows.append((label, per_run, c_sir, c_peak))

print(f"Peers' kernel: network SIR on a 100,000-node Barabási–Albert graph (m = 3, "
      f"seed 7, {tools['numpy']['edges']} edges), 1,000 random initial infected, "
      f"beta = 0.05, gamma = 0.02, 100 days.\n")
print("| tool | seconds per 100-day run | ratio to numpy | final S / I / R | peak I |")
print("|---|---:|---:|---|---|")
for label, s, sir, peak in rows:
    print(f"| {label} | {s:.3f} | {s / np_s:.2f} | {sir} | {peak} |")
print()
print(f"Median of 3. numpy and Mesa: one Python process each, timing the run "
      f"after the edge list is parsed (for Mesa, building the model and its "
      f"agents plus the days); counts are medians of their 3 runs. commsim: whole "
      f"processes, (time of `--runs 11` − time of `--runs 1`) / 10; counts are "
      f"medians of its 11 runs.")
for note in notes:
    print(f"\n{note}")
print()
print(f"Date {date}; {nproc} CPUs (`nproc`), {cpu}; {commsim_v}, {rustc_v}; "
      f"Python {tools['numpy']['python']}, numpy {tools['numpy']['numpy']}, "
      f"Mesa {tools['mesa']['mesa']}.")
EOF

cat "$tmp/results.md"
if [ "$write" = 1 ]; then
    cp "$tmp/results.md" "$here/results.md"
    echo "wrote $here/results.md" >&2
fi
