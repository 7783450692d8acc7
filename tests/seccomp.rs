//! `--seccomp`: pidone as PID 1 loads the filter into its child, and the
//! program's real system calls show it (errno printed by a helper that makes
//! the raw call, exit statuses, files it could not create).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

const DEFAULT: &str = "default";

/// Docker's name for this machine's architecture, as `arches` spells it.
const NATIVE: &str = if cfg!(target_arch = "aarch64") {
    "arm64"
} else {
    "amd64"
};

fn docker_profile() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/docker-default-seccomp.json")
        .to_string_lossy()
        .into_owned()
}

/// pidone as PID 1 with `--seccomp PROFILE` running `program`.
fn under(profile: &str, program: &[&str]) -> Outcome {
    let mut args = vec!["--seccomp", profile, "--"];
    args.extend_from_slice(program);
    run(as_pid1(&args))
}

/// What the raw system call CASE returns in the child: `ok` or an errno name.
fn syscall(profile: Option<&str>, case: &str) -> String {
    let helper = helper("syscall.py");
    let out = match profile {
        Some(p) => under(p, &["python3", &helper, case]),
        None => run(as_pid1(&["python3", helper.as_str(), case])),
    };
    assert_eq!(out.code, 0, "syscall.py {case}: {out:?}");
    out.stdout.trim().to_owned()
}

fn write_profile(dir: &Path, name: &str, json: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, json).expect("write profile");
    path.to_string_lossy().into_owned()
}

fn ordinary_programs_run(test: &str, profile: &str) {
    let dir = scratch(test);
    let file = dir.join("hello.txt");
    std::fs::write(&file, "hello from a file\n").expect("write");
    let file = file.to_string_lossy().into_owned();

    let out = under(profile, &["sh", "-c", "echo shell $((6 * 7)); exit 3"]);
    assert_eq!((out.code, out.stdout.as_str()), (3, "shell 42"), "{out:?}");

    let d = dir.to_string_lossy().into_owned();
    let out = under(profile, &["ls", &d]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "hello.txt"), "{out:?}");

    let out = under(profile, &["cat", &file]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "hello from a file"),
        "{out:?}"
    );

    // A pipeline, a subshell and a background job: fork, pipe, wait.
    let out = under(profile, &["sh", "-c", "(echo a; echo b) | wc -l & wait"]);
    assert_eq!((out.code, out.stdout.trim()), (0, "2"), "{out:?}");

    let py = "import os, threading, json; t = threading.Thread(target=lambda: None); \
              t.start(); t.join(); print(json.dumps({'pid': os.getpid()}))";
    let out = under(profile, &["python3", "-c", py]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, r#"{"pid": 2}"#),
        "{out:?}"
    );
}

#[test]
fn default_runs_ordinary_programs() {
    if !can_unshare("default_runs_ordinary_programs") {
        return;
    }
    ordinary_programs_run("default-ordinary", DEFAULT);
}

#[test]
fn default_denies_namespaces_mounts_bpf_with_eperm() {
    if !can_unshare("default_denies_namespaces_mounts_bpf_with_eperm") {
        return;
    }
    let out = under(DEFAULT, &["unshare", "-m", "true"]);
    assert_ne!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("Operation not permitted"), "{out:?}");

    for case in ["mount", "bpf", "clone-ns", "unshare", "keyctl"] {
        let free = syscall(None, case);
        assert_ne!(free, "EPERM", "{case} without a filter must not be EPERM");
        assert_eq!(syscall(Some(DEFAULT), case), "EPERM", "{case}");
    }
    // libcs fall back to clone when clone3 is "not implemented".
    assert_eq!(syscall(Some(DEFAULT), "clone3"), "ENOSYS");
    assert_eq!(syscall(Some(DEFAULT), "getpid"), "ok");
}

#[test]
fn custom_errno_reaches_the_program() {
    if !can_unshare("custom_errno_reaches_the_program") {
        return;
    }
    let dir = scratch("custom-errno");
    let profile = write_profile(
        &dir,
        "no-mkdir.json",
        r#"{"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}"#,
    );
    let target = dir.join("made");
    let t = target.to_string_lossy().into_owned();
    let out = under(&profile, &["mkdir", &t]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("Permission denied"), "{out:?}");
    assert!(!target.exists());
    // Without the filter, root makes it: the EACCES came from the profile.
    let out = run(as_pid1(&["mkdir", t.as_str()]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(target.is_dir());
}

#[test]
fn kill_process_gives_128_plus_sigsys() {
    if !can_unshare("kill_process_gives_128_plus_sigsys") {
        return;
    }
    let dir = scratch("kill-process");
    let profile = write_profile(
        &dir,
        "kill.json",
        r#"{"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}"#,
    );
    let t = dir.join("made").to_string_lossy().into_owned();
    let out = under(&profile, &["mkdir", &t]);
    assert_eq!(out.code, 128 + libc::SIGSYS, "{out:?}");
    assert!(!dir.join("made").exists());
}

#[test]
fn docker_default_profile_runs_ordinary_programs() {
    if !can_unshare("docker_default_profile_runs_ordinary_programs") {
        return;
    }
    let profile = docker_profile();
    ordinary_programs_run("docker-ordinary", &profile);
    // Denied in Docker's profile whatever the capabilities.
    assert_eq!(syscall(Some(&profile), "keyctl"), "EPERM");
    assert_eq!(syscall(Some(&profile), "getpid"), "ok");
}

#[test]
fn min_kernel_and_arches_are_judged_on_this_machine() {
    if !can_unshare("min_kernel_and_arches_are_judged_on_this_machine") {
        return;
    }
    let dir = scratch("conditions");
    let rule = |cond: &str| {
        format!(
            r#"{{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{{"names": ["mkdir", "mkdirat"],
                "action": "SCMP_ACT_ERRNO", "errnoRet": 13, {cond}}}]}}"#
        )
    };
    let cases = [
        (r#""includes": {"minKernel": "99.0"}"#.to_owned(), false),
        (r#""includes": {"minKernel": "3.0"}"#.to_owned(), true),
        (r#""excludes": {"minKernel": "3.0"}"#.to_owned(), false),
        (
            format!(r#""includes": {{"arches": ["x86", "{NATIVE}"]}}"#),
            true,
        ),
        (
            format!(r#""excludes": {{"arches": ["x86", "{NATIVE}"]}}"#),
            false,
        ),
        (r#""includes": {"arches": ["mips64"]}"#.to_owned(), false),
    ];
    for (i, (cond, applies)) in cases.iter().enumerate() {
        let profile = write_profile(&dir, &format!("{i}.json"), &rule(cond));
        let target = dir.join(format!("made-{i}"));
        let out = under(&profile, &["mkdir", &target.to_string_lossy()]);
        assert_eq!(target.exists(), !applies, "{cond}: {out:?}");
    }
}

#[test]
fn unknown_names_are_skipped_with_a_debug_log() {
    if !can_unshare("unknown_names_are_skipped_with_a_debug_log") {
        return;
    }
    let dir = scratch("unknown-names");
    let arches = if NATIVE == "amd64" {
        r#"["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]"#
    } else {
        "[]"
    };
    let profile = write_profile(
        &dir,
        "p.json",
        &format!(
            r#"{{"defaultAction": "SCMP_ACT_ALLOW", "architectures": {arches},
                "syscalls": [{{"name": "no_such_call_at_all", "action": "SCMP_ACT_KILL"}},
                             {{"names": ["mkdir", "no_such_call_either", "mkdirat"],
                               "action": "SCMP_ACT_ERRNO", "errnoRet": 13}}]}}"#
        ),
    );
    let t = dir.join("made").to_string_lossy().into_owned();
    let out = run(as_pid1(&["-vvv", "--seccomp", &profile, "--", "mkdir", &t]));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("Permission denied"), "{out:?}");
    for name in ["no_such_call_at_all", "no_such_call_either"] {
        let logged = out
            .stderr
            .lines()
            .any(|l| l.starts_with("pidone: debug: ") && l.contains(name));
        assert!(logged, "no debug line for {name}: {out:?}");
    }
}

/// A marker the program would create if it ever ran.
fn never_runs(test: &str, profile: &str, marker: &Path, want: &str) {
    let m = marker.to_string_lossy().into_owned();
    let out = under(profile, &["touch", &m]);
    assert_eq!(out.code, 125, "{test}: {out:?}");
    assert!(!marker.exists(), "{test}: the program ran");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{test}: one line expected: {out:?}");
    let line = lines.first().copied().unwrap_or_default();
    assert!(
        line.starts_with(&format!("pidone: --seccomp {profile}: ")),
        "{test}: {line}"
    );
    assert!(line.contains(want), "{test}: wanted {want:?} in {line}");
}

#[test]
fn bad_profiles_exit_125_and_run_nothing() {
    if !can_unshare("bad_profiles_exit_125_and_run_nothing") {
        return;
    }
    let dir = scratch("bad-profiles");
    let marker = dir.join("marker");
    let big: Vec<String> = (0..1000)
        .map(|v| {
            format!(
                r#"{{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": {},
                    "args": [{{"index": 0, "value": {}, "op": "SCMP_CMP_EQ"}},
                             {{"index": 1, "value": {v}, "op": "SCMP_CMP_GT"}}]}}"#,
                v % 4000 + 1,
                v * 7919
            )
        })
        .collect();
    let too_long = format!(
        r#"{{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{}]}}"#,
        big.join(",")
    );
    let cases: [(&str, &str, &str); 7] = [
        (
            "unknown-action.json",
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                 {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                 {"names": ["mkdir"], "action": "SCMP_ACT_FOO"}]}"#,
            r#"unknown action "SCMP_ACT_FOO" at syscalls[1].action"#,
        ),
        (
            "unknown-op.json",
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"],
                 "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ALMOST"}]}]}"#,
            r#"unknown operator "SCMP_CMP_ALMOST" at syscalls[0].args[0].op"#,
        ),
        (
            "invalid.json",
            "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [ }\n",
            "at line 3 column",
        ),
        ("empty.json", "", "EOF while parsing"),
        (
            "wrong-type.json",
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {"names": ["read"]}}"#,
            "invalid type",
        ),
        (
            "unknown-arch.json",
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PDP11"]}"#,
            r#"unknown architecture "SCMP_ARCH_PDP11" at architectures[0]"#,
        ),
        ("too-long.json", &too_long, "cannot load the filter"),
    ];
    for (name, json, want) in cases {
        let profile = write_profile(&dir, name, json);
        never_runs(name, &profile, &marker, want);
    }

    let missing = dir.join("missing.json").to_string_lossy().into_owned();
    never_runs("missing", &missing, &marker, "cannot read");
    let directory = dir.to_string_lossy().into_owned();
    never_runs("directory", &directory, &marker, "cannot read");
}

#[test]
fn unreadable_profile_exits_125() {
    if !can_unshare("unreadable_profile_exits_125") {
        return;
    }
    let dir = scratch("unreadable");
    let profile = write_profile(&dir, "p.json", r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#);
    let marker = dir.join("marker");
    let m = marker.to_string_lossy().into_owned();
    // root reads any file, so pidone runs as nobody here: not PID 1.
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", pidone()]);
    cmd.args(["--seccomp", &profile, "--", "touch", &m]);
    std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    // So that the program could leave its marker if it ever ran.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let out = run(cmd);
    if out.stderr.contains("setpriv:") {
        eprintln!("SKIP unreadable_profile_exits_125: cannot run pidone as nobody: {out:?}");
        return;
    }
    assert_eq!(out.code, 125, "{out:?}");
    assert!(
        out.stderr.contains("cannot read: Permission denied"),
        "{out:?}"
    );
    assert!(!marker.exists());
}

fn no_new_privs(prefix: &[&str]) -> String {
    let mut cmd = std::process::Command::new(prefix.first().copied().unwrap_or("env"));
    cmd.args(prefix.iter().skip(1));
    cmd.args([
        pidone(),
        "--seccomp",
        DEFAULT,
        "--",
        "grep",
        "NoNewPrivs",
        "/proc/self/status",
    ]);
    let out = run(cmd);
    assert_eq!(out.code, 0, "{out:?}");
    status_field(&out.stdout, "NoNewPrivs")
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn no_new_privs_only_without_cap_sys_admin() {
    // Both run as root; the second loses CAP_SYS_ADMIN from its bounding
    // set, so from pidone's effective set too.
    if !is_root_with_sys_admin() {
        eprintln!("SKIP no_new_privs_only_without_cap_sys_admin: needs root with CAP_SYS_ADMIN");
        return;
    }
    assert_eq!(no_new_privs(&["env"]), "0");
    assert_eq!(
        no_new_privs(&["setpriv", "--bounding-set=-sys_admin", "--"]),
        "1"
    );
}

fn is_root_with_sys_admin() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let eff = status_field(&status, "CapEff").and_then(|v| u64::from_str_radix(v, 16).ok());
    eff.is_some_and(|caps| caps & (1 << 21) != 0)
}
