//! argv and environment → [`Config`]. No side effects: printing help or the
//! version is left to `main`, which gets an [`Action`] back.

use std::ffi::OsString;
use std::time::Duration;

use lexopt::prelude::*;

use crate::signals::{self, Sig};
use crate::units;

/// Resource limits for the child's cgroup (`--memory-max` and friends).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Limits {
    pub memory_max: Option<u64>,
    pub memory_high: Option<u64>,
    pub pids_max: Option<u64>,
    /// `--cpus`, as the CFS quota in µs per 100 ms period (1.5 CPUs: 150000).
    pub cpu_quota_us: Option<u64>,
    pub name: Option<String>,
    pub on_memory_pressure: Option<Sig>,
}

impl Limits {
    /// A cgroup is made only when some limit or pressure signal asks for one.
    pub fn wanted(&self) -> bool {
        self.memory_max.is_some()
            || self.memory_high.is_some()
            || self.pids_max.is_some()
            || self.cpu_quota_us.is_some()
            || self.on_memory_pressure.is_some()
    }
}

/// How signals are rewritten, delayed and escalated on their way to the child.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalPolicy {
    /// `--rewrite FROM:TO`; TO 0 drops FROM.
    pub rewrite: Vec<(Sig, Sig)>,
    pub delay: Vec<(Sig, Duration)>,
    pub kill_after: Option<Duration>,
    pub grace_period: Duration,
}

impl Default for SignalPolicy {
    fn default() -> Self {
        SignalPolicy {
            rewrite: Vec::new(),
            delay: Vec::new(),
            kill_after: None,
            grace_period: Duration::from_secs(5),
        }
    }
}

impl SignalPolicy {
    /// What `sig` becomes on its way out; `None` when it is dropped.
    pub fn rewritten(&self, sig: Sig) -> Option<Sig> {
        match self.rewrite.iter().rev().find(|(from, _)| *from == sig) {
            Some(&(_, 0)) => None,
            Some(&(_, to)) => Some(to),
            None => Some(sig),
        }
    }

    pub fn delay_for(&self, sig: Sig) -> Option<Duration> {
        self.delay
            .iter()
            .rev()
            .find(|(s, _)| *s == sig)
            .map(|&(_, d)| d)
    }
}

/// Who the child runs as and what it may do.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Privileges {
    pub user: Option<String>,
    pub cap_drop: Vec<String>,
    pub cap_add: Vec<String>,
    pub no_new_privs: bool,
    pub seccomp: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// PROGRAM followed by its arguments; never empty.
    pub command: Vec<OsString>,
    pub subreaper: bool,
    pub pdeath_signal: Option<Sig>,
    pub verbosity: u8,
    pub warn_on_reap: bool,
    pub group: bool,
    pub remap_exit: Vec<u8>,
    pub policy: SignalPolicy,
    pub limits: Limits,
    pub privileges: Privileges,
    /// `PIDONE_LOG`, which overrides the verbosity.
    pub log_filter: Option<String>,
}

#[derive(Debug, PartialEq)]
pub enum Action {
    Run(Box<Config>),
    Help,
    Version,
    License,
}

/// A usage error: one line naming the option and the value.
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<lexopt::Error> for UsageError {
    fn from(e: lexopt::Error) -> Self {
        UsageError(e.to_string())
    }
}

fn bad(option: &str, value: &str, why: &str) -> UsageError {
    UsageError(format!("{option}: {why}: '{value}'"))
}

/// Reads the environment through `env` so that tests need not touch the
/// process environment.
pub fn parse<I, E>(args: I, env: E) -> Result<Action, UsageError>
where
    I: IntoIterator<Item = OsString>,
    E: Fn(&str) -> Option<String>,
{
    let flag = |names: &[&str]| {
        names
            .iter()
            .any(|n| env(n).is_some_and(|v| !v.is_empty() && v != "0"))
    };
    let mut cfg = Config {
        command: Vec::new(),
        subreaper: flag(&["PIDONE_SUBREAPER", "TINI_SUBREAPER"]),
        pdeath_signal: None,
        verbosity: 1,
        warn_on_reap: false,
        group: flag(&["PIDONE_KILL_PROCESS_GROUP", "TINI_KILL_PROCESS_GROUP"]),
        remap_exit: Vec::new(),
        policy: SignalPolicy::default(),
        limits: Limits::default(),
        privileges: Privileges::default(),
        log_filter: env("PIDONE_LOG").filter(|v| !v.is_empty()),
    };
    for var in ["PIDONE_VERBOSITY", "TINI_VERBOSITY"] {
        if let Some(v) = env(var) {
            cfg.verbosity = v
                .trim()
                .parse()
                .map_err(|_| bad(var, &v, "not a verbosity level (0-3)"))?;
            break;
        }
    }

    let mut parser = lexopt::Parser::from_args(args);
    loop {
        let arg = match parser.next()? {
            Some(arg) => arg,
            None => break,
        };
        match arg {
            Short('h') | Long("help") => return Ok(Action::Help),
            Short('V') | Long("version") => return Ok(Action::Version),
            Short('l') | Long("license") => return Ok(Action::License),
            Short('s') | Long("subreaper") => cfg.subreaper = true,
            Short('v') | Long("verbose") => cfg.verbosity = cfg.verbosity.saturating_add(1),
            Short('w') | Long("warn-on-reap") => cfg.warn_on_reap = true,
            Short('g') | Long("group") => cfg.group = true,
            Long("no-new-privs") => cfg.privileges.no_new_privs = true,
            Short('p') | Long("pdeath-signal") => {
                cfg.pdeath_signal = Some(signal_value(&mut parser, "--pdeath-signal")?)
            }
            Short('e') | Long("remap-exit") => {
                let v = string_value(&mut parser, "--remap-exit")?;
                let code = v
                    .parse::<u8>()
                    .map_err(|_| bad("--remap-exit", &v, "not an exit code (0-255)"))?;
                cfg.remap_exit.push(code);
            }
            Long("rewrite") => {
                let v = string_value(&mut parser, "--rewrite")?;
                let (from, to) = v
                    .split_once(':')
                    .ok_or_else(|| bad("--rewrite", &v, "expected FROM:TO"))?;
                let from =
                    signals::parse(from).ok_or_else(|| bad("--rewrite", &v, "unknown signal"))?;
                let to = if to == "0" {
                    0
                } else {
                    signals::parse(to).ok_or_else(|| bad("--rewrite", &v, "unknown signal"))?
                };
                cfg.policy.rewrite.push((from, to));
            }
            Long("delay") => {
                let v = string_value(&mut parser, "--delay")?;
                let (sig, dur) = v
                    .split_once(':')
                    .ok_or_else(|| bad("--delay", &v, "expected SIG:DURATION"))?;
                let sig =
                    signals::parse(sig).ok_or_else(|| bad("--delay", &v, "unknown signal"))?;
                let dur = units::parse_duration(dur)
                    .ok_or_else(|| bad("--delay", &v, "not a duration"))?;
                cfg.policy.delay.push((sig, dur));
            }
            Long("kill-after") => {
                cfg.policy.kill_after = Some(duration_value(&mut parser, "--kill-after")?)
            }
            Long("grace-period") => {
                cfg.policy.grace_period = duration_value(&mut parser, "--grace-period")?
            }
            Long("seccomp") => {
                cfg.privileges.seccomp = Some(string_value(&mut parser, "--seccomp")?)
            }
            Long("memory-max") => {
                cfg.limits.memory_max = Some(size_value(&mut parser, "--memory-max")?)
            }
            Long("memory-high") => {
                cfg.limits.memory_high = Some(size_value(&mut parser, "--memory-high")?)
            }
            Long("pids-max") => {
                let v = string_value(&mut parser, "--pids-max")?;
                let n = v
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| bad("--pids-max", &v, "not a positive number"))?;
                cfg.limits.pids_max = Some(n);
            }
            Long("cpus") => {
                let v = string_value(&mut parser, "--cpus")?;
                // Hundred-thousandths of a CPU are µs of a 100 ms period.
                let quota = units::parse_fixed(&v, 5)
                    .filter(|q| (1_000..=10_000_000_000).contains(q))
                    .and_then(|q| u64::try_from(q).ok())
                    .ok_or_else(|| bad("--cpus", &v, "not a CPU count (0.01 or more)"))?;
                cfg.limits.cpu_quota_us = Some(quota);
            }
            Long("cgroup") => {
                let v = string_value(&mut parser, "--cgroup")?;
                let ok =
                    !v.is_empty() && v != "." && v != ".." && !v.contains('/') && !v.contains('\0');
                if !ok {
                    return Err(bad("--cgroup", &v, "not a plain cgroup name"));
                }
                cfg.limits.name = Some(v);
            }
            Long("on-memory-pressure") => {
                cfg.limits.on_memory_pressure =
                    Some(signal_value(&mut parser, "--on-memory-pressure")?)
            }
            Long("user") => cfg.privileges.user = Some(string_value(&mut parser, "--user")?),
            Long("cap-drop") => cfg
                .privileges
                .cap_drop
                .push(string_value(&mut parser, "--cap-drop")?),
            Long("cap-add") => cfg
                .privileges
                .cap_add
                .push(string_value(&mut parser, "--cap-add")?),
            Value(program) => {
                cfg.command.push(program);
                cfg.command.extend(parser.raw_args()?);
                break;
            }
            other => return Err(other.unexpected().into()),
        }
    }
    if cfg.command.is_empty() {
        return Err(UsageError(
            "no program given (usage: pidone [OPTIONS] [--] PROGRAM [ARGS...])".into(),
        ));
    }
    Ok(Action::Run(Box::new(cfg)))
}

fn string_value(parser: &mut lexopt::Parser, option: &str) -> Result<String, UsageError> {
    let value = parser
        .value()
        .map_err(|_| UsageError(format!("{option}: missing value")))?;
    value
        .into_string()
        .map_err(|v| bad(option, &v.to_string_lossy(), "not valid UTF-8"))
}

fn signal_value(parser: &mut lexopt::Parser, option: &str) -> Result<Sig, UsageError> {
    let v = string_value(parser, option)?;
    signals::parse(&v).ok_or_else(|| bad(option, &v, "unknown signal"))
}

fn duration_value(parser: &mut lexopt::Parser, option: &str) -> Result<Duration, UsageError> {
    let v = string_value(parser, option)?;
    units::parse_duration(&v).ok_or_else(|| bad(option, &v, "not a duration (500ms, 5s, 2m)"))
}

fn size_value(parser: &mut lexopt::Parser, option: &str) -> Result<u64, UsageError> {
    let v = string_value(parser, option)?;
    units::parse_size(&v)
        .filter(|&n| n > 0)
        .ok_or_else(|| bad(option, &v, "not a size (bytes, or with K/M/G/T)"))
}

pub const USAGE: &str = "\
usage: pidone [OPTIONS] [--] PROGRAM [ARGS...]

Runs PROGRAM as the child of a tiny init: forwards signals, reaps zombies,
and exits with PROGRAM's status.

  -s, --subreaper            register as child subreaper (automatic unless PID 1)
  -p, --pdeath-signal SIG    send SIG to pidone when its parent dies
  -v, --verbose              more log output (repeatable)
  -w, --warn-on-reap         warn for every zombie reaped that is not the child
  -g, --group                forward signals to the child's process group
  -e, --remap-exit CODE      treat exit code CODE as 0 (repeatable)
  -l, --license              print the license
  -h, --help                 print this help
  -V, --version              print the version

Shutdown:
      --rewrite FROM:TO      rewrite signal FROM to TO (TO 0 drops it)
      --delay SIG:DURATION   hold SIG for DURATION before forwarding it
      --kill-after DURATION  SIGKILL everything if the child outlives a TERM
      --grace-period DURATION  TERM, then KILL, leftover processes (default 5s)

Confinement:
      --seccomp PROFILE      'default' or a Docker-format JSON profile
      --memory-max SIZE      cgroup memory limit (512M, 2G)
      --memory-high SIZE     cgroup memory throttling threshold
      --pids-max N           cgroup task limit
      --cpus FLOAT           cgroup CPU quota, in CPUs
      --cgroup NAME          the child's cgroup (default pidone-<pid>)
      --on-memory-pressure SIG  send SIG when memory-high is crossed
      --user USER[:GROUP]    run PROGRAM as this user
      --cap-drop CAP         drop a capability ('all' for every one)
      --cap-add CAP          keep a capability
      --no-new-privs         set no_new_privs for PROGRAM

Environment: PIDONE_VERBOSITY, PIDONE_SUBREAPER, PIDONE_KILL_PROCESS_GROUP,
PIDONE_LOG (env_logger filter), and the TINI_* equivalents.
Exit status: PROGRAM's, 128+N if killed by signal N, 125 for pidone's own
errors, 126 if PROGRAM cannot run, 127 if it is not found.
";

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Action, UsageError> {
        run_env(args, &[])
    }

    fn run_env(args: &[&str], env: &[(&str, &str)]) -> Result<Action, UsageError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(args.iter().map(OsString::from), move |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    fn config(args: &[&str]) -> Config {
        match run(args) {
            Ok(Action::Run(cfg)) => *cfg,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn options_stop_at_the_program() {
        let cfg = config(&["-v", "echo", "-v", "--", "x"]);
        assert_eq!(cfg.command, ["echo", "-v", "--", "x"]);
        assert_eq!(cfg.verbosity, 2);
        let cfg = config(&["--", "-v"]);
        assert_eq!(cfg.command, ["-v"]);
    }

    #[test]
    fn tini_flags() {
        let cfg = config(&[
            "-s", "-g", "-w", "-vv", "-e", "3", "-e4", "-p", "SIGKILL", "x",
        ]);
        assert!(cfg.subreaper && cfg.group && cfg.warn_on_reap);
        assert_eq!(cfg.verbosity, 3);
        assert_eq!(cfg.remap_exit, [3, 4]);
        assert_eq!(cfg.pdeath_signal, Some(libc::SIGKILL));
        let cfg = config(&["--remap-exit=7", "--pdeath-signal", "9", "x"]);
        assert_eq!(cfg.remap_exit, [7]);
        assert_eq!(cfg.pdeath_signal, Some(9));
    }

    #[test]
    fn environment() {
        let env = [
            ("TINI_SUBREAPER", "1"),
            ("TINI_VERBOSITY", "3"),
            ("TINI_KILL_PROCESS_GROUP", "1"),
        ];
        let Ok(Action::Run(cfg)) = run_env(&["x"], &env) else {
            panic!()
        };
        assert!(cfg.subreaper && cfg.group);
        assert_eq!(cfg.verbosity, 3);
        let env = [
            ("PIDONE_VERBOSITY", "0"),
            ("TINI_VERBOSITY", "3"),
            ("PIDONE_LOG", "debug"),
        ];
        let Ok(Action::Run(cfg)) = run_env(&["-v", "x"], &env) else {
            panic!()
        };
        assert_eq!(cfg.verbosity, 1);
        assert_eq!(cfg.log_filter.as_deref(), Some("debug"));
        assert!(run_env(&["x"], &[("PIDONE_VERBOSITY", "loud")]).is_err());
    }

    #[test]
    fn informational() {
        assert_eq!(run(&["-h"]), Ok(Action::Help));
        assert_eq!(run(&["--version", "x"]), Ok(Action::Version));
        assert_eq!(run(&["-l"]), Ok(Action::License));
    }

    #[test]
    fn bad_usage() {
        for args in [
            &[][..],
            &["-v"],
            &["-x", "true"],
            &["--bogus", "true"],
            &["-e", "256", "true"],
            &["-e", "x", "true"],
            &["-e"],
            &["-p", "NOPE", "true"],
            &["--rewrite", "TERM", "true"],
            &["--rewrite", "TERM:BOGUS", "true"],
            &["--delay", "TERM:soon", "true"],
            &["--kill-after", "-1", "true"],
            &["--grace-period", "5x", "true"],
            &["--memory-max", "lots", "true"],
            &["--memory-max", "0", "true"],
            &["--pids-max", "0", "true"],
            &["--cpus", "0", "true"],
            &["--cpus", "abc", "true"],
            &["--cgroup", "../x", "true"],
            &["--on-memory-pressure", "NOPE", "true"],
        ] {
            assert!(run(args).is_err(), "{args:?} should be rejected");
        }
    }

    #[test]
    fn shutdown_policy() {
        let cfg = config(&[
            "--rewrite",
            "TERM:QUIT",
            "--rewrite",
            "usr1:0",
            "--rewrite",
            "RTMIN+1:HUP",
            "--delay",
            "TERM:1s",
            "--kill-after",
            "500ms",
            "--grace-period",
            "0",
            "x",
        ]);
        let p = &cfg.policy;
        assert_eq!(p.rewritten(libc::SIGTERM), Some(libc::SIGQUIT));
        assert_eq!(p.rewritten(libc::SIGUSR1), None);
        assert_eq!(p.rewritten(libc::SIGRTMIN() + 1), Some(libc::SIGHUP));
        assert_eq!(p.rewritten(libc::SIGINT), Some(libc::SIGINT));
        assert_eq!(p.delay_for(libc::SIGTERM), Some(Duration::from_secs(1)));
        assert_eq!(p.kill_after, Some(Duration::from_millis(500)));
        assert_eq!(p.grace_period, Duration::ZERO);
        assert_eq!(config(&["x"]).policy.grace_period, Duration::from_secs(5));
    }

    #[test]
    fn confinement_options() {
        let cfg = config(&[
            "--memory-max",
            "32M",
            "--memory-high",
            "16m",
            "--pids-max",
            "20",
            "--cpus",
            "1.5",
            "--cgroup",
            "web",
            "--on-memory-pressure",
            "USR1",
            "--user",
            "nobody:nogroup",
            "--cap-drop",
            "all",
            "--cap-add",
            "NET_BIND_SERVICE",
            "--no-new-privs",
            "--seccomp",
            "default",
            "x",
        ]);
        assert_eq!(cfg.limits.memory_max, Some(32 << 20));
        assert_eq!(cfg.limits.memory_high, Some(16 << 20));
        assert_eq!(cfg.limits.pids_max, Some(20));
        assert_eq!(cfg.limits.cpu_quota_us, Some(150_000));
        assert_eq!(cfg.limits.name.as_deref(), Some("web"));
        assert_eq!(cfg.limits.on_memory_pressure, Some(libc::SIGUSR1));
        assert!(cfg.limits.wanted());
        assert!(!config(&["x"]).limits.wanted());
        let p = &cfg.privileges;
        assert_eq!(p.user.as_deref(), Some("nobody:nogroup"));
        assert_eq!(p.cap_drop, ["all"]);
        assert_eq!(p.cap_add, ["NET_BIND_SERVICE"]);
        assert!(p.no_new_privs);
        assert_eq!(p.seccomp.as_deref(), Some("default"));
    }
}
