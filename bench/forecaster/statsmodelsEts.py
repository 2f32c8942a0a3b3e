#!/usr/bin/python3
"""Reference forecasts for bench/forecaster/accuracy.ts: statsmodels' ExponentialSmoothing (ETS on
log1p, additive damped trend, additive season) under the same protocol as `pdme forecast evaluate`:
the last 20% held out, an origin every `horizon` steps, parameters fitted once on the training part
and the state run forward through the actuals (as ours does), MASE scaled by the seasonal-naive
in-sample error of the training part, scored on observed points only. statsmodels cannot take
gaps, so its input has them linearly interpolated (on log1p); gaps are never scored.

Usage: statsmodelsEts.py FILE... [--holdout 0.2]   (prints one JSON object per file)"""
import csv
import json
import sys
import warnings
from collections import Counter
from datetime import datetime

import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing

DAY = 86400


def parse_ts(text):
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def read_series(path):
    with open(path, newline="") as f:
        rows = [(parse_ts(r["ts"]), float(r["value"]) if r["value"] != "" else np.nan) for r in csv.DictReader(f)]
    rows.sort()
    ts = [t for t, _ in rows]
    step = Counter(b - a for a, b in zip(ts, ts[1:]) if b > a).most_common(1)[0][0]
    n = int(round((ts[-1] - ts[0]) / step)) + 1
    values = np.full(n, np.nan)
    for t, v in rows:
        values[int(round((t - ts[0]) / step))] = v
    return step, values


def season_for(step):
    if step < DAY and DAY % step == 0:
        return int(DAY // step)
    return 7 if step == DAY else 1


def horizon_for(step):
    return 7 if step == DAY else 24 if step == 3600 else 12


def interpolate(x):
    idx = np.arange(len(x))
    ok = ~np.isnan(x)
    return np.interp(idx, idx[ok], x[ok])


def evaluate(path, holdout):
    step, values = read_series(path)
    m, horizon = season_for(step), horizon_for(step)
    n = len(values)
    train_end = int(np.floor(n * (1 - holdout)))
    a, b = values[m:train_end], values[: train_end - m]
    ok = ~np.isnan(a) & ~np.isnan(b)
    scale = np.mean(np.abs(a[ok] - b[ok]))
    log_filled = interpolate(np.log1p(np.maximum(values, 0)))
    spec = dict(trend="add", damped_trend=True, seasonal="add", seasonal_periods=m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ExponentialSmoothing(log_filled[:train_end], initialization_method="estimated" if m <= 24 else "heuristic", **spec).fit()
        p = fitted.params
        fixed = dict(
            smoothing_level=p["smoothing_level"],
            smoothing_trend=p["smoothing_trend"],
            smoothing_seasonal=p["smoothing_seasonal"],
            damping_trend=p["damping_trend"],
            optimized=False,
        )
        known = dict(
            initialization_method="known",
            initial_level=p["initial_level"],
            initial_trend=p["initial_trend"],
            initial_seasonal=p["initial_seasons"],
        )
        abs_err, abs_act, count = 0.0, 0.0, 0
        for origin in range(train_end, n, horizon):
            steps = min(horizon, n - origin)
            run = ExponentialSmoothing(log_filled[:origin], **spec, **known).fit(**fixed)
            forecast = np.maximum(np.expm1(run.forecast(steps)), 0)
            actual = values[origin : origin + steps]
            seen = ~np.isnan(actual)
            abs_err += float(np.sum(np.abs(actual[seen] - forecast[seen])))
            abs_act += float(np.sum(np.abs(actual[seen])))
            count += int(np.sum(seen))
    return {
        "file": path,
        "model": "statsmodels-ets-log1p",
        "season": m,
        "horizon": horizon,
        "mase": abs_err / count / scale,
        "wape": abs_err / abs_act,
        "points": count,
        "params": {k: float(v) for k, v in fixed.items() if k != "optimized"},
    }


def main(argv):
    holdout = 0.2
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "--holdout":
            holdout = float(argv[i + 1])
            i += 2
        else:
            files.append(argv[i])
            i += 1
    for path in files:
        print(json.dumps(evaluate(path, holdout)))


if __name__ == "__main__":
    main(sys.argv[1:])
