//! `--user`, `--cap-drop`/`--cap-add` and `--no-new-privs`, observed from the
//! program itself: its /proc/self/status, what it can bind, what a setuid
//! binary gives it. pidone runs as PID 1 of a new PID namespace throughout.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::{Outcome, as_pid1, as_subreaper, can_unshare, pidone, run, scratch, status_field};

const NET_BIND_SERVICE: u64 = 1 << 10;

/// The program's view of itself: /proc/self/status, then `HOME=...`.
const SHOW_SELF: &str = "cat /proc/self/status; echo HOME=$HOME";

fn field<'a>(out: &'a Outcome, key: &str) -> &'a str {
    status_field(&out.stdout, key).unwrap_or_else(|| panic!("no {key} in {out:?}"))
}

fn cap_field(out: &Outcome, key: &str) -> u64 {
    u64::from_str_radix(field(out, key), 16).unwrap_or_else(|_| panic!("bad {key} in {out:?}"))
}

fn home(out: &Outcome) -> &str {
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("HOME="))
        .unwrap_or_else(|| panic!("no HOME line in {out:?}"))
}

fn assert_ok(out: &Outcome) {
    assert_eq!(out.code, 0, "{out:?}");
}

/// The failure pidone promises: 125 and exactly one `pidone:` line.
fn assert_refused(out: &Outcome, needle: &str) {
    assert_eq!(out.code, 125, "{out:?}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {out:?}");
    assert!(lines[0].starts_with("pidone:"), "{out:?}");
    assert!(lines[0].contains(needle), "{needle:?} in {out:?}");
}

fn pid1_env(args: &[&str], home: Option<&str>) -> Outcome {
    let mut cmd = as_pid1(args);
    match home {
        Some(h) => cmd.env("HOME", h),
        None => cmd.env_remove("HOME"),
    };
    run(cmd)
}

/// A python3 that any user may run (a pyenv shim under /root is not).
fn system_python(test: &str) -> Option<&'static str> {
    let found = ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if found.is_none() {
        eprintln!("SKIP {test}: no system python3 that a non-root user can run");
    }
    found
}

fn can_unshare_net(test: &str) -> bool {
    let ok = Command::new("unshare")
        .args(["--net", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIP {test}: cannot create a network namespace here");
    }
    ok
}

/// pidone as PID 1, started with supplementary groups 4242 and 4243 of its
/// own, so that a leak of pidone's groups into the program shows.
fn pid1_with_groups(test: &str, args: &[&str]) -> Option<Outcome> {
    let has_setpriv = Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_setpriv {
        eprintln!("SKIP {test}: needs setpriv (util-linux) to give pidone groups");
        return None;
    }
    let mut cmd = Command::new("unshare");
    cmd.args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .args(["setpriv", "--groups", "4242,4243", "--", pidone()])
        .args(args)
        .env("HOME", "/root");
    Some(run(cmd))
}

#[test]
fn numeric_user_and_group_leave_no_supplementary_groups() {
    let test = "numeric_user_and_group_leave_no_supplementary_groups";
    if !can_unshare(test) {
        return;
    }
    // The control: without --user the program has pidone's groups.
    let Some(out) = pid1_with_groups(test, &["--", "cat", "/proc/self/status"]) else {
        return;
    };
    assert_eq!(field(&out, "Groups"), "4242 4243", "{out:?}");

    let Some(out) = pid1_with_groups(
        test,
        &["--user", "65534:65534", "--", "sh", "-c", SHOW_SELF],
    ) else {
        return;
    };
    assert_ok(&out);
    let ids = "65534\t65534\t65534\t65534";
    assert_eq!(field(&out, "Uid"), ids, "real, effective, saved, fs uid");
    assert_eq!(field(&out, "Gid"), ids);
    assert_eq!(field(&out, "Groups"), "", "pidone's groups must not leak");
    // pidone's own user was root: a non-root program starts without any
    // capability.
    assert_eq!(cap_field(&out, "CapEff"), 0);
    assert_eq!(cap_field(&out, "CapPrm"), 0);
}

#[test]
fn numeric_user_without_passwd_entry_gets_slash_as_home() {
    if !can_unshare("numeric_user_without_passwd_entry_gets_slash_as_home") {
        return;
    }
    // 4000000 is in no passwd file; HOME unset counts as root's.
    let out = pid1_env(&["--user", "4000000", "--", "sh", "-c", SHOW_SELF], None);
    assert_ok(&out);
    assert!(field(&out, "Uid").starts_with("4000000\t"), "{out:?}");
    assert_eq!(home(&out), "/");
}

/// pidone as PID 1 in a private mount namespace where /etc/passwd and
/// /etc/group are our own files.
fn with_own_databases(
    test: &str,
    dir: &Path,
    home: Option<&str>,
    args: &[&str],
) -> Option<Outcome> {
    let passwd = dir.join("passwd");
    let group = dir.join("group");
    std::fs::write(
        &passwd,
        "root:x:0:0:root:/root:/bin/sh\n\
         alice:x:4001:4001:Alice:/home/alice:/bin/sh\n\
         bob:x:4002:4002::/home/bob:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(
        &group,
        "root:x:0:\n\
         alice:x:4001:\n\
         staff:x:4100:bob,alice\n\
         audio:x:4101:alice\n\
         video:x:4102:bob\n",
    )
    .unwrap();
    let script = r#"mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group || exit 99
shift 2
exec "$@""#;
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--pid", "--fork", "--mount-proc", "--kill-child"])
        .args(["sh", "-c", script, "sh"])
        .arg(&passwd)
        .arg(&group)
        .arg(pidone())
        .args(args);
    match home {
        Some(h) => cmd.env("HOME", h),
        None => cmd.env_remove("HOME"),
    };
    let out = run(cmd);
    if out.code == 99 {
        eprintln!(
            "SKIP {test}: cannot bind-mount over /etc/passwd here: {}",
            out.stderr.trim()
        );
        return None;
    }
    Some(out)
}

#[test]
fn named_user_gets_its_groups_and_home_from_the_files() {
    let test = "named_user_gets_its_groups_and_home_from_the_files";
    if !can_unshare(test) {
        return;
    }
    let dir = scratch(test);
    let Some(out) = with_own_databases(
        test,
        &dir,
        Some("/root"),
        &["--user", "alice", "--", "sh", "-c", SHOW_SELF],
    ) else {
        return;
    };
    assert_ok(&out);
    assert_eq!(field(&out, "Uid"), "4001\t4001\t4001\t4001");
    assert_eq!(field(&out, "Gid"), "4001\t4001\t4001\t4001");
    let mut groups: Vec<&str> = field(&out, "Groups").split_whitespace().collect();
    groups.sort();
    assert_eq!(groups, ["4100", "4101"], "exactly the groups listing alice");
    assert_eq!(home(&out), "/home/alice");

    // A HOME chosen on purpose stays; an explicit group stands alone.
    let Some(out) = with_own_databases(
        test,
        &dir,
        Some("/srv/app"),
        &["--user", "bob:audio", "--", "sh", "-c", SHOW_SELF],
    ) else {
        return;
    };
    assert_ok(&out);
    assert_eq!(field(&out, "Uid"), "4002\t4002\t4002\t4002");
    assert_eq!(field(&out, "Gid"), "4101\t4101\t4101\t4101");
    assert_eq!(field(&out, "Groups"), "");
    assert_eq!(home(&out), "/srv/app");

    // The same files decide what is unknown.
    let marker = dir.join("ran");
    let touch = format!("touch {}", marker.display());
    let Some(out) = with_own_databases(
        test,
        &dir,
        None,
        &["--user", "carol", "--", "sh", "-c", &touch],
    ) else {
        return;
    };
    assert_refused(&out, "carol");
    assert!(!marker.exists(), "the program must never run");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_user_or_group_is_refused_and_the_program_never_runs() {
    let test = "unknown_user_or_group_is_refused_and_the_program_never_runs";
    if !can_unshare(test) {
        return;
    }
    let dir = scratch(test);
    let marker = dir.join("ran");
    let touch = format!("touch {}", marker.display());
    for (spec, needle) in [
        ("no-such-user-pidone", "no-such-user-pidone"),
        ("root:no-such-group-pidone", "no-such-group-pidone"),
        ("65534:no-such-group-pidone", "no-such-group-pidone"),
        (":0", "no user"),
        ("4294967295", "4294967295"),
    ] {
        let out = run(as_pid1(&["--user", spec, "--", "sh", "-c", &touch]));
        assert_refused(&out, needle);
        assert!(
            !marker.exists(),
            "--user {spec}: the program must never run"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cap_drop_all_leaves_root_without_capabilities() {
    if !can_unshare("cap_drop_all_leaves_root_without_capabilities") {
        return;
    }
    let out = run(as_pid1(&[
        "--cap-drop",
        "all",
        "--",
        "cat",
        "/proc/self/status",
    ]));
    assert_ok(&out);
    assert_eq!(field(&out, "Uid"), "0\t0\t0\t0");
    for key in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        assert_eq!(cap_field(&out, key), 0, "{key}: {out:?}");
    }
    // The control: without the option root keeps what it had.
    let out = run(as_pid1(&["--", "cat", "/proc/self/status"]));
    assert_ne!(cap_field(&out, "CapEff"), 0, "{out:?}");
}

#[test]
fn root_keeps_only_what_is_added_back() {
    if !can_unshare("root_keeps_only_what_is_added_back") {
        return;
    }
    let out = run(as_pid1(&[
        "--cap-drop",
        "ALL",
        "--cap-add",
        "cap_net_bind_service",
        "--",
        "cat",
        "/proc/self/status",
    ]));
    assert_ok(&out);
    for key in ["CapPrm", "CapEff", "CapBnd"] {
        assert_eq!(cap_field(&out, key), NET_BIND_SERVICE, "{key}: {out:?}");
    }
    assert_eq!(cap_field(&out, "CapInh"), 0);

    // Dropping one leaves the rest.
    let out = run(as_pid1(&[
        "--cap-drop",
        "Kill",
        "--",
        "cat",
        "/proc/self/status",
    ]));
    assert_ok(&out);
    let bnd = cap_field(&out, "CapBnd");
    assert_eq!(bnd & (1 << 5), 0, "CAP_KILL gone: {out:?}");
    assert_ne!(bnd, 0);
    assert_eq!(cap_field(&out, "CapEff"), bnd);
}

#[test]
fn non_root_user_with_cap_add_can_bind_port_80() {
    let test = "non_root_user_with_cap_add_can_bind_port_80";
    if !can_unshare(test) || !can_unshare_net(test) {
        return;
    }
    let Some(python) = system_python(test) else {
        return;
    };
    let bind = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 80)); print('bound')";
    // A network namespace of its own: port 80 is free there, and the
    // unprivileged port floor is the kernel default (1024).
    let in_netns = |args: &[&str]| {
        let mut cmd = Command::new("unshare");
        cmd.args([
            "--net",
            "--pid",
            "--fork",
            "--mount-proc",
            "--kill-child",
            pidone(),
        ])
        .args(args);
        run(cmd)
    };
    let script = format!("grep -E '^Cap' /proc/self/status; exec {python} -c \"{bind}\"");
    let out = in_netns(&[
        "--user",
        "1000",
        "--cap-add",
        "NET_BIND_SERVICE",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_ok(&out);
    assert_eq!(cap_field(&out, "CapEff"), NET_BIND_SERVICE, "{out:?}");
    assert_eq!(cap_field(&out, "CapAmb"), NET_BIND_SERVICE, "{out:?}");
    assert!(out.stdout.lines().any(|l| l == "bound"), "{out:?}");

    // The control: the same user without the capability is refused.
    let out = in_netns(&["--user", "1000", "--", "sh", "-c", &script]);
    assert_ne!(out.code, 0, "{out:?}");
    assert_eq!(cap_field(&out, "CapEff"), 0);
    assert!(out.stderr.contains("Permission denied"), "{out:?}");
}

#[test]
fn non_root_user_with_cap_drop_all_has_an_empty_bounding_set() {
    if !can_unshare("non_root_user_with_cap_drop_all_has_an_empty_bounding_set") {
        return;
    }
    let out = run(as_pid1(&[
        "--user",
        "65534",
        "--cap-drop",
        "all",
        "--",
        "cat",
        "/proc/self/status",
    ]));
    assert_ok(&out);
    assert!(field(&out, "Uid").starts_with("65534\t"), "{out:?}");
    for key in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        assert_eq!(cap_field(&out, key), 0, "{key}: {out:?}");
    }
}

#[test]
fn bad_capabilities_are_refused() {
    let test = "bad_capabilities_are_refused";
    if !can_unshare(test) {
        return;
    }
    let dir = scratch(test);
    let marker = dir.join("ran");
    let touch = format!("touch {}", marker.display());
    let out = run(as_pid1(&["--cap-drop", "FLY", "--", "sh", "-c", &touch]));
    assert_refused(&out, "--cap-drop FLY");
    let out = run(as_pid1(&["--cap-add", "CAP_", "--", "sh", "-c", &touch]));
    assert_refused(&out, "--cap-add");
    // A capability pidone does not hold cannot be given: an outer pidone
    // takes CAP_SYS_ADMIN away from an inner one that is asked for it.
    let out = run(as_pid1(&[
        "--cap-drop",
        "sys_admin",
        "--",
        pidone(),
        "--user",
        "1000",
        "--cap-add",
        "sys_admin",
        "--",
        "sh",
        "-c",
        &touch,
    ]));
    assert_refused(&out, "CAP_SYS_ADMIN");
    assert!(!marker.exists(), "the program must never run");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_new_privs_is_set_for_the_program() {
    if !can_unshare("no_new_privs_is_set_for_the_program") {
        return;
    }
    let out = run(as_pid1(&[
        "--no-new-privs",
        "--",
        "cat",
        "/proc/self/status",
    ]));
    assert_ok(&out);
    assert_eq!(field(&out, "NoNewPrivs"), "1");
    let out = run(as_pid1(&["--", "cat", "/proc/self/status"]));
    assert_eq!(field(&out, "NoNewPrivs"), "0", "the control");
}

#[test]
fn setuid_binary_gains_nothing_under_no_new_privs() {
    let test = "setuid_binary_gains_nothing_under_no_new_privs";
    if !can_unshare(test) {
        return;
    }
    let dir = scratch(test);
    // The user must be able to reach the binary whatever the umask.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let id = dir.join("id");
    std::fs::copy("/usr/bin/id", &id).expect("copy /usr/bin/id");
    std::fs::set_permissions(&id, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let id = id.to_string_lossy().into_owned();

    // The control: the setuid bit works here (not a nosuid mount).
    let out = run(as_pid1(&["--user", "65534", "--", &id, "-u"]));
    assert_ok(&out);
    if out.stdout.trim() != "0" {
        eprintln!(
            "SKIP {test}: setuid binaries do not work in {}",
            dir.display()
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let out = run(as_pid1(&[
        "--user",
        "65534",
        "--no-new-privs",
        "--",
        &id,
        "-u",
    ]));
    assert_ok(&out);
    assert_eq!(out.stdout.trim(), "65534", "euid stays the user's: {out:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn user_caps_seccomp_and_cgroup_in_one_run() {
    let test = "user_caps_seccomp_and_cgroup_in_one_run";
    if !can_unshare(test) {
        return;
    }
    let out = run(as_pid1(&[
        "--seccomp",
        "default",
        "--pids-max",
        "64",
        "--user",
        "65534:65534",
        "--cap-drop",
        "all",
        "--cap-add",
        "net_bind_service",
        "--no-new-privs",
        "--",
        "sh",
        "-c",
        "cat /proc/self/status /proc/self/cgroup",
    ]));
    if out.code == 125 && out.stderr.contains("not available in this build") {
        eprintln!("SKIP {test}: {}", out.stderr.trim());
        return;
    }
    assert_ok(&out);
    assert_eq!(field(&out, "Uid"), "65534\t65534\t65534\t65534");
    assert_eq!(field(&out, "Groups"), "");
    assert_eq!(cap_field(&out, "CapEff"), NET_BIND_SERVICE);
    assert_eq!(cap_field(&out, "CapBnd"), NET_BIND_SERVICE);
    assert_eq!(field(&out, "NoNewPrivs"), "1");
    assert_eq!(field(&out, "Seccomp"), "2", "a filter is loaded: {out:?}");
    assert!(
        out.stdout.lines().any(|l| l.contains("pidone-")),
        "the program is in the cgroup pidone made: {out:?}"
    );
}

#[test]
fn switch_happens_as_pid1_and_as_subreaper_alike() {
    // Not PID 1: the same switch, for `docker run --init`-less setups.
    let out = run(as_subreaper(&[
        "--user",
        "65534:65534",
        "--",
        "cat",
        "/proc/self/status",
    ]));
    assert_ok(&out);
    assert_eq!(field(&out, "Uid"), "65534\t65534\t65534\t65534");
}
