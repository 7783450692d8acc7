//! Issue 5: the child's cgroup, on the cgroup v1 host (cgroup v2 is
//! covered by the VM scenarios in tests/vm/). Every test names its cgroup
//! uniquely, checks what the kernel did, and that the cgroup is gone after.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;

const CONTROLLERS: [&str; 3] = ["memory", "pids", "cpu"];

/// The directory of cgroup `name` under this process's own cgroup in the v1
/// hierarchy of `controller` (pidone runs in the same cgroups as the test).
fn v1_dir(controller: &str, name: &str) -> Option<PathBuf> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = own.lines().find_map(|l| {
        let mut parts = l.splitn(3, ':');
        let _id = parts.next()?;
        let ctrls = parts.next()?;
        let path = parts.next()?;
        ctrls
            .split(',')
            .any(|c| c == controller)
            .then(|| path.to_owned())
    })?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let point = mounts.lines().find_map(|l| {
        let (before, after) = l.split_once(" - ")?;
        let mut tail = after.split(' ');
        let fstype = tail.next()?;
        let opts = tail.nth(1)?;
        let mut fields = before.split(' ');
        let root = fields.nth(3)?;
        let point = fields.next()?;
        (fstype == "cgroup" && root == "/" && opts.split(',').any(|o| o == controller))
            .then(|| PathBuf::from(point))
    })?;
    Some(point.join(path.trim_start_matches('/')).join(name))
}

/// True when the v1 memory, pids and cpu hierarchies are mounted writable
/// and PID namespaces work; otherwise says why the test is skipped.
fn v1_ready(test: &str) -> bool {
    if !can_unshare(test) {
        return false;
    }
    for c in CONTROLLERS {
        let writable = v1_dir(c, "").is_some_and(|dir| {
            let path = std::ffi::CString::new(dir.to_string_lossy().as_bytes()).unwrap();
            // SAFETY: access(2) on a NUL-terminated path.
            unsafe { libc::access(path.as_ptr(), libc::W_OK) == 0 }
        });
        if !writable {
            eprintln!("SKIP {test}: no writable cgroup v1 {c} hierarchy here");
            return false;
        }
    }
    true
}

fn name(test: &str) -> String {
    format!("pidone-t-{test}-{}", std::process::id())
}

fn assert_removed(name: &str) {
    for c in CONTROLLERS {
        let dir = v1_dir(c, name).unwrap();
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
}

fn pidone_as_pid1(cgroup: &str, args: &[&str]) -> Command {
    let mut all = vec!["--cgroup", cgroup];
    all.extend_from_slice(args);
    as_pid1(&all)
}

#[test]
fn oom_kill_is_reported_and_exits_137() {
    let test = "oom";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let out = run(pidone_as_pid1(
        &cg,
        &[
            "--memory-max",
            "32M",
            "--",
            "python3",
            "-c",
            "b = bytearray(200 << 20); print('survived', flush=True)",
        ],
    ));
    assert_eq!(out.code, 137, "{out:?}");
    assert!(!out.stdout.contains("survived"), "{out:?}");
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("OOM killer"))
        .collect();
    assert_eq!(
        lines,
        ["pidone: program killed by the OOM killer (memory.limit_in_bytes 32 MiB)"],
        "{out:?}"
    );
    assert_removed(&cg);
}

#[test]
fn no_oom_line_without_an_oom_kill() {
    let test = "nooom";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    // SIGKILL, but not from the OOM killer: no OOM line.
    let out = run(pidone_as_pid1(
        &cg,
        &["--memory-max", "64M", "--", "sh", "-c", "kill -9 $$"],
    ));
    assert_eq!(out.code, 137, "{out:?}");
    assert!(!out.stderr.contains("OOM"), "{out:?}");
    assert_removed(&cg);
}

#[test]
fn fork_bomb_is_held_by_pids_max() {
    let test = "forkbomb";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let out = run(pidone_as_pid1(
        &cg,
        &[
            "--pids-max",
            "20",
            "--",
            "python3",
            &helper("forkbomb.py"),
            "200",
        ],
    ));
    // pidone survives and exits with the program's own status.
    assert_eq!(out.code, 7, "{out:?}");
    // 20 tasks in all: the python process and 19 children.
    assert_eq!(out.stdout.trim(), "forked 19, then EAGAIN", "{out:?}");
    assert_removed(&cg);
}

#[test]
fn cpus_writes_the_quota_and_throttles() {
    let test = "cpus";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let dir = v1_dir("cpu", &cg).unwrap();
    let d = dir.display();
    // The program reads back its own cgroup's quota, then spins until the
    // kernel has throttled it 3 times (at most 10 s) and says how often.
    let script = format!(
        "grep -c ':/{cg}$' /proc/self/cgroup; cat {d}/cpu.cfs_quota_us {d}/cpu.cfs_period_us; \
         exec python3 {} {d} 3",
        helper("throttled.py")
    );
    let out = run(pidone_as_pid1(
        &cg,
        &["--cpus", "0.5", "--", "sh", "-c", &script],
    ));
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.get(1..3), Some(&["50000", "100000"][..]), "{out:?}");
    // In the cpu hierarchy (and the cpuacct one mounted apart here, or
    // with it): at least one line names the child's cgroup.
    assert!(lines.first().is_some_and(|n| *n != "0"), "{out:?}");
    let throttled: u64 = lines
        .get(3)
        .and_then(|l| l.strip_prefix("nr_throttled "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no nr_throttled: {out:?}"));
    assert!(
        throttled >= 3,
        "a busy loop at 0.5 CPU was throttled {throttled} times"
    );
    assert_removed(&cg);
}

#[test]
fn memory_high_pressure_sends_the_signal() {
    let test = "pressure";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let out = run(pidone_as_pid1(
        &cg,
        &[
            "--memory-high",
            "32M",
            "--on-memory-pressure",
            "USR1",
            "--",
            "python3",
            &helper("grow.py"),
            "96",
            "4",
            "10",
        ],
    ));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("got SIGUSR1"), "{out:?}");
    assert_removed(&cg);
}

#[test]
fn no_pressure_signal_below_memory_high() {
    let test = "nopressure";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let out = run(pidone_as_pid1(
        &cg,
        &[
            "--memory-high",
            "512M",
            "--on-memory-pressure",
            "USR1",
            "--",
            "python3",
            &helper("grow.py"),
            "32",
            "4",
            "1",
        ],
    ));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("got"), "{out:?}");
    assert!(out.stdout.contains("done"), "{out:?}");
    assert_removed(&cg);
}

#[test]
fn child_is_in_its_cgroup_with_every_limit_and_it_is_removed() {
    let test = "limits";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let mem = v1_dir("memory", &cg).unwrap();
    let pids = v1_dir("pids", &cg).unwrap();
    let script = format!(
        "grep ':/.*{cg}$' /proc/self/cgroup | cut -d: -f2 | sort | tr '\\n' ' '; echo; \
         cat {m}/memory.limit_in_bytes {m}/memory.memsw.limit_in_bytes \
         {m}/memory.soft_limit_in_bytes {p}/pids.max",
        m = mem.display(),
        p = pids.display()
    );
    let out = run(pidone_as_pid1(
        &cg,
        &[
            "--memory-max",
            "64m",
            "--memory-high",
            "48MiB",
            "--pids-max",
            "33",
            "--cpus",
            "1.5",
            "--",
            "sh",
            "-c",
            &script,
        ],
    ));
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    // Only the hierarchies the limits need (cpu, memory, pids).
    assert_eq!(
        lines.first().map(|l| l.trim()),
        Some("cpu memory pids"),
        "{out:?}"
    );
    assert_eq!(
        lines.get(1..),
        Some(&["67108864", "67108864", "50331648", "33"][..]),
        "{out:?}"
    );
    assert_removed(&cg);
}

#[test]
fn cgroup_removed_after_sigkill_of_the_program() {
    let test = "sigkill";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let mut live = Live::start(pidone_as_pid1(
        &cg,
        &[
            "--pids-max",
            "10",
            "--",
            "sh",
            "-c",
            "echo ready; exec sleep 60",
        ],
    ));
    live.expect_line("ready");
    let dir = v1_dir("pids", &cg).unwrap();
    assert!(dir.exists());
    let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap();
    let program: i32 = procs.trim().parse().expect("one process in the cgroup");
    live.signal(program, libc::SIGKILL);
    let out = live.finish();
    assert_eq!(out.code, 137, "{out:?}");
    assert_removed(&cg);
}

/// Runs `script` (which ends by exec'ing pidone with `args`) as root in a
/// private mount namespace; returns the outcome and whether the program
/// ran (it would have created the marker file).
fn in_private_mounts(test: &str, setup: &str, args: &[&str]) -> (Outcome, bool) {
    let dir = scratch(test);
    let marker = dir.join("ran");
    let mut cmd = Command::new("unshare");
    let script = format!("{setup} && exec \"$@\"");
    cmd.args(["--mount", "--fork", "sh", "-c", &script, "sh", pidone()]);
    cmd.args(args);
    cmd.args(["--", "touch", &marker.to_string_lossy()]);
    let out = run(cmd);
    let ran = marker.exists();
    let _ = std::fs::remove_dir_all(&dir);
    (out, ran)
}

fn one_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "want exactly one line: {stderr:?}");
    lines[0]
}

#[test]
fn read_only_cgroup_fs_fails_closed() {
    let test = "readonly";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let setup = "for d in /sys/fs/cgroup/*/; do mount -o remount,bind,ro \"$d\" || exit 99; done";
    let (out, ran) = in_private_mounts(test, setup, &["--cgroup", &cg, "--memory-max", "32M"]);
    assert_eq!(out.code, 125, "{out:?}");
    assert!(!ran, "the program ran");
    let line = one_line(&out.stderr);
    assert!(line.starts_with("pidone: cgroup: cannot create "), "{line}");
    assert!(line.contains("Read-only file system"), "{line}");
    assert!(line.contains("docker run --memory"), "{line}");
    assert_removed(&cg);
}

#[test]
fn missing_cgroup_fs_fails_closed() {
    let test = "missing";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let setup = "umount /sys/fs/cgroup/pids && { umount /sys/fs/cgroup/unified || true; }";
    let (out, ran) = in_private_mounts(test, setup, &["--cgroup", &cg, "--pids-max", "5"]);
    assert_eq!(out.code, 125, "{out:?}");
    assert!(!ran, "the program ran");
    let line = one_line(&out.stderr);
    assert!(line.contains("pids controller"), "{line}");
    assert!(line.contains("mount cgroup2"), "{line}");
}

#[test]
fn value_refused_by_the_kernel_fails_closed() {
    let test = "badvalue";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    // pids.max takes at most PID_MAX_LIMIT (4194304).
    let (out, ran) = in_private_mounts(
        test,
        "true",
        &[
            "--cgroup",
            &cg,
            "--memory-max",
            "1G",
            "--pids-max",
            "99999999",
        ],
    );
    assert_eq!(out.code, 125, "{out:?}");
    assert!(!ran, "the program ran");
    let line = one_line(&out.stderr);
    assert!(line.contains("pids.max"), "{line}");
    assert!(line.contains("the kernel refused the value"), "{line}");
    // The memory cgroup made before the failure is gone too.
    assert_removed(&cg);
}

#[test]
fn an_existing_cgroup_is_not_taken_over() {
    let test = "exists";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let theirs = v1_dir("pids", &cg).unwrap();
    std::fs::create_dir(&theirs).unwrap();
    let (out, ran) = in_private_mounts(test, "true", &["--cgroup", &cg, "--pids-max", "5"]);
    let still_there = theirs.exists();
    let _ = std::fs::remove_dir(&theirs);
    assert_eq!(out.code, 125, "{out:?}");
    assert!(!ran, "the program ran");
    assert!(still_there, "pidone removed a cgroup it did not make");
    assert!(one_line(&out.stderr).contains("choose another name with --cgroup"));
}

#[test]
fn pressure_signal_needs_memory_high() {
    let test = "pressurealone";
    if !v1_ready(test) {
        return;
    }
    let cg = name(test);
    let (out, ran) = in_private_mounts(
        test,
        "true",
        &["--cgroup", &cg, "--on-memory-pressure", "USR1"],
    );
    assert_eq!(out.code, 125, "{out:?}");
    assert!(!ran);
    assert!(one_line(&out.stderr).contains("needs --memory-high"));
    assert_removed(&cg);
}
