#!/usr/bin/env python3
"""The peers' kernel (issue 11) in numpy and in Mesa 3, timed.

Network SIR on a graph read from an edge list (commsim's format: "u v" per
line, lines starting with '#' are comments). Each day every infected node
infects each susceptible neighbour independently with probability beta (one
uniform draw per edge), then recovers with probability gamma. Updates are
synchronous: nodes infected on day t infect and may recover from day t + 1.
Recovered nodes never re-infect. This is the loop of `peers_sir_plain_csr`
in benches/engine.rs.

    python peers.py numpy EDGES [--reps 3]
    python peers.py mesa  EDGES [--reps 3] [--days 100] [--budget 60]

Prints one JSON object: the median seconds per run over the repetitions,
each repetition's seconds, and the counts (S, I, R at the last day, peak I
and its day) of each repetition. A run is everything after the edge list is
parsed: the initial state (for Mesa, building the model and its 100,000
agents) and the days. Reading and parsing the edge list is not timed.
"""

import argparse
import json
import statistics
import sys
import time

import numpy as np

S, I, R, NEW = 0, 1, 2, 3


def read_edges(path):
    """The edge list as (n, u, v): node count and the two endpoint arrays."""
    with open(path) as f:
        text = "".join(line for line in f if not line.startswith("#"))
    uv = np.array(text.split(), dtype=np.int64).reshape(-1, 2)
    u, v = uv[:, 0], uv[:, 1]
    n = int(max(u.max(), v.max())) + 1
    return n, u, v


def csr(n, u, v):
    """Both directions of every edge, sorted by source: (indptr, indices)."""
    src = np.concatenate([u, v])
    dst = np.concatenate([v, u])
    order = np.argsort(src, kind="stable")
    indices = dst[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, indices


def initial_infected(n, k, seed):
    return np.random.default_rng(seed).choice(n, size=k, replace=False)


# --------------------------------------------------------------------------
# numpy: vectorised over the directed edge arrays, one uniform per edge from
# an infected to a susceptible node.


def run_numpy(n, src, dst, initial, beta, gamma, days, seed):
    rng = np.random.default_rng(seed)
    state = np.zeros(n, dtype=np.int8)
    state[initial] = I
    peak, peak_day = len(initial), 0
    for day in range(1, days + 1):
        infected = np.flatnonzero(state == I)
        live = (state[src] == I) & (state[dst] == S)
        targets = dst[live]
        hits = targets[rng.random(targets.size) < beta]
        recovered = infected[rng.random(infected.size) < gamma]
        state[recovered] = R
        state[hits] = I  # duplicates are fine: infected once
        now = int(np.count_nonzero(state == I))
        if now > peak:
            peak, peak_day = now, day
    counts = np.bincount(state, minlength=3)
    return dict(S=int(counts[S]), I=int(counts[I]), R=int(counts[R]),
                peak_I=peak, peak_day=peak_day, days=days)


# --------------------------------------------------------------------------
# Mesa 3: one agent per node holding its neighbours; the model steps every
# agent with AgentSet.shuffle_do. Infections made during a day are marked NEW
# and become I after all agents have stepped (synchronous update).


def mesa_model_class():
    import mesa

    class Person(mesa.Agent):
        def __init__(self, model):
            super().__init__(model)
            self.state = S
            self.neighbors = ()

        def step(self):
            if self.state != I:
                return
            model = self.model
            draw = model.random.random
            beta = model.beta
            for w in self.neighbors:
                if w.state == S and draw() < beta:
                    w.state = NEW
                    model.new.append(w)
            if draw() < model.gamma:
                self.state = R
                model.infected_now -= 1

    class PeersSIR(mesa.Model):
        def __init__(self, indptr, indices, initial, beta, gamma, seed):
            super().__init__(seed=seed)
            self.beta, self.gamma = beta, gamma
            n = len(indptr) - 1
            people = [Person(self) for _ in range(n)]
            ptr = indptr.tolist()
            idx = indices.tolist()
            for v, p in enumerate(people):
                p.neighbors = tuple(people[w] for w in idx[ptr[v]:ptr[v + 1]])
            for v in initial.tolist():
                people[v].state = I
            self.people = people
            self.new = []
            self.infected_now = len(initial)

        def step(self):
            self.new = []
            self.agents.shuffle_do("step")
            for a in self.new:
                a.state = I
            self.infected_now += len(self.new)

        def counts(self):
            c = [0, 0, 0]
            for p in self.people:
                c[p.state] += 1
            return c

    return PeersSIR


def run_mesa(model_cls, indptr, indices, initial, beta, gamma, days, seed):
    t0 = time.perf_counter()
    model = model_cls(indptr, indices, initial, beta, gamma, seed)
    setup = time.perf_counter() - t0
    peak, peak_day = len(initial), 0
    for day in range(1, days + 1):
        model.step()
        now = model.infected_now
        if now > peak:
            peak, peak_day = now, day
    c = model.counts()
    return dict(S=c[S], I=c[I], R=c[R], peak_I=peak, peak_day=peak_day, days=days,
                setup_seconds=round(setup, 3))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tool", choices=["numpy", "mesa"])
    ap.add_argument("edges")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (median reported)")
    ap.add_argument("--days", type=int, default=100)
    ap.add_argument("--beta", type=float, default=0.05)
    ap.add_argument("--gamma", type=float, default=0.02)
    ap.add_argument("--initial", type=int, default=1000, help="initially infected nodes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=60.0,
                    help="mesa: if a full run is projected past this many seconds, "
                         "time fewer days and scale to --days")
    a = ap.parse_args()

    n, u, v = read_edges(a.edges)
    indptr, indices = csr(n, u, v)
    out = dict(tool=a.tool, nodes=n, edges=int(len(u)), days=a.days, reps=a.reps,
               python=sys.version.split()[0], numpy=np.__version__)
    times, results = [], []

    if a.tool == "numpy":
        src = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        dst = indices
        for rep in range(a.reps):
            initial = initial_infected(n, a.initial, a.seed + rep)
            t0 = time.perf_counter()
            res = run_numpy(n, src, dst, initial, a.beta, a.gamma, a.days, a.seed + rep)
            times.append(time.perf_counter() - t0)
            results.append(res)
        out["timed_days"] = a.days
    else:
        import mesa
        out["mesa"] = mesa.__version__
        cls = mesa_model_class()
        # Probe: build the model and step 10 days, to decide whether a full
        # run fits in the budget.
        initial = initial_infected(n, a.initial, a.seed)
        t0 = time.perf_counter()
        probe_days = min(10, a.days)
        run_mesa(cls, indptr, indices, initial, a.beta, a.gamma, probe_days, a.seed)
        probe = time.perf_counter() - t0
        projected = probe * a.days / probe_days  # rough: infections grow later
        timed_days = a.days
        if projected > a.budget:
            timed_days = max(10, 10 * int(a.days * a.budget / projected / 10))
            out["note"] = (f"projected {projected:.0f} s per {a.days}-day run > budget "
                           f"{a.budget:.0f} s: timed {timed_days} days and scaled x"
                           f"{a.days / timed_days:.2f}")
        out["timed_days"] = timed_days
        for rep in range(a.reps):
            initial = initial_infected(n, a.initial, a.seed + rep)
            t0 = time.perf_counter()
            res = run_mesa(cls, indptr, indices, initial, a.beta, a.gamma, timed_days,
                           a.seed + rep)
            total = time.perf_counter() - t0
            # Scale the days, not the model's construction.
            setup = res["setup_seconds"]
            times.append(setup + (total - setup) * a.days / timed_days)
            results.append(res)

    out["seconds"] = statistics.median(times)
    out["seconds_each"] = [round(t, 4) for t in times]
    out["results"] = results
    print(json.dumps(out))


if __name__ == "__main__":
    main()
