"""The obvious pandas + scipy implementation of `npm run generate`'s rows, for the benchmark.

    /usr/bin/python3 bench/pandas_equivalent.py --input perf_model.csv --prompts 128..8192 --step 64 --out perf_db.csv
    /usr/bin/python3 bench/pandas_equivalent.py --compare ours.csv theirs.csv

Method (SplitwiseSim's DatabasePerformanceModel, on deduplicated rows): rows read
with float_precision="round_trip" and drop_duplicates(); per (model, hardware,
tensor_parallel) group, x = prompt_size * batch_size (batch_tokens), knots = the
pandas median of each metric at each x, scipy interp1d(x, y, fill_value="extrapolate")
at every grid point; e2e_time = prompt_time + (token_size - 1) * token_time.
Measured configurations keep their medians. Grid: prompts A..B stepped by --step
(or a list), batches and tokens as given, else each group's measured sizes; the
measured configurations are added. Rows are sorted by (prompt, batch, token) and
written with DataFrame.to_csv (shortest round-trip digits, as Number.toString).

--compare checks a perf_db.csv of the project against one of this script on the
interpolated rows (inside the measured batch_tokens range, where SplitwiseSim's
line applies): prompt_time and token_time must agree to 1e-12 relative. Prints
one line and exits 1 when they do not.
"""
import argparse
import sys

import numpy as np
import pandas as pd
from scipy.interpolate import interp1d

GROUP = ["model", "hardware", "tensor_parallel"]
SIZES = ["prompt_size", "batch_size", "token_size"]
METRICS = ["peak_power", "average_power", "prompt_time", "token_time"]
COLUMNS = ["model", "hardware", *SIZES, *METRICS, "e2e_time", "tensor_parallel", "source"]
TOLERANCE = 1e-12


def sizes(text, step):
    """128..8192 (stepped), 1..64:4, or 128,256,512."""
    if text is None:
        return None
    out = []
    for part in text.split(","):
        if ".." in part:
            lo, rest = part.split("..")
            hi, _, by = rest.partition(":")
            out.extend(range(int(lo), int(hi) + 1, int(by or step)))
        else:
            out.append(int(part))
    return sorted(set(out))


def group_rows(name, g, grid):
    med = g.groupby(SIZES)[[*METRICS, "e2e_time"]].median().reset_index()
    bt_all = g["prompt_size"] * g["batch_size"]
    prompts = grid[0] or sorted(g["prompt_size"].unique())
    batches = grid[1] or sorted(g["batch_size"].unique())
    tokens = grid[2] or sorted(g["token_size"].unique())
    p, b, t = (a.ravel() for a in np.meshgrid(prompts, batches, tokens, indexing="ij"))
    frame = pd.DataFrame({"prompt_size": p, "batch_size": b, "token_size": t})
    frame = pd.concat([frame, med[SIZES]]).drop_duplicates().sort_values(SIZES, kind="stable").reset_index(drop=True)
    x = (frame["prompt_size"] * frame["batch_size"]).to_numpy(dtype=float)
    for metric in METRICS:
        knots = g.assign(bt=bt_all).groupby("bt")[metric].median().dropna()
        frame[metric] = interp1d(knots.index.to_numpy(dtype=float), knots.to_numpy(dtype=float), fill_value="extrapolate")(x) if len(knots) >= 2 else np.nan
    frame["e2e_time"] = frame["prompt_time"] + (frame["token_size"] - 1) * frame["token_time"]
    lo, hi = bt_all.min(), bt_all.max()
    frame["source"] = np.where((x >= lo) & (x <= hi), "interpolated", "extrapolated")
    measured = frame.merge(med, on=SIZES, how="left", suffixes=("", "_m"), indicator=True)["_merge"].eq("both").to_numpy()
    frame = frame.merge(med, on=SIZES, how="left", suffixes=("", "_m"))
    for metric in [*METRICS, "e2e_time"]:
        frame.loc[measured, metric] = frame.loc[measured, f"{metric}_m"]
    frame.loc[measured, "source"] = "measured"
    frame["model"], frame["hardware"], frame["tensor_parallel"] = name
    return frame[COLUMNS]


def generate(args):
    df = pd.read_csv(args.input, float_precision="round_trip").drop_duplicates()
    for metric in [*METRICS, "e2e_time"]:
        # Power is optional in the input (the synthetic workloads have none): an empty column, as the pipeline writes.
        if metric not in df.columns:
            df[metric] = np.nan
    grid = (sizes(args.prompts, args.step), sizes(args.batches, 1), sizes(args.tokens, 1))
    with open(args.out, "w") as f:
        header = True
        for name, g in df.groupby(GROUP, sort=True):
            group_rows(name, g, grid).to_csv(f, header=header, index=False)
            header = False


def compare(ours, theirs):
    keys = [*GROUP, *SIZES]
    a = pd.read_csv(ours, float_precision="round_trip")
    b = pd.read_csv(theirs, float_precision="round_trip")
    both = a[a["source"] == "interpolated"].merge(b, on=keys, suffixes=("", "_py"))
    worst = 0.0
    for metric in ["prompt_time", "token_time"]:
        rel = ((both[metric] - both[f"{metric}_py"]).abs() / both[f"{metric}_py"].abs()).max()
        worst = max(worst, float(rel))
    ok = len(both) > 0 and worst <= TOLERANCE
    print(f"{'agree' if ok else 'DIFFER'}: {len(both)} interpolated rows compared, largest relative difference {worst:.3g} (tolerance {TOLERANCE:g})")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input")
    parser.add_argument("--prompts")
    parser.add_argument("--step", type=int, default=1)
    parser.add_argument("--batches")
    parser.add_argument("--tokens")
    parser.add_argument("--out")
    parser.add_argument("--compare", nargs=2, metavar=("OURS", "THEIRS"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    generate(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
