#!/usr/bin/env python3
"""pidone's benchmark: pidone and the inits people use, side by side.

Every init runs as PID 1 of a fresh PID namespace (bench/src/benchrun.c),
the inits take turns (A B C D A B C D ...) so that drift on a shared
machine hits them all alike, and every figure is reported as a median and
as a ratio to Tini (tini-static, the build `docker run --init` ships)
measured in the same run. The metrics are defined in bench/README.md.

    bench/run.py            the full run (~5-10 minutes)
    bench/run.py --quick    a smoke run (under a minute)

Needs root (PID namespaces), python3, cc, and the peers from Debian
(`make bench` installs them). It never judges numbers by its exit status:
it fails only when a measurement could not be made.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REFERENCE = "tini-static"

# (name, candidate paths); the reference first, pidone added from --pidone.
PEERS = [
    ("tini-static", ["/usr/bin/tini-static", "/sbin/tini-static"]),
    ("tini", ["/usr/bin/tini", "/sbin/tini"]),
    ("dumb-init", ["/usr/bin/dumb-init"]),
    ("catatonit", ["/usr/bin/catatonit", "/usr/libexec/podman/catatonit"]),
]

# pidone's goals, as ratios to Tini unless the unit says otherwise.
GOALS = [
    # key, label, comparison, bound
    ("startup_cpu_ratio", "startup CPU overhead", "<=", 0.70),
    ("latency_median_ratio", "signal latency, median", "<=", 0.95),
    ("latency_p99_ratio", "signal latency, p99", "<=", 0.70),
    ("idle_wakeups", "idle wake-ups per minute", "<=", 0),
    ("vmrss_kb", "VmRSS (kB)", "<=", 450),
    ("reap_rate_ratio", "reaping, orphans/s", ">=", 1.25),
    ("binary_kib", "binary size, static (KiB)", "<=", 691),
]

FULL = dict(warmup=10, startup_rounds=1000, latency_rounds=10, latency_signals=1000,
            storm_rounds=5, storm_signals=100_000, reap_rounds=100, reap_orphans=300,
            idle_seconds=60)
QUICK = dict(warmup=3, startup_rounds=100, latency_rounds=3, latency_signals=300,
             storm_rounds=1, storm_signals=100_000, reap_rounds=10, reap_orphans=200,
             idle_seconds=5)


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def build_helpers(build_dir):
    os.makedirs(build_dir, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    out = {}
    for name in ("benchrun", "benchchild"):
        src = os.path.join(HERE, "src", name + ".c")
        exe = os.path.join(build_dir, name)
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            subprocess.run([cc, "-O2", "-Wall", "-o", exe, src], check=True)
        out[name] = exe
    return out


def find_inits(pidone):
    inits = []
    for name, paths in PEERS:
        path = next((p for p in paths if os.access(p, os.X_OK)), None)
        if path is None:
            log(f"{name} not found ({', '.join(paths)}): left out")
            continue
        inits.append({"name": name, "path": path})
    if not any(i["name"] == REFERENCE for i in inits):
        sys.exit(f"bench: {REFERENCE} is the reference and is missing; run `make bench-peers`")
    if not os.access(pidone, os.X_OK):
        sys.exit(f"bench: no pidone binary at {pidone}")
    inits.insert(0, {"name": "pidone", "path": os.path.abspath(pidone)})
    return inits


def cmd(init, *program, extra=()):
    return [init["path"], *extra, "--", *program]


def benchrun(tools, *args, stdin=None, capture_err=False):
    res = subprocess.run([tools["benchrun"], *map(str, args)], input=stdin,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE if capture_err else None,
                         text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"benchrun {args[0]} failed ({res.returncode})")
    return res


def join_cmds(cmds):
    out = []
    for c in cmds:
        if out:
            out.append("::")
        out.extend(c)
    return out


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


# --- 1 and 7: startup + teardown, plain and confined ----------------------

def probe(tools, command):
    """Runs a command once as PID 1: (status, last stderr line)."""
    res = benchrun(tools, "startup", 1, *command, capture_err=True)
    status = int(res.stdout.split()[3])
    lines = res.stderr.strip().splitlines()
    return status, lines[-1] if lines else ""


def confinement_variants(tools, pidone):
    variants = []
    for key, label, extra in [
        ("seccomp", "--seccomp default", ["--seccomp", "default"]),
        ("cgroup", "--pids-max 512 --memory-max 256M", ["--pids-max", "512", "--memory-max", "256M"]),
    ]:
        status, err = probe(tools, cmd(pidone, "/bin/true", extra=extra))
        entry = {"key": key, "options": label, "command": extra}
        if status == 0:
            entry["available"] = True
        else:
            entry["available"] = False
            entry["reason"] = ("not available in this build" if "not available in this build" in err
                               else f"fails here: exit {status}: {err}")
        variants.append(entry)
    return variants


def startup(tools, inits, variants, p):
    pidone = inits[0]
    commands = [("bare", ["/bin/true"])] + [(i["name"], cmd(i, "/bin/true")) for i in inits]
    for v in variants:
        if v["available"]:
            commands.append(("pidone " + v["options"], cmd(pidone, "/bin/true", extra=v["command"])))
    for name, c in commands:
        status, err = probe(tools, c)
        if status != 0:
            raise RuntimeError(f"{name} -- /bin/true exits {status}: {err}")
    names = [n for n, _ in commands]
    rounds = p["warmup"] + p["startup_rounds"]
    res = benchrun(tools, "startup", rounds, *join_cmds(c for _, c in commands))
    runs = [tuple(map(int, line.split())) for line in res.stdout.splitlines()]
    n = len(commands)
    per_round = [runs[r * n:(r + 1) * n] for r in range(p["warmup"], rounds)]
    out = {}
    for idx, name in enumerate(names):
        wall = [r[idx][1] for r in per_round]
        cpu = [r[idx][2] for r in per_round]
        # Paired with the bare run of the same round, so drift cancels.
        dwall = [r[idx][1] - r[0][1] for r in per_round]
        dcpu = [r[idx][2] - r[0][2] for r in per_round]
        bad = sum(1 for r in per_round if r[idx][3] != 0)
        out[name] = {
            "wall_us": statistics.median(wall) / 1e3,
            "cpu_us": statistics.median(cpu) / 1e3,
            "overhead_wall_us": statistics.median(dwall) / 1e3,
            "overhead_cpu_us": statistics.median(dcpu) / 1e3,
            "runs": len(per_round),
            "failed_runs": bad,
        }
    return out


# --- 2: signal forwarding latency ----------------------------------------

def latency(tools, inits, p):
    samples = {i["name"]: [] for i in inits}
    for _ in range(p["latency_rounds"]):
        # All inits at once, taking turns signal by signal (benchrun rotates
        # who goes first), a fresh set of processes each round.
        res = benchrun(tools, "latency", p["latency_signals"],
                       *join_cmds(cmd(i, tools["benchchild"], "recv") for i in inits))
        for i, line in zip(inits, res.stdout.splitlines()):
            fields = line.split()
            if fields[1] != "143":
                raise RuntimeError(f"{i['name']} exited {fields[1]} after the latency run, not 143")
            samples[i["name"]].extend(int(x) for x in fields[2:])
    return {name: {"median_us": statistics.median(s) / 1e3,
                   "p99_us": percentile(s, 0.99) / 1e3,
                   "signals": len(s)} for name, s in samples.items()}


# --- 3: signal storm -----------------------------------------------------

def kv(line):
    return {k: int(v) for k, v in (f.split("=") for f in line.split())}


def storm(tools, inits, p):
    runs = {i["name"]: [] for i in inits}
    for _ in range(p["storm_rounds"]):
        for i in inits:
            res = benchrun(tools, "storm", p["storm_signals"], *cmd(i, tools["benchchild"], "storm"))
            runs[i["name"]].append(kv(res.stdout.strip()))
    out = {}
    for name, rs in runs.items():
        out[name] = {
            "signals": p["storm_signals"],
            "survived": all(r["status"] == 0 and r["delivered"] >= 0 for r in rs),
            "exit_ms": statistics.median(r["exit_ns"] for r in rs) / 1e6,
            "init_cpu_ms": statistics.median(r["init_cpu_ns"] for r in rs) / 1e6,
            "delivered": statistics.median(r["delivered"] for r in rs),
            "rounds": len(rs),
        }
    return out


# --- 4: zombie reaping ---------------------------------------------------

def reaping(tools, inits, p):
    n, batches = p["reap_orphans"], p["reap_rounds"]
    res = benchrun(tools, "reap", batches,
                   *join_cmds(cmd(i, tools["benchchild"], "orphans", n) for i in inits))
    out = {}
    for i, line in zip(inits, res.stdout.splitlines()):
        r = kv(line)
        out[i["name"]] = {
            "orphans": r["created"],
            "orphans_per_s": r["created"] / (r["elapsed_ns"] / 1e9),
            "init_cpu_us_per_orphan": r["init_cpu_ns"] / r["created"] / 1e3,
            "left": r["left"],
            "ok": r["status"] == 0 and r["left"] == 0 and r["created"] == n * batches,
            "batches": batches,
        }
    return out


# --- 5 and 6: idle cost and memory ---------------------------------------

def proc_sample(pid):
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            status[k] = v.split()
    pss = None
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    with open(f"/proc/{pid}/schedstat") as f:
        cpu_ns, _, runs = (int(x) for x in f.read().split())
    return {
        "switches": int(status["voluntary_ctxt_switches"][0])
        + int(status["nonvoluntary_ctxt_switches"][0]),
        "runs": runs,
        "cpu_ns": cpu_ns,
        "vmrss_kb": int(status["VmRSS"][0]),
        "pss_kb": pss,
    }


def idle_and_memory(tools, inits, p):
    proc = subprocess.Popen([tools["benchrun"], "hold",
                             *join_cmds(cmd(i, tools["benchchild"], "idle") for i in inits)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(proc.stdout.readline()) for _ in inits]
        time.sleep(1.0)  # let every init reach its wait
        before = [proc_sample(pid) for pid in pids]
        t0 = time.monotonic()
        time.sleep(p["idle_seconds"])
        after = [proc_sample(pid) for pid in pids]
        minutes = (time.monotonic() - t0) / 60
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    out = {}
    for i, b, a in zip(inits, before, after):
        size = os.path.getsize(i["path"])
        out[i["name"]] = {
            "wakeups_per_min": (a["runs"] - b["runs"]) / minutes,
            "ctxt_switches_per_min": (a["switches"] - b["switches"]) / minutes,
            "cpu_us_per_min": (a["cpu_ns"] - b["cpu_ns"]) / 1e3 / minutes,
            "vmrss_kb": a["vmrss_kb"],
            "pss_kb": a["pss_kb"],
            "binary_bytes": size,
            "binary_kib": size / 1024,
            "static": is_static(i["path"]),
        }
    return out


def is_static(path):
    """No PT_INTERP program header: nothing to load at exec."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            return False
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return all(struct.unpack_from("<I", table, k * phentsize)[0] != 3 for k in range(phnum))


# --- putting it together -------------------------------------------------

def version_of(init):
    if init["name"] == "pidone":
        try:
            return subprocess.run([init["path"], "--version"], capture_output=True, text=True,
                                  timeout=5).stdout.strip()
        except OSError:
            return "?"
    pkg = {"tini-static": "tini"}.get(init["name"], init["name"])
    res = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True,
                         text=True, check=False) if shutil.which("dpkg-query") else None
    return f"{init['name']} {res.stdout.strip()}" if res and res.returncode == 0 else init["name"]


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    except OSError:
        pass
    return {"kernel": platform.release(), "cpu": model, "cpus": os.cpu_count(),
            "loadavg": os.getloadavg()}


def ratios(res):
    """Every init's figures divided by Tini's, for the table and the chart."""
    def div(a, b):
        return a / b if b else None

    out = {}
    for name in res["inits"]:
        s, l, st, r, m = (res[k][name] for k in ("startup", "latency", "storm", "reaping", "idle"))
        s0, l0, st0, r0, m0 = (res[k][REFERENCE] for k in ("startup", "latency", "storm", "reaping",
                                                          "idle"))
        out[name] = {
            "startup_cpu_ratio": div(s["overhead_cpu_us"], s0["overhead_cpu_us"]),
            "startup_wall_ratio": div(s["overhead_wall_us"], s0["overhead_wall_us"]),
            "latency_median_ratio": div(l["median_us"], l0["median_us"]),
            "latency_p99_ratio": div(l["p99_us"], l0["p99_us"]),
            "storm_cpu_ratio": div(st["init_cpu_ms"], st0["init_cpu_ms"]),
            "reap_rate_ratio": div(r["orphans_per_s"], r0["orphans_per_s"]),
            "reap_cpu_ratio": div(r["init_cpu_us_per_orphan"], r0["init_cpu_us_per_orphan"]),
            "vmrss_ratio": div(m["vmrss_kb"], m0["vmrss_kb"]),
            "pss_ratio": div(m["pss_kb"], m0["pss_kb"]),
            "binary_ratio": div(m["binary_bytes"], m0["binary_bytes"]),
        }
    return out


def goals(res):
    rt = res["ratios"]["pidone"]
    idle = res["idle"]["pidone"]
    values = dict(rt)
    values["idle_wakeups"] = idle["wakeups_per_min"]
    values["vmrss_kb"] = idle["vmrss_kb"]
    values["binary_kib"] = idle["binary_kib"] if idle["static"] else None  # must be static
    out = []
    for key, label, op, bound in GOALS:
        v = values.get(key)
        met = v is not None and (v <= bound if op == "<=" else v >= bound)
        out.append({"key": key, "goal": label, "bound": f"{op} {bound}", "value": v, "met": met})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run, under a minute")
    ap.add_argument("--pidone", default=os.environ.get(
        "PIDONE_STATIC", os.path.join(ROOT, "target/x86_64-unknown-linux-musl/release/pidone")))
    ap.add_argument("--out", help="directory for results.{md,json} and chart.svg "
                    "(default: bench/, or bench/quick/ with --quick)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: needs root (every init runs as PID 1 of a new PID namespace)")
    p = QUICK if args.quick else FULL
    out_dir = args.out or (os.path.join(HERE, "quick") if args.quick else HERE)
    os.makedirs(out_dir, exist_ok=True)

    started = time.monotonic()
    tools = build_helpers(os.path.join(HERE, "build"))
    inits = find_inits(args.pidone)
    res = {
        "mode": "quick" if args.quick else "full",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "parameters": p,
        "reference": REFERENCE,
        "inits": [i["name"] for i in inits],
        "versions": {i["name"]: version_of(i) for i in inits},
        "paths": {i["name"]: i["path"] for i in inits},
    }
    variants = confinement_variants(tools, inits[0])
    log(f"1/5 startup+teardown, {p['startup_rounds']} rounds of {len(inits) + 1} "
        f"(+ {sum(v['available'] for v in variants)} confined)")
    res["startup"] = startup(tools, inits, variants, p)
    res["confinement"] = variants
    log(f"2/5 signal latency, {p['latency_rounds']} x {p['latency_signals']} signals each")
    res["latency"] = latency(tools, inits, p)
    log(f"3/5 signal storm, {p['storm_rounds']} x {p['storm_signals']} SIGUSR1 then TERM")
    res["storm"] = storm(tools, inits, p)
    log(f"4/5 reaping, {p['reap_rounds']} batches of {p['reap_orphans']} orphans each")
    res["reaping"] = reaping(tools, inits, p)
    log(f"5/5 idle cost and memory, {p['idle_seconds']} s, all inits at once")
    res["idle"] = idle_and_memory(tools, inits, p)
    res["ratios"] = ratios(res)
    res["goals"] = goals(res)
    res["machine"]["loadavg_end"] = os.getloadavg()
    res["seconds"] = round(time.monotonic() - started, 1)

    sys.path.insert(0, HERE)
    import report  # noqa: E402  (bench/report.py, next to this file)

    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(out_dir, "chart.svg"), "w") as f:
        f.write(report.chart_svg(res))
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(report.markdown(res))
    log(f"done in {res['seconds']} s: {out_dir}/results.md, results.json, chart.svg")
    print(report.summary_table(res))


if __name__ == "__main__":
    main()
