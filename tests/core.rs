//! pidone as PID 1 (and as a subreaper): exit codes, forwarding, reaping,
//! transparency, argv, the parent-death signal and the terminal.

mod common;

use common::*;
use std::process::Command;
use std::time::Duration;

fn py(script: &str) -> Vec<String> {
    vec!["python3".into(), helper(script)]
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn exit_codes_pass_through() {
    if !can_unshare("exit_codes_pass_through") {
        return;
    }
    for code in [0, 1, 42, 255] {
        let out = run(as_pid1(&["sh", "-c", &format!("exit {code}")]));
        assert_eq!(out.code, code, "{out:?}");
    }
}

#[test]
fn death_by_signal_is_128_plus_n() {
    if !can_unshare("death_by_signal_is_128_plus_n") {
        return;
    }
    let rt = libc::SIGRTMIN() + 2;
    let sigs = [
        libc::SIGHUP,
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGABRT,
        libc::SIGKILL,
        libc::SIGUSR1,
        libc::SIGSEGV,
        libc::SIGUSR2,
        libc::SIGPIPE,
        libc::SIGALRM,
        libc::SIGTERM,
        libc::SIGSYS,
        rt,
    ];
    for sig in sigs {
        let script = format!(
            "import os, resource, signal; resource.setrlimit(resource.RLIMIT_CORE, (0, 0)); \
             {sig} != 9 and signal.signal({sig}, signal.SIG_DFL); os.kill(os.getpid(), {sig})"
        );
        let out = run(as_pid1(&["python3", "-c", &script]));
        assert_eq!(out.code, 128 + sig, "signal {sig}: {out:?}");
    }
}

#[test]
fn not_found_not_executable_and_remap() {
    if !can_unshare("not_found_not_executable_and_remap") {
        return;
    }
    let out = run(as_pid1(&["no-such-program-anywhere"]));
    assert_eq!(out.code, 127, "{out:?}");
    assert!(
        out.stderr
            .contains("pidone: cannot run 'no-such-program-anywhere'"),
        "{out:?}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "one line: {out:?}");

    let dir = scratch("not-executable");
    let plain = dir.join("plain-file");
    std::fs::write(&plain, "echo should not run\n").expect("write");
    let out = run(as_pid1(&[plain.to_str().expect("utf-8")]));
    assert_eq!(out.code, 126, "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let out = run(as_pid1(&["/"]));
    assert_eq!(out.code, 126, "{out:?}");

    let out = run(as_pid1(&["-e", "3", "-e", "4", "sh", "-c", "exit 3"]));
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(as_pid1(&["--remap-exit=4", "sh", "-c", "exit 5"]));
    assert_eq!(out.code, 5, "{out:?}");
    let out = run(as_pid1(&["-e", "143", "sh", "-c", "kill -TERM $$"]));
    assert_eq!(out.code, 143, "signal deaths are not remapped: {out:?}");
}

#[test]
fn bad_usage_is_125_and_runs_nothing() {
    if !can_unshare("bad_usage_is_125_and_runs_nothing") {
        return;
    }
    let dir = scratch("bad-usage");
    let marker = dir.join("ran");
    let m = marker.to_string_lossy().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["-x", "touch", &m],
        vec!["--bogus", "touch", &m],
        vec!["-e", "256", "touch", &m],
        vec!["-e", "nope", "touch", &m],
        vec!["-p", "SIGNOPE", "touch", &m],
        vec!["-p"],
        vec!["--rewrite", "TERM", "touch", &m],
        vec!["--rewrite", "TERM:NOPE", "touch", &m],
        vec!["--delay", "TERM:later", "touch", &m],
        vec!["--kill-after", "5x", "touch", &m],
        vec!["--grace-period", "-1", "touch", &m],
        vec![],
        vec!["-v"],
    ];
    for case in cases {
        let out = run(as_pid1(&case));
        assert_eq!(out.code, 125, "{case:?}: {out:?}");
        assert_eq!(out.stderr.lines().count(), 1, "{case:?}: one line: {out:?}");
        assert!(out.stderr.starts_with("pidone: "), "{case:?}: {out:?}");
        assert!(!marker.exists(), "{case:?} ran the program");
    }
    let out = run(as_pid1(&["-e", "1", "touch", &m]));
    assert_eq!(out.code, 0);
    assert!(marker.exists(), "the good case must run the program");
}

#[test]
fn informational_flags_exit_0() {
    for (flag, needle) in [
        ("-h", "usage: pidone"),
        ("--help", "usage: pidone"),
        ("-V", "pidone 0."),
        ("-l", "MIT"),
    ] {
        let out = run(as_subreaper(&[flag]));
        assert_eq!(out.code, 0, "{flag}: {out:?}");
        assert!(out.stdout.contains(needle), "{flag}: {out:?}");
        assert!(out.stderr.is_empty(), "{flag}: {out:?}");
    }
}

#[test]
fn argv_is_passed_exactly() {
    if !can_unshare("argv_is_passed_exactly") {
        return;
    }
    let script = "import json, sys; print(json.dumps(sys.argv[1:]))";
    let out = run(as_pid1(&[
        "--", "python3", "-c", script, "a b", "", "-v", "--", "--help", "-e", "3", "ünï",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        r#"["a b", "", "-v", "--", "--help", "-e", "3", "\u00fcn\u00ef"]"#
    );
    let out = run(as_pid1(&["echo", "-v"]));
    assert_eq!(out.stdout, "-v");
}

/// Each signal sent to pidone (PID 1) from outside arrives at the program.
#[test]
fn forwards_signals_to_the_child() {
    if !can_unshare("forwards_signals_to_the_child") {
        return;
    }
    let names = [
        "INT", "HUP", "USR1", "USR2", "QUIT", "WINCH", "RTMIN+5", "ABRT", "CONT",
    ];
    let mut argv = py("catch.py");
    argv.extend(args(&["--exit-on", "TERM"]));
    argv.extend(args(&names));
    let mut live = Live::start(as_pid1(&argv));
    live.expect_line("child ready");
    let init = live.pidone_pid();
    for name in names {
        live.signal(init, signal_number(name));
        live.expect_line(&format!("child got {name} "));
    }
    live.signal(init, libc::SIGTERM);
    live.expect_line("child got TERM");
    let out = live.finish();
    assert_eq!(out.code, 0, "{out:?}");
}

/// With -g the whole process group gets the signal: a grandchild too.
#[test]
fn group_forwarding_reaches_a_grandchild() {
    if !can_unshare("group_forwarding_reaches_a_grandchild") {
        return;
    }
    let catch = helper("catch.py");
    let script = format!(
        "trap '' USR1 HUP; python3 {catch} --prefix grandchild USR1 HUP --exit-on TERM & \
         trap 'exit 0' TERM; wait; wait"
    );
    let mut live = Live::start(as_pid1(&["-g", "sh", "-c", &script]));
    live.expect_line("grandchild ready");
    let init = live.pidone_pid();
    live.signal(init, libc::SIGUSR1);
    live.expect_line("grandchild got USR1");
    live.signal(init, libc::SIGHUP);
    live.expect_line("grandchild got HUP");
    live.signal(init, libc::SIGTERM);
    live.expect_line("grandchild got TERM");
    let out = live.finish();
    assert_eq!(out.code, 0, "{out:?}");

    // Without -g the grandchild is not signalled: the shell ignores USR1 and
    // only it gets the signal.
    let mut live = Live::start(as_pid1(&["sh", "-c", &script]));
    live.expect_line("grandchild ready");
    let init = live.pidone_pid();
    live.signal(init, libc::SIGUSR1);
    live.signal(init, libc::SIGTERM);
    let out = live.finish();
    assert!(!out.stdout.contains("grandchild got USR1"), "{out:?}");
}

/// With -g, a program that left its process group (for another one, as a
/// job-control shell may) still gets the signals: an empty group does not
/// swallow them.
#[test]
fn group_forwarding_follows_a_program_that_left_its_group() {
    if !can_unshare("group_forwarding_follows_a_program_that_left_its_group") {
        return;
    }
    let script = format!(
        "import os, signal, time\n\
         pid = os.fork()\n\
         if pid == 0:\n    os.setpgid(0, 0); signal.pause(); os._exit(0)\n\
         os.setpgid(pid, pid); os.setpgid(0, pid)\n\
         os.execvp('python3', ['python3', '{}', '--exit-on', 'TERM', 'USR1'])",
        helper("catch.py")
    );
    let mut live = Live::start(as_pid1(&["-g", "python3", "-c", &script]));
    live.expect_line("child ready");
    let init = live.pidone_pid();
    live.signal(init, libc::SIGUSR1);
    live.expect_line("child got USR1");
    live.signal(init, libc::SIGTERM);
    live.expect_line("child got TERM");
    assert_eq!(live.finish().code, 0);
}

#[test]
fn survives_a_burst_of_signals() {
    if !can_unshare("survives_a_burst_of_signals") {
        return;
    }
    let mut argv = py("catch.py");
    argv.extend(args(&["--exit-on", "TERM", "USR1", "RTMIN+1", "RTMIN+2"]));
    let mut live = Live::start(as_pid1(&argv));
    live.expect_line("child ready");
    let init = live.pidone_pid();
    for i in 0..1000 {
        let sig = if i % 2 == 0 {
            libc::SIGUSR1
        } else {
            libc::SIGRTMIN() + 1
        };
        live.signal(init, sig);
    }
    // Real-time signals are delivered lowest number first and in order, so
    // RTMIN+2 sent last arrives after every RTMIN+1 pidone passed on.
    live.signal(init, libc::SIGRTMIN() + 2);
    live.expect_line("child got RTMIN+2");
    live.signal(init, libc::SIGTERM);
    live.expect_line("child got TERM");
    let out = live.finish();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("child got USR1"), "{out:?}");
    // Real-time signals queue rather than merge: every one was forwarded.
    let rt = out
        .stdout
        .lines()
        .filter(|l| l.contains("got RTMIN+1 "))
        .count();
    assert_eq!(
        rt, 500,
        "each queued real-time signal reaches the child once"
    );
}

#[test]
fn reaps_a_thousand_orphans() {
    if !can_unshare("reaps_a_thousand_orphans") {
        return;
    }
    let mut argv = py("family.py");
    argv.extend(args(&["orphans", "1000"]));
    let out = run(as_pid1(&argv));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "orphans 1000 zombies 0", "{out:?}");
}

#[test]
fn subreaper_adopts_and_reaps_orphans() {
    let mut argv = py("family.py");
    argv.push("adopted".into());
    let live = Live::start(as_subreaper(&argv));
    let pidone = live.pidone_pid();
    let out = live.finish();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        format!("orphan-parent {pidone} init {pidone} zombies 0"),
        "{out:?}"
    );
}

#[test]
fn warn_on_reap_names_each_zombie() {
    if !can_unshare("warn_on_reap_names_each_zombie") {
        return;
    }
    let mut argv = vec!["-w".to_string()];
    argv.extend(py("family.py"));
    argv.extend(args(&["orphans", "3"]));
    let out = run(as_pid1(&argv));
    assert_eq!(out.code, 0, "{out:?}");
    let warnings = out
        .stderr
        .lines()
        .filter(|l| l.contains("reaped zombie process"))
        .count();
    assert_eq!(warnings, 3, "{out:?}");
    assert!(
        out.stderr.lines().all(|l| l.starts_with("pidone: ")),
        "{out:?}"
    );
}

fn parse_report(line: &str) -> (String, String, String) {
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let fds = line.split("fds=").nth(1).unwrap_or_default().to_string();
    (field("SigBlk="), field("SigIgn="), fds)
}

/// The program: a shell that records its signal state, then becomes
/// report.py (see there).
fn reporter() -> Vec<String> {
    let script = format!(
        "exec python3 {} \"$(grep ^Sig /proc/$$/status)\"",
        helper("report.py")
    );
    vec!["sh".into(), "-c".into(), script]
}

/// The program gets the mask, ignored signals and descriptors pidone was
/// given; pidone keeps none of the inherited descriptors and sits in /.
fn check_transparency(out: &Outcome, pid1: bool) {
    let given = out
        .stdout
        .lines()
        .find(|l| l.starts_with("given "))
        .expect("given line");
    let got = out
        .stdout
        .lines()
        .find(|l| l.starts_with("got "))
        .expect("got line");
    assert_eq!(parse_report(given), parse_report(got), "{out:?}");
    let init = out
        .stdout
        .lines()
        .find(|l| l.starts_with("init "))
        .expect("init line");
    assert!(init.contains("cwd=/ "), "{init}");
    let extra = init.split("extra=").nth(1).unwrap_or_default();
    for fd in extra.split(',').filter(|s| !s.is_empty()) {
        assert!(
            fd.contains("anon_inode:[signalfd]"),
            "pidone kept {fd} (pid1={pid1})"
        );
    }
}

/// transparent.py hands pidone its unusual state, run by `launcher`.
fn run_transparency(launcher: &[&str], pid1: bool) {
    let mut cmd = Command::new(launcher[0]);
    cmd.args(&launcher[1..]);
    cmd.arg(helper("transparent.py"))
        .arg(pidone())
        .args(reporter());
    cmd.current_dir("/tmp");
    let out = run(cmd);
    assert_eq!(out.code, 0, "{out:?}");
    check_transparency(&out, pid1);
}

#[test]
fn transparent_as_pid1() {
    if !can_unshare("transparent_as_pid1") {
        return;
    }
    let unshare = [
        "unshare",
        "--pid",
        "--fork",
        "--mount-proc",
        "--kill-child",
        "python3",
    ];
    run_transparency(&unshare, true);
}

#[test]
fn transparent_as_subreaper() {
    run_transparency(&["python3"], false);
}

#[test]
fn listen_pid_names_the_child() {
    if !can_unshare("listen_pid_names_the_child") {
        return;
    }
    let script = "import os; print(os.environ.get('LISTEN_PID'), os.getpid())";
    let mut cmd = as_pid1(&["python3", "-c", script]);
    cmd.env("LISTEN_PID", "1");
    let out = run(cmd);
    let mut words = out.stdout.split_whitespace();
    let (listen, pid) = (words.next(), words.next());
    assert!(listen.is_some() && listen == pid, "{out:?}");
    assert_ne!(listen, Some("1"));

    let mut cmd = as_pid1(&["python3", "-c", script]);
    cmd.env("LISTEN_PID", "4242");
    let out = run(cmd);
    assert!(
        out.stdout.starts_with("4242 "),
        "another process's LISTEN_PID is left alone: {out:?}"
    );
}

#[test]
fn parent_death_signal_is_forwarded() {
    if !can_unshare("parent_death_signal_is_forwarded") {
        return;
    }
    let mut argv = args(&["-p", "SIGUSR1"]);
    argv.extend(py("catch.py"));
    argv.extend(args(&["--exit-on", "USR1"]));
    let mut live = Live::start(as_pid1(&argv));
    live.expect_line("child ready");
    let init = live.pidone_pid();
    // Kill pidone's parent (unshare); the kernel sends pidone SIGUSR1.
    live.signal(live.pid(), libc::SIGKILL);
    live.expect_line("child got USR1");
    // pidone then exits with the child; make sure it is gone.
    let gone = (0..400).any(|_| {
        std::thread::sleep(Duration::from_millis(25));
        // SAFETY: kill with signal 0 only checks existence.
        unsafe { libc::kill(init, 0) != 0 }
    });
    assert!(gone, "pidone outlived its program");
}

#[test]
fn logs_go_to_stderr_by_level() {
    if !can_unshare("logs_go_to_stderr_by_level") {
        return;
    }
    let quiet = run(as_pid1(&["sh", "-c", "echo out; exit 2"]));
    assert_eq!(
        (quiet.code, quiet.stdout.as_str(), quiet.stderr.as_str()),
        (2, "out", "")
    );

    let verbose = run(as_pid1(&["-v", "sh", "-c", "echo out; exit 2"]));
    assert_eq!(verbose.stdout, "out");
    assert!(
        verbose
            .stderr
            .contains("pidone: exiting with status 2: program exit 2"),
        "{verbose:?}"
    );

    let mut cmd = as_pid1(&["sh", "-c", "exit 0"]);
    cmd.env("TINI_VERBOSITY", "3");
    let out = run(cmd);
    assert!(out.stderr.contains("pidone: debug: started"), "{out:?}");

    let mut cmd = as_pid1(&["-vvv", "sh", "-c", "exit 0"]);
    cmd.env("PIDONE_LOG", "error");
    let out = run(cmd);
    assert_eq!(out.stderr, "", "PIDONE_LOG overrides -v: {out:?}");
}

/// In a terminal, Ctrl-C reaches the program: it is the foreground group.
#[test]
fn ctrl_c_reaches_the_program_in_a_terminal() {
    if !can_unshare("ctrl_c_reaches_the_program_in_a_terminal") {
        return;
    }
    let out = run({
        let mut cmd = Command::new("python3");
        cmd.arg(helper("pty_ctrl_c.py")).arg(pidone());
        cmd
    });
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("saw: got INT"), "{out:?}");
    assert!(out.stdout.contains("exit status 7"), "{out:?}");
}

fn signal_number(name: &str) -> i32 {
    match name {
        "INT" => libc::SIGINT,
        "HUP" => libc::SIGHUP,
        "USR1" => libc::SIGUSR1,
        "USR2" => libc::SIGUSR2,
        "QUIT" => libc::SIGQUIT,
        "WINCH" => libc::SIGWINCH,
        "ABRT" => libc::SIGABRT,
        "CONT" => libc::SIGCONT,
        "TERM" => libc::SIGTERM,
        "RTMIN+5" => libc::SIGRTMIN() + 5,
        other => panic!("no number for {other}"),
    }
}
