//! Shutdown policy: the grace-period drain of leftover processes,
//! `--kill-after`, `--rewrite`, `--delay`, and that an idle pidone sleeps.

mod common;

use common::*;
use std::process::Command;
use std::time::{Duration, Instant};

fn family(init_args: &[&str], mode: &str, marker: &str, code: i32, pid1: bool) -> Command {
    let mut argv: Vec<String> = init_args.iter().map(|s| s.to_string()).collect();
    argv.extend([
        "python3".into(),
        helper("family.py"),
        "leave".into(),
        mode.into(),
    ]);
    argv.extend([marker.to_string(), code.to_string()]);
    if pid1 {
        as_pid1(&argv)
    } else {
        as_subreaper(&argv)
    }
}

fn alive(pid: i32) -> bool {
    // A reaped process has no /proc entry; a zombie would still show "Z".
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

fn left_pid(out: &Outcome) -> i32 {
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("left "))
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no 'left' line: {out:?}"))
}

/// A grandchild that traps TERM gets to flush before pidone exits, and
/// pidone exits with the main child's status — as PID 1 and as subreaper,
/// for a plain grandchild and for a setsid daemon.
#[test]
fn leftover_processes_get_term_and_time_to_flush() {
    for pid1 in [true, false] {
        if pid1 && !can_unshare("leftover_processes_get_term_and_time_to_flush") {
            continue;
        }
        for mode in ["trap", "daemon"] {
            let dir = scratch(&format!("flush-{mode}-{pid1}"));
            let marker = dir.join("flushed");
            let out = run(family(
                &["-v"],
                mode,
                marker.to_str().expect("utf-8"),
                5,
                pid1,
            ));
            assert_eq!(out.code, 5, "{mode} pid1={pid1}: {out:?}");
            assert!(
                marker.exists(),
                "{mode} pid1={pid1}: no flush before exit: {out:?}"
            );
            assert!(
                out.stderr
                    .contains("1 other processes got the grace signal, 0 needed SIGKILL"),
                "{mode} pid1={pid1}: {out:?}"
            );
            if !pid1 {
                assert!(!alive(left_pid(&out)), "{mode}: leftover still running");
            }
        }
    }
}

/// A grandchild that ignores TERM is killed once the grace period is over;
/// the exit status is still the main child's.
#[test]
fn term_ignoring_leftover_is_killed_after_grace() {
    for pid1 in [true, false] {
        if pid1 && !can_unshare("term_ignoring_leftover_is_killed_after_grace") {
            continue;
        }
        let start = Instant::now();
        let out = run(family(
            &["-v", "--grace-period", "1s"],
            "ignore",
            "/nonexistent",
            3,
            pid1,
        ));
        let took = start.elapsed();
        assert_eq!(out.code, 3, "pid1={pid1}: {out:?}");
        assert!(
            took >= Duration::from_secs(1),
            "killed before the grace period ended: {took:?}"
        );
        assert!(
            out.stderr.contains("1 needed SIGKILL"),
            "pid1={pid1}: {out:?}"
        );
        if !pid1 {
            assert!(!alive(left_pid(&out)), "leftover still running");
        }
    }
}

#[test]
fn grace_period_zero_kills_at_once() {
    let out = run(family(
        &["-v", "--grace-period", "0"],
        "trap",
        "/nonexistent/x",
        4,
        false,
    ));
    assert_eq!(out.code, 4, "{out:?}");
    assert!(out.stderr.contains("1 needed SIGKILL"), "{out:?}");
    assert!(!alive(left_pid(&out)));
}

/// `--rewrite TERM:0` also drops the grace-period TERM: the leftover never
/// sees it and is killed at the deadline.
#[test]
fn rewrite_applies_to_the_grace_signal() {
    let dir = scratch("grace-rewrite");
    let marker = dir.join("flushed");
    let m = marker.to_str().expect("utf-8");
    let out = run(family(
        &["-v", "--rewrite", "TERM:0", "--grace-period", "500ms"],
        "trap",
        m,
        0,
        false,
    ));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!marker.exists(), "TERM should have been dropped: {out:?}");
    assert!(out.stderr.contains("1 needed SIGKILL"), "{out:?}");
}

fn catcher(init_args: &[&str], catch_args: &[&str]) -> Live {
    let mut argv: Vec<String> = init_args.iter().map(|s| s.to_string()).collect();
    argv.extend(["python3".into(), helper("catch.py")]);
    argv.extend(catch_args.iter().map(|s| s.to_string()));
    let mut live = Live::start(as_pid1(&argv));
    live.expect_line("child ready");
    live
}

#[test]
fn kill_after_escalates_a_stuck_program() {
    if !can_unshare("kill_after_escalates_a_stuck_program") {
        return;
    }
    let live = catcher(&["-v", "--kill-after", "1s"], &["--ignore", "TERM", "USR1"]);
    let init = live.pidone_pid();
    let sent = Instant::now();
    live.signal(init, libc::SIGTERM);
    let out = live.finish();
    let took = sent.elapsed();
    assert_eq!(out.code, 137, "{out:?}");
    assert!(
        took >= Duration::from_secs(1),
        "escalated too early: {took:?}"
    );
    assert!(out.stderr.contains("escalated to SIGKILL"), "{out:?}");
}

/// Without `--kill-after` pidone behaves like Tini: a program that ignores
/// TERM keeps running.
#[test]
fn without_kill_after_term_is_only_forwarded() {
    if !can_unshare("without_kill_after_term_is_only_forwarded") {
        return;
    }
    let mut live = catcher(&[], &["--ignore", "TERM", "--exit-on", "USR1"]);
    let init = live.pidone_pid();
    live.signal(init, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(1500));
    live.signal(init, libc::SIGUSR1);
    live.expect_line("child got USR1");
    let out = live.finish();
    assert_eq!(
        out.code, 0,
        "the program survived TERM and exited on USR1: {out:?}"
    );
}

#[test]
fn rewrite_turns_term_into_quit_and_drops_usr1() {
    if !can_unshare("rewrite_turns_term_into_quit_and_drops_usr1") {
        return;
    }
    let mut live = catcher(
        &["--rewrite", "TERM:QUIT", "--rewrite", "USR1:0", "-v"],
        &["USR1", "USR2", "TERM", "--exit-on", "QUIT"],
    );
    let init = live.pidone_pid();
    live.signal(init, libc::SIGUSR1);
    live.signal(init, libc::SIGUSR2);
    live.expect_line("child got USR2");
    live.signal(init, libc::SIGTERM);
    live.expect_line("child got QUIT");
    let out = live.finish();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        !out.stdout.contains("got USR1"),
        "USR1 must be dropped: {out:?}"
    );
    assert!(
        !out.stdout.contains("got TERM"),
        "TERM must become QUIT: {out:?}"
    );
    assert!(out.stderr.contains("TERM→QUIT"), "{out:?}");
    assert!(out.stderr.contains("dropped USR1"), "{out:?}");
}

fn monotonic() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn arrival(line: &str) -> f64 {
    line.split("t=")
        .nth(1)
        .and_then(|t| t.trim().parse().ok())
        .expect("timestamp")
}

/// `--delay TERM:1s`: TERM reaches the program no earlier than 1 s after it
/// was sent, a second TERM does not restart the delay, and `--kill-after`
/// counts from when TERM was actually forwarded.
#[test]
fn delay_holds_term() {
    if !can_unshare("delay_holds_term") {
        return;
    }
    let mut live = catcher(
        &["-v", "--delay", "TERM:1s", "--kill-after", "1s"],
        &["TERM"],
    );
    let init = live.pidone_pid();
    let first = monotonic();
    live.signal(init, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(600));
    let second = monotonic();
    live.signal(init, libc::SIGTERM);
    let got = arrival(&live.expect_line("child got TERM"));
    assert!(
        got - first >= 1.0,
        "TERM arrived {:.3}s after it was sent",
        got - first
    );
    assert!(got < second + 1.0, "the second TERM restarted the delay");
    let out = live.finish();
    let finished = monotonic();
    assert_eq!(out.code, 137, "{out:?}");
    assert!(
        finished - got >= 1.0,
        "--kill-after must count from the forward"
    );
    assert_eq!(out.stdout.matches("got TERM").count(), 1, "{out:?}");
    assert!(out.stderr.contains("delayed TERM by 1.0s"), "{out:?}");
}

fn context_switches(pid: i32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    ["voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"]
        .iter()
        .map(|k| {
            status_field(&status, k)
                .and_then(|v| v.parse::<u64>().ok())
                .expect(k)
        })
        .sum()
}

/// No deadline pending (even with --kill-after and --delay configured):
/// pidone does not wake up at all while its program idles.
#[test]
fn idle_pidone_never_wakes_up() {
    if !can_unshare("idle_pidone_never_wakes_up") {
        return;
    }
    let mut live = catcher(
        &["--kill-after", "1s", "--delay", "HUP:5s"],
        &["--exit-on", "TERM"],
    );
    let init = live.pidone_pid();
    std::thread::sleep(Duration::from_millis(300));
    let before = context_switches(init);
    std::thread::sleep(Duration::from_secs(2));
    let after = context_switches(init);
    live.signal(init, libc::SIGTERM);
    live.expect_line("child got TERM");
    let out = live.finish();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        after - before,
        0,
        "pidone woke up {} times while idle",
        after - before
    );
}

/// A terminating signal during the grace period ends it at once.
#[test]
fn second_term_cuts_the_grace_period_short() {
    let mut cmd = family(
        &["-v", "--grace-period", "60s"],
        "ignore",
        "/nonexistent",
        6,
        false,
    );
    cmd.stdin(std::process::Stdio::null());
    let mut live = Live::start(cmd);
    live.expect_line("left ");
    std::thread::sleep(Duration::from_millis(300));
    let pidone = live.pidone_pid();
    live.signal(pidone, libc::SIGTERM);
    let out = live.finish();
    assert_eq!(out.code, 6, "{out:?}");
    assert!(out.stderr.contains("1 needed SIGKILL"), "{out:?}");
}

/// A subreaper whose /proc belongs to another PID namespace cannot walk its
/// tree; the grace signal still reaches what stayed in the program's group.
#[test]
fn drain_without_a_proc_of_its_own_reaches_the_program_group() {
    if !can_unshare("drain_without_a_proc_of_its_own_reaches_the_program_group") {
        return;
    }
    let dir = scratch("foreign-proc");
    let marker = dir.join("flushed");
    // sh is PID 1 of the new namespace, pidone its child (a subreaper), and
    // /proc is still the outer namespace's.
    let mut cmd = Command::new("unshare");
    cmd.args([
        "--pid",
        "--fork",
        "--kill-child",
        "sh",
        "-c",
        "\"$@\"; exit $?",
        "sh",
    ]);
    cmd.args([pidone(), "-v", "python3"]);
    cmd.arg(helper("family.py"))
        .args(["leave", "trap"])
        .arg(&marker)
        .arg("5");
    let out = run(cmd);
    assert_eq!(out.code, 5, "{out:?}");
    assert!(marker.exists(), "the leftover never got TERM: {out:?}");
    assert!(
        out.stderr
            .contains("? other processes got the grace signal"),
        "{out:?}"
    );
}
