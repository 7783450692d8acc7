"""Turns bench/run.py's results into Markdown tables and a hand-drawn SVG chart."""

from html import escape

COLORS = {"pidone": "#d9480f", "tini-static": "#495057", "tini": "#868e96",
          "dumb-init": "#1c7ed6", "catatonit": "#37b24d"}

# key, label, lower is better
CHART_ROWS = [
    ("startup_cpu_ratio", "startup CPU overhead", True),
    ("startup_wall_ratio", "startup wall overhead", True),
    ("latency_median_ratio", "signal latency, median", True),
    ("latency_p99_ratio", "signal latency, p99", True),
    ("storm_cpu_ratio", "storm: init CPU", True),
    ("reap_rate_ratio", "reaping: orphans/s", False),
    ("reap_cpu_ratio", "reaping: init CPU/orphan", True),
    ("vmrss_ratio", "idle VmRSS", True),
    ("pss_ratio", "idle PSS", True),
    ("binary_ratio", "binary size", True),
]
GOAL_OF_ROW = {"startup_cpu_ratio": 0.70, "latency_median_ratio": 0.95,
               "latency_p99_ratio": 0.70, "reap_rate_ratio": 1.25}


def _num(v, digits=0):
    if v is None:
        return "–"
    if isinstance(v, float) and v == float("inf"):
        return "∞"
    return f"{v:,.{digits}f}"


def _ratio(v):
    return "–" if v is None else f"{v:.2f}×"


def summary_table(res):
    """Metrics as rows, inits as columns: value and ratio to Tini."""
    names = res["inits"]
    rt = res["ratios"]
    rows = [
        ("startup+teardown CPU overhead (µs)", "startup", "overhead_cpu_us", 0, "startup_cpu_ratio"),
        ("startup+teardown wall overhead (µs)", "startup", "overhead_wall_us", 0, "startup_wall_ratio"),
        ("signal latency median (µs)", "latency", "median_us", 1, "latency_median_ratio"),
        ("signal latency p99 (µs)", "latency", "p99_us", 1, "latency_p99_ratio"),
        ("storm: init CPU for 100k signals (ms)", "storm", "init_cpu_ms", 1, "storm_cpu_ratio"),
        ("storm: time to exit after TERM (ms)", "storm", "exit_ms", 2, None),
        ("reaping (orphans/s)", "reaping", "orphans_per_s", 0, "reap_rate_ratio"),
        ("reaping: init CPU per orphan (µs)", "reaping", "init_cpu_us_per_orphan", 2,
         "reap_cpu_ratio"),
        ("idle wake-ups per minute", "idle", "wakeups_per_min", 0, None),
        ("idle CPU per minute (µs)", "idle", "cpu_us_per_min", 0, None),
        ("VmRSS idle (kB)", "idle", "vmrss_kb", 0, "vmrss_ratio"),
        ("PSS idle (kB)", "idle", "pss_kb", 0, "pss_ratio"),
        ("binary size (KiB)", "idle", "binary_kib", 0, "binary_ratio"),
    ]
    head = "| metric | " + " | ".join(
        f"{n}{' (= 1×)' if n == res['reference'] else ''}" for n in names) + " |"
    lines = [head, "|---|" + "---:|" * len(names)]
    for label, section, key, digits, rkey in rows:
        cells = []
        for n in names:
            v = res[section][n][key]
            cell = _num(v, digits)
            if rkey and n != res["reference"]:
                cell += f" ({_ratio(rt[n][rkey])})"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    survived = ["yes" if res["storm"][n]["survived"] else "**no**" for n in names]
    lines.append("| storm: survived 100k SIGUSR1 + TERM | " + " | ".join(survived) + " |")
    reaped = ["all" if res["reaping"][n]["ok"] else f"**{res['reaping'][n]['left']} left**"
              for n in names]
    lines.append("| reaping: orphans left over | " + " | ".join(
        "0" if r == "all" else r for r in reaped) + " |")
    static = ["static" if res["idle"][n]["static"] else "dynamic" for n in names]
    lines.append("| binary | " + " | ".join(static) + " |")
    return "\n".join(lines) + "\n"


def goals_table(res):
    lines = ["| goal for pidone | bound | this run | met |", "|---|---|---:|:---:|"]
    for g in res["goals"]:
        v = g["value"]
        shown = _num(v, 2) if v is not None else "–"
        lines.append(f"| {g['goal']} | {g['bound']} | {shown} | {'yes' if g['met'] else '**no**'} |")
    return "\n".join(lines) + "\n"


def confinement_table(res):
    s = res["startup"]
    base = s["pidone"]
    lines = ["| pidone startup | CPU overhead (µs) | wall overhead (µs) | extra CPU vs plain (µs) |",
             "|---|---:|---:|---:|",
             f"| plain | {_num(base['overhead_cpu_us'])} | {_num(base['overhead_wall_us'])} | 0 |"]
    for v in res["confinement"]:
        if not v["available"]:
            lines.append(f"| `{v['options']}` | {v['reason']} | | |")
            continue
        row = s["pidone " + v["options"]]
        lines.append(f"| `{v['options']}` | {_num(row['overhead_cpu_us'])} | "
                     f"{_num(row['overhead_wall_us'])} | "
                     f"{_num(row['overhead_cpu_us'] - base['overhead_cpu_us'])} |")
    return "\n".join(lines) + "\n"


def markdown(res):
    m = res["machine"]
    p = res["parameters"]
    versions = ", ".join(res["versions"][n] for n in res["inits"])
    return f"""# pidone benchmark results ({res['mode']} run)

{res['date']} · Linux {m['kernel']} · {m['cpus']} × {m['cpu']} · load
{m['loadavg'][0]:.2f} at start, {m['loadavg_end'][0]:.2f} at the end · {res['seconds']} s.
Inits: {versions}. Ratios are to {res['reference']} measured in the same run
(lower is better, except orphans/s). Definitions: [README.md](README.md).

![ratios to Tini](chart.svg)

## Summary

{summary_table(res)}
## Goals

{goals_table(res)}
## With confinement

{confinement_table(res)}
## Parameters

{p['startup_rounds']} startup rounds (after {p['warmup']} warm-up), latency
{p['latency_rounds']} × {p['latency_signals']} signals per init, storm
{p['storm_rounds']} × {p['storm_signals']:,} SIGUSR1, reaping {p['reap_rounds']} ×
{p['reap_orphans']:,} orphans, idle {p['idle_seconds']} s. Every figure is a
median over the runs; the raw medians are in results.json.
"""


def chart_svg(res):
    rt = res["ratios"]
    names = [n for n in res["inits"] if n != res["reference"]]
    cap = 3.0
    left, right, top = 190, 70, 56
    bar, gap = 11, 12
    width = 760
    group_h = bar * len(names) + gap
    height = top + group_h * len(CHART_ROWS) + 34
    plot_w = width - left - right

    def x(v):
        return left + plot_w * min(v, cap) / cap

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="18" font-size="14" font-weight="bold">Ratio to Tini '
           f'({escape(res["reference"])}), same run — {escape(res["date"])}</text>']
    lx = left
    for n in names:
        out.append(f'<rect x="{lx}" y="28" width="10" height="10" fill="{COLORS.get(n, "#999")}"/>'
                   f'<text x="{lx + 14}" y="37">{escape(n)}</text>')
        lx += 24 + 7 * len(n)
    out.append(f'<text x="{lx + 10}" y="37" fill="#c92a2a">| pidone goal</text>')
    for k in range(0, int(cap * 2) + 1):
        v = k / 2
        gx = x(v)
        style = 'stroke="#222" stroke-width="1.5"' if v == 1 else 'stroke="#ddd"'
        out.append(f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" '
                   f'y2="{height - 28}" {style}/>')
        out.append(f'<text x="{gx:.1f}" y="{height - 14}" text-anchor="middle">{v:g}×</text>')
    for row, (key, label, lower) in enumerate(CHART_ROWS):
        y0 = top + row * group_h
        hint = "lower is better" if lower else "higher is better"
        out.append(f'<text x="{left - 8}" y="{y0 + group_h / 2 - 2:.1f}" text-anchor="end">'
                   f'{escape(label)}</text>')
        out.append(f'<text x="{left - 8}" y="{y0 + group_h / 2 + 10:.1f}" text-anchor="end" '
                   f'fill="#888" font-size="9">{hint}</text>')
        for i, n in enumerate(names):
            v = rt[n].get(key)
            by = y0 + i * bar
            if v is None:
                continue
            color = COLORS.get(n, "#999")
            out.append(f'<rect x="{left}" y="{by}" width="{x(v) - left:.1f}" '
                       f'height="{bar - 2}" fill="{color}"/>')
            more = "›" if v > cap else ""
            out.append(f'<text x="{x(v) + 3:.1f}" y="{by + bar - 3}" font-size="9">'
                       f'{v:.2f}{more}</text>')
        if key in GOAL_OF_ROW:
            gx = x(GOAL_OF_ROW[key])
            out.append(f'<line x1="{gx:.1f}" y1="{y0 - 1}" x2="{gx:.1f}" y2="{y0 + bar}" '
                       f'stroke="#c92a2a" stroke-width="2.5"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def readme_section(res):
    """The "Benchmarks" section of the top-level README, from one full run."""
    m = res["machine"]
    met = sum(g["met"] for g in res["goals"])
    return f"""## Benchmarks

`make bench` measures pidone's static binary against the inits people use —
Tini (`tini-static`, what `docker run --init` ships, and `tini`), dumb-init
and catatonit, from Debian's packages — side by side in one run, each as
PID 1 of its own PID namespace, taking turns so that a noisy machine hits
them all alike. Figures are medians; the ratio in brackets is to
`tini-static` measured in the same run (lower is better, except orphans/s).
`make bench-quick` is the under-a-minute smoke run CI does. What each
metric means, and what the profiles showed: [bench/README.md](bench/README.md);
the latest run in full: [bench/results.md](bench/results.md).

Latest run: {res['date']}, Linux {m['kernel']}, {m['cpus']} shared CPUs
(load {m['loadavg'][0]:.1f}), {res['versions']['pidone']}; pidone met
{met} of its {len(res['goals'])} goals.

![pidone and its peers, as ratios to Tini](bench/chart.svg)

{summary_table(res)}
{goals_table(res)}
Where a goal is missed, [bench/README.md](bench/README.md) ("What the
profiles showed") says where the time or memory goes.
"""


if __name__ == "__main__":
    import json
    import sys

    with open(sys.argv[1] if len(sys.argv) > 1 else "bench/results.json") as f:
        print(readme_section(json.load(f)), end="")
