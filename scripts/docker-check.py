#!/usr/bin/env python3
"""make docker-check: runs every example in docker/ as written.

No Docker engine runs here, so for each example this reads what Docker or
Kubernetes would read (ENTRYPOINT/CMD, ENV, COPY; command/args and
runAsUser), lays out a minimal root filesystem (busybox-static, the static
pidone where the example copies it, the example's files), and runs exactly
that argv with pidone as PID 1 of a new PID namespace chrooted there. Then
it does what `docker stop` does: TERM to PID 1 from outside, and judges the
app's output and pidone's exit status. An example that needs a feature the
binary was built without is skipped with pidone's own words.

    scripts/docker-check.py [PIDONE_BIN]
    scripts/docker-check.py --argv DOCKERFILE   (prints ENTRYPOINT + CMD)
"""
import json
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCKER = os.path.join(ROOT, "docker")
WORK = os.path.join(ROOT, "target", "docker-check")
BUSYBOX = "/bin/busybox"

# What each example must do when stopped: (file, stop signal, lines that
# must appear, exit status). `docker stop` and the kubelet both send TERM.
EXAMPLES = [
    ("alpine.Dockerfile", ["app: ready", "app: TERM received, shutting down"], 0),
    ("debian-slim.Dockerfile", ["app: ready", "app: QUIT received, shutting down"], 0),
    ("confined.Dockerfile", ["Seccomp: 2", "uid 65534", "app: TERM received"], 0),
    ("kubernetes.yaml", ["app: ready", "uid 65534", "app: TERM received"], 0),
    ("docker --init", ["app: ready", "app: TERM received"], 0),
]


def dockerfile(path):
    """The last stage's ENTRYPOINT, CMD, ENV and plain COPY lines."""
    text = open(path).read().replace("\\\n", " ")
    stage = {"entrypoint": [], "cmd": [], "env": {}, "copy": []}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            stage = {"entrypoint": [], "cmd": [], "env": {}, "copy": []}
        elif word in ("ENTRYPOINT", "CMD"):
            # Only the exec (JSON) form: the shell form would not make
            # pidone PID 1, which is the point of these examples.
            argv = json.loads(rest)
            stage["entrypoint" if word == "ENTRYPOINT" else "cmd"] = argv
        elif word == "ENV":
            for item in shlex.split(rest):
                k, _, v = item.partition("=")
                stage["env"][k] = v
        elif word == "COPY":
            args = shlex.split(rest)
            src = [a for a in args if a.startswith("--from=")]
            args = [a for a in args if not a.startswith("--")]
            stage["copy"].append((src[0][7:] if src else None, args[0], args[1]))
    return stage


def kubernetes(path):
    """command, args and runAsUser/runAsGroup of the first container.
    The examples write sequences in flow (JSON) style, so no YAML parser."""
    spec = {"entrypoint": [], "cmd": [], "env": {}, "copy": [], "user": None}
    uid = gid = None
    for line in open(path):
        m = re.match(r"\s*(command|args|runAsUser|runAsGroup):\s*(.+?)\s*$", line)
        if not m:
            continue
        key, value = m.groups()
        if key == "command":
            spec["entrypoint"] = json.loads(value)
        elif key == "args":
            spec["cmd"] = json.loads(value)
        elif key == "runAsUser":
            uid = int(value)
        else:
            gid = int(value)
    if uid is not None:
        spec["user"] = (uid, gid if gid is not None else uid)
    return spec


def rootfs(name, spec, pidone, runas):
    root = os.path.join(WORK, name.replace(" ", "-"), "rootfs")
    shutil.rmtree(os.path.dirname(root), ignore_errors=True)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "tmp", "app", "usr/local/bin"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    # The device nodes every container runtime provides.
    os.makedirs(os.path.join(root, "dev"), exist_ok=True)
    for dev, minor in (("null", 3), ("zero", 5), ("full", 7), ("random", 8), ("urandom", 9)):
        os.mknod(os.path.join(root, "dev", dev), 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        os.chmod(os.path.join(root, "dev", dev), 0o666)
    shutil.copy(BUSYBOX, os.path.join(root, "bin/busybox"))
    applets = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True, check=True)
    for applet in applets.stdout.split():
        if applet != "bin/busybox":
            os.symlink("/bin/busybox", os.path.join(root, applet))
    with open(os.path.join(root, "etc/passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n")
    with open(os.path.join(root, "etc/group"), "w") as f:
        f.write("root:x:0:\nnobody:x:65534:\n")
    shutil.copy(runas, os.path.join(root, "bin/runas"))
    for src_stage, src, dst in spec["copy"]:
        target = os.path.join(root, dst.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if src_stage is not None:
            # COPY --from=pidone /pidone ...: the static binary under test.
            shutil.copy(pidone, target)
        else:
            shutil.copy(os.path.join(DOCKER, src), target)
    return root


def builder(path):
    """docker/Dockerfile: a build stage that runs `make static`, and a last
    stage FROM scratch that holds /pidone and nothing else."""
    stages = []
    for line in open(path).read().replace("\\\n", " ").splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0].upper() == "FROM":
            stages.append({"from": words[1], "lines": []})
        elif stages:
            stages[-1]["lines"].append(line.strip())
    if len(stages) < 2:
        return "FAIL", "expected a build stage and a final stage"
    last = stages[-1]
    copies = [l for l in last["lines"] if l.upper().startswith(("COPY", "ADD", "RUN"))]
    if last["from"] != "scratch" or len(copies) != 1 or not copies[0].endswith(" /pidone"):
        return "FAIL", f"the last stage must be FROM scratch with one COPY to /pidone, not {last}"
    if not any("make static" in l for st in stages[:-1] for l in st["lines"]):
        return "FAIL", "no build stage runs `make static`"
    return "PASS", "build stage runs make static; FROM scratch holds only /pidone"


def seconds(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", text)
    if not m:
        return None
    scale = {"ms": 0.001, "s": 1, "m": 60, None: 1}[m.group(2)]
    return float(m.group(1)) * scale


def kill_after_problem(path, argv):
    """--kill-after must end the app before the kubelet's own SIGKILL at
    terminationGracePeriodSeconds, or pidone never reports the ending."""
    grace = re.search(r"terminationGracePeriodSeconds:\s*(\d+)", open(path).read())
    if "--kill-after" not in argv:
        return None
    kill_after = seconds(argv[argv.index("--kill-after") + 1])
    if grace is None or kill_after is None:
        return "cannot read terminationGracePeriodSeconds or --kill-after"
    if kill_after >= int(grace.group(1)):
        return f"--kill-after {kill_after:g}s is not below terminationGracePeriodSeconds {grace.group(1)}"
    return None


def cgroup2_delegated():
    """True when this process's cgroup is on a cgroup v2 with controllers."""
    try:
        with open("/sys/fs/cgroup/cgroup.controllers") as f:
            return "memory" in f.read().split()
    except OSError:
        return False


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def run(name, spec, expect, want_status, pidone, runas):
    argv = spec["entrypoint"] + spec["cmd"]
    root = rootfs(name, spec, pidone, runas)
    if spec.get("user"):
        uid, gid = spec["user"]
        argv = ["/bin/runas", str(uid), str(gid)] + argv
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
    env.update(spec["env"])
    cmd = ["unshare", "--pid", "--fork", "--kill-child", "--mount", f"--root={root}", "--mount-proc"] + argv
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, text=True)
    lines = []
    ready = threading.Event()

    def reader():
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if "app: ready" in line or "not available in this build" in line:
                ready.set()
        ready.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    ready.wait(15)
    if any("not available in this build" in l for l in lines):
        proc.wait(10)
        reason = next(l for l in lines if "not available in this build" in l)
        return "SKIP", reason
    time.sleep(0.5)
    # docker stop / the kubelet: TERM to the container's PID 1, from outside.
    init = children(proc.pid)
    for pid in init:
        os.kill(pid, signal.SIGTERM)
    try:
        status = proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "FAIL", "still running 20 s after TERM\n" + "\n".join(lines)
    t.join(5)
    if not init:
        return "FAIL", f"pidone was gone before the stop (exit {status})\n" + "\n".join(lines)
    out = "\n".join(lines)
    missing = [e for e in expect if e not in out]
    if status != want_status or missing:
        why = f"exit {status} (want {want_status})" + (f", missing {missing}" if missing else "")
        return "FAIL", why + "\n" + "\n".join("    " + l for l in lines)
    return "PASS", " ".join(shlex.quote(a) for a in argv)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--argv":
        # For tests/vm/scenarios/docker-*.sh: the example's argv, shell-quoted.
        spec = dockerfile(sys.argv[2])
        print(" ".join(shlex.quote(a) for a in spec["entrypoint"] + spec["cmd"]))
        return 0
    pidone = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, "target/x86_64-unknown-linux-musl/release/pidone")
    os.makedirs(WORK, exist_ok=True)
    runas = os.path.join(WORK, "runas")
    cc = shutil.which("musl-gcc") or "cc"
    subprocess.run([cc, "-static", "-Os", "-s", "-o", runas, os.path.join(DOCKER, "runas.c")], check=True)
    passed = failed = skipped = 0
    verdict, detail = builder(os.path.join(DOCKER, "Dockerfile"))
    print(f"{verdict} Dockerfile: {detail}", flush=True)
    passed += verdict == "PASS"
    failed += verdict == "FAIL"
    for name, expect, status in EXAMPLES:
        if name == "kubernetes.yaml":
            spec = kubernetes(os.path.join(DOCKER, name))
            problem = kill_after_problem(os.path.join(DOCKER, name), spec["entrypoint"] + spec["cmd"])
            if problem:
                print(f"FAIL {name}: {problem}", flush=True)
                failed += 1
                continue
            # The image the Pod names: the Alpine example's.
            spec["copy"] = dockerfile(os.path.join(DOCKER, "alpine.Dockerfile"))["copy"]
        elif name == "docker --init":
            # dockerd --init-path=/usr/local/bin/pidone (docker/daemon.json)
            # and `docker run --init` run INIT -- ENTRYPOINT CMD; here an
            # image with no init of its own: the Alpine example's files and
            # CMD without its ENTRYPOINT.
            spec = dockerfile(os.path.join(DOCKER, "alpine.Dockerfile"))
            init = json.load(open(os.path.join(DOCKER, "daemon.json")))["init-path"]
            spec["copy"] = [c for c in spec["copy"] if c[0] is None]
            spec["copy"].append(("pidone", "/pidone", init))
            spec["entrypoint"] = [init, "--"]
        elif name == "confined.Dockerfile" and not cgroup2_delegated():
            print(f"SKIP {name}: needs a cgroup v2 with controllers (this host's are v1);"
                  " run in the VM by tests/vm/scenarios/docker-confined.sh", flush=True)
            skipped += 1
            continue
        else:
            spec = dockerfile(os.path.join(DOCKER, name))
        verdict, detail = run(name, spec, expect, status, pidone, runas)
        print(f"{verdict} {name}: {detail}", flush=True)
        passed += verdict == "PASS"
        failed += verdict == "FAIL"
        skipped += verdict == "SKIP"
    print(f"docker-check: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
