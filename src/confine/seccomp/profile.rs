//! A seccomp profile in the Docker/OCI JSON format, as plain Rust types.
//!
//! The JSON is read leniently into `Raw*` types (strings stay strings), then
//! checked into [`Profile`], so that a bad value is reported with the JSON
//! path that holds it (`syscalls[3].action`), and a malformed file with the
//! line and column serde_json found. This file depends on serde and std only:
//! the fuzz target compiles it on its own.

use serde::Deserialize;

/// What the filter does with a system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Errno(u16),
    KillThread,
    KillProcess,
    Trap,
    Log,
    Trace(u16),
}

/// How one argument is compared (`SCMP_CMP_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Ne,
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    /// `(arg & value) == value_two`.
    MaskedEq,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub index: u32,
    pub value: u64,
    pub value_two: u64,
    pub op: Op,
}

/// `includes` / `excludes`: when a rule applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    /// `CAP_*` names.
    pub caps: Vec<String>,
    /// Docker's arch names: `amd64`, `arm64`, `x86`, `s390x`, ...
    pub arches: Vec<String>,
    /// (major, minor).
    pub min_kernel: Option<(u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub names: Vec<String>,
    pub action: Action,
    pub args: Vec<Arg>,
    pub includes: Conditions,
    pub excludes: Conditions,
}

/// `archMap` entry: an architecture and the ones its kernel also runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchMap {
    pub architecture: String,
    pub sub_architectures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub default_action: Action,
    /// `SCMP_ARCH_*` names (OCI `architectures`).
    pub architectures: Vec<String>,
    pub arch_map: Vec<ArchMap>,
    pub rules: Vec<Rule>,
    /// `SECCOMP_FILTER_FLAG_LOG`.
    pub log: bool,
    /// `SECCOMP_FILTER_FLAG_SPEC_ALLOW`.
    pub spec_allow: bool,
}

/// What a rule's conditions are judged against.
pub struct Host<'a> {
    /// Docker's name for the native architecture (`amd64`, ...).
    pub arch: &'a str,
    pub kernel: (u32, u32),
    pub has_cap: &'a dyn Fn(&str) -> bool,
}

impl Rule {
    /// Docker's reading: every excluded cap held, arch matching or kernel
    /// new enough drops the rule; every included cap, arch and kernel must hold.
    pub fn applies(&self, host: &Host<'_>) -> bool {
        let ex = &self.excludes;
        if ex.arches.iter().any(|a| a == host.arch)
            || ex.caps.iter().any(|c| (host.has_cap)(c))
            || ex.min_kernel.is_some_and(|k| host.kernel >= k)
        {
            return false;
        }
        let inc = &self.includes;
        (inc.arches.is_empty() || inc.arches.iter().any(|a| a == host.arch))
            && inc.caps.iter().all(|c| (host.has_cap)(c))
            && inc.min_kernel.is_none_or(|k| host.kernel >= k)
    }
}

/// Every `SCMP_ARCH_*` name libseccomp knows.
pub const ARCHES: &[&str] = &[
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",
    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_SHEB",
    "SCMP_ARCH_SH",
];

/// The kernel's errno values fit in 12 bits (MAX_ERRNO).
const MAX_ERRNO: u32 = 4095;
const EPERM: u16 = 1;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProfile {
    default_action: String,
    default_errno_ret: Option<u32>,
    architectures: Option<Vec<String>>,
    arch_map: Option<Vec<RawArchMap>>,
    syscalls: Option<Vec<RawRule>>,
    flags: Option<Vec<String>>,
    listener_path: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawArchMap {
    architecture: String,
    sub_architectures: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    names: Option<Vec<String>>,
    name: Option<String>,
    action: String,
    errno_ret: Option<u32>,
    args: Option<Vec<RawArg>>,
    includes: Option<RawConditions>,
    excludes: Option<RawConditions>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawArg {
    index: u32,
    value: u64,
    value_two: Option<u64>,
    op: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawConditions {
    caps: Option<Vec<String>>,
    arches: Option<Vec<String>>,
    min_kernel: Option<String>,
}

/// Parses and checks a profile; the error is one line with the JSON path
/// or the line and column of the problem.
pub fn parse(json: &[u8]) -> Result<Profile, String> {
    let raw: RawProfile = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    check(raw)
}

fn check(raw: RawProfile) -> Result<Profile, String> {
    if raw.listener_path.as_deref().is_some_and(|p| !p.is_empty()) {
        return Err("listenerPath (SCMP_ACT_NOTIFY) is not supported".into());
    }
    let default_errno = match raw.default_errno_ret {
        Some(n) => errno(n, &|| "defaultErrnoRet".into())?,
        None => EPERM,
    };
    let default_action = action(&raw.default_action, default_errno, &|| {
        "defaultAction".into()
    })?;
    let architectures = raw.architectures.unwrap_or_default();
    let arch_map = raw.arch_map.unwrap_or_default();
    if !architectures.is_empty() && !arch_map.is_empty() {
        return Err("both architectures and archMap are given; use one".into());
    }
    for (i, a) in architectures.iter().enumerate() {
        arch(a, &|| format!("architectures[{i}]"))?;
    }
    let mut maps = Vec::with_capacity(arch_map.len());
    for (i, m) in arch_map.into_iter().enumerate() {
        arch(&m.architecture, &|| format!("archMap[{i}].architecture"))?;
        let subs = m.sub_architectures.unwrap_or_default();
        for (j, s) in subs.iter().enumerate() {
            arch(s, &|| format!("archMap[{i}].subArchitectures[{j}]"))?;
        }
        maps.push(ArchMap {
            architecture: m.architecture,
            sub_architectures: subs,
        });
    }
    let (mut log, mut spec_allow) = (false, false);
    for (i, flag) in raw.flags.unwrap_or_default().iter().enumerate() {
        match flag.as_str() {
            "SECCOMP_FILTER_FLAG_LOG" => log = true,
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => spec_allow = true,
            // pidone is single-threaded when it loads the filter.
            "SECCOMP_FILTER_FLAG_TSYNC" => {}
            _ => return Err(format!("unknown flag \"{flag}\" at flags[{i}]")),
        }
    }
    let syscalls = raw.syscalls.unwrap_or_default();
    let mut rules = Vec::with_capacity(syscalls.len());
    for (i, r) in syscalls.into_iter().enumerate() {
        rules.push(rule(r, default_errno, i)?);
    }
    Ok(Profile {
        default_action,
        architectures,
        arch_map: maps,
        rules,
        log,
        spec_allow,
    })
}

fn rule(raw: RawRule, default_errno: u16, i: usize) -> Result<Rule, String> {
    let names = match (raw.names, raw.name) {
        (Some(names), None) => names,
        (None, Some(name)) => vec![name],
        (Some(_), Some(_)) => {
            return Err(format!(
                "both name and names are given at syscalls[{i}]; use one"
            ));
        }
        (None, None) => return Err(format!("no names given at syscalls[{i}]")),
    };
    let errno_ret = match raw.errno_ret {
        Some(n) => errno(n, &|| format!("syscalls[{i}].errnoRet"))?,
        None => default_errno,
    };
    let action = action(&raw.action, errno_ret, &|| format!("syscalls[{i}].action"))?;
    let raw_args = raw.args.unwrap_or_default();
    let mut args = Vec::with_capacity(raw_args.len());
    for (j, a) in raw_args.into_iter().enumerate() {
        args.push(arg(a, &|| format!("syscalls[{i}].args[{j}]"))?);
    }
    Ok(Rule {
        names,
        action,
        args,
        includes: conditions(raw.includes, &|| format!("syscalls[{i}].includes"))?,
        excludes: conditions(raw.excludes, &|| format!("syscalls[{i}].excludes"))?,
    })
}

/// Where in the JSON a value is, worked out only for an error message.
type At<'a> = &'a dyn Fn() -> String;

fn action(name: &str, errno: u16, at: At<'_>) -> Result<Action, String> {
    Ok(match name {
        "SCMP_ACT_ALLOW" => Action::Allow,
        "SCMP_ACT_ERRNO" => Action::Errno(errno),
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Action::KillThread,
        "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
        "SCMP_ACT_TRAP" => Action::Trap,
        "SCMP_ACT_LOG" => Action::Log,
        "SCMP_ACT_TRACE" => Action::Trace(errno),
        "SCMP_ACT_NOTIFY" => {
            return Err(format!(
                "action SCMP_ACT_NOTIFY is not supported at {}",
                at()
            ));
        }
        _ => return Err(format!("unknown action \"{name}\" at {}", at())),
    })
}

fn errno(n: u32, at: At<'_>) -> Result<u16, String> {
    match u16::try_from(n) {
        Ok(e) if n <= MAX_ERRNO => Ok(e),
        _ => Err(format!(
            "errno {n} out of range (0-{MAX_ERRNO}) at {}",
            at()
        )),
    }
}

fn arch(name: &str, at: At<'_>) -> Result<(), String> {
    if ARCHES.contains(&name) {
        Ok(())
    } else {
        Err(format!("unknown architecture \"{name}\" at {}", at()))
    }
}

fn arg(raw: RawArg, at: At<'_>) -> Result<Arg, String> {
    // Six argument registers.
    if raw.index > 5 {
        return Err(format!(
            "argument index {} out of range (0-5) at {}.index",
            raw.index,
            at()
        ));
    }
    let op = match raw.op.as_str() {
        "SCMP_CMP_NE" => Op::Ne,
        "SCMP_CMP_LT" => Op::Lt,
        "SCMP_CMP_LE" => Op::Le,
        "SCMP_CMP_EQ" => Op::Eq,
        "SCMP_CMP_GE" => Op::Ge,
        "SCMP_CMP_GT" => Op::Gt,
        "SCMP_CMP_MASKED_EQ" => Op::MaskedEq,
        other => return Err(format!("unknown operator \"{other}\" at {}.op", at())),
    };
    Ok(Arg {
        index: raw.index,
        value: raw.value,
        value_two: raw.value_two.unwrap_or(0),
        op,
    })
}

fn conditions(raw: Option<RawConditions>, at: At<'_>) -> Result<Conditions, String> {
    let Some(raw) = raw else {
        return Ok(Conditions::default());
    };
    let min_kernel = match raw.min_kernel.as_deref() {
        None | Some("") => None,
        Some(v) => Some(kernel_version(v).ok_or_else(|| {
            format!(
                "bad kernel version \"{v}\" (want e.g. \"4.8\") at {}.minKernel",
                at()
            )
        })?),
    };
    Ok(Conditions {
        caps: raw.caps.unwrap_or_default(),
        arches: raw.arches.unwrap_or_default(),
        min_kernel,
    })
}

/// `4.8`, `5.10.2`, `6.18.44-fc-v595` → (major, minor).
pub fn kernel_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor_text = parts.next()?;
    let end = minor_text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(minor_text.len());
    let minor = minor_text.get(..end)?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host<'a>(arch: &'a str, caps: &'a dyn Fn(&str) -> bool) -> Host<'a> {
        Host {
            arch,
            kernel: (5, 10),
            has_cap: caps,
        }
    }

    fn err(json: &str) -> String {
        parse(json.as_bytes()).expect_err("should fail")
    }

    #[test]
    fn minimal_profile() {
        let p = parse(br#"{"defaultAction":"SCMP_ACT_ALLOW"}"#).unwrap();
        assert_eq!(p.default_action, Action::Allow);
        assert!(p.rules.is_empty() && p.architectures.is_empty());
    }

    #[test]
    fn errno_defaults_and_overrides() {
        let p = parse(
            br#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
                "syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO"},
                            {"name":"b","action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#,
        )
        .unwrap();
        assert_eq!(p.default_action, Action::Errno(38));
        assert_eq!(p.rules[0].action, Action::Errno(38));
        assert_eq!(p.rules[1].names, vec!["b".to_string()]);
        assert_eq!(p.rules[1].action, Action::Errno(13));
        let p = parse(br#"{"defaultAction":"SCMP_ACT_ERRNO"}"#).unwrap();
        assert_eq!(p.default_action, Action::Errno(1));
    }

    #[test]
    fn every_action() {
        for (name, want) in [
            ("SCMP_ACT_KILL", Action::KillThread),
            ("SCMP_ACT_KILL_THREAD", Action::KillThread),
            ("SCMP_ACT_KILL_PROCESS", Action::KillProcess),
            ("SCMP_ACT_TRAP", Action::Trap),
            ("SCMP_ACT_LOG", Action::Log),
            ("SCMP_ACT_TRACE", Action::Trace(1)),
        ] {
            let json = format!(r#"{{"defaultAction":"{name}"}}"#);
            assert_eq!(parse(json.as_bytes()).unwrap().default_action, want);
        }
    }

    #[test]
    fn arch_map() {
        let p = parse(
            br#"{"defaultAction":"SCMP_ACT_ALLOW","archMap":[
                {"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]},
                {"architecture":"SCMP_ARCH_AARCH64"}]}"#,
        )
        .unwrap();
        assert_eq!(p.arch_map.len(), 2);
        assert_eq!(
            p.arch_map[0].sub_architectures,
            ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]
        );
        assert!(p.arch_map[1].sub_architectures.is_empty());
        let e = err(r#"{"defaultAction":"SCMP_ACT_ALLOW","archMap":[
                {"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_VAX"]}]}"#);
        assert_eq!(
            e,
            "unknown architecture \"SCMP_ARCH_VAX\" at archMap[0].subArchitectures[0]"
        );
        let e = err(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],
                "archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}"#,
        );
        assert!(e.contains("both architectures and archMap"), "{e}");
    }

    #[test]
    fn args() {
        let p = parse(
            br#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["clone"],
                "action":"SCMP_ACT_ERRNO","args":[
                  {"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"},
                  {"index":1,"value":18446744073709551615,"op":"SCMP_CMP_NE"}]}]}"#,
        )
        .unwrap();
        let args = &p.rules[0].args;
        assert_eq!(
            args[0],
            Arg {
                index: 0,
                value: 0x7E02_0000,
                value_two: 0,
                op: Op::MaskedEq
            }
        );
        assert_eq!(args[1].value, u64::MAX);
        assert_eq!(args[1].op, Op::Ne);
        for (op, want) in [
            ("SCMP_CMP_LT", Op::Lt),
            ("SCMP_CMP_LE", Op::Le),
            ("SCMP_CMP_EQ", Op::Eq),
            ("SCMP_CMP_GE", Op::Ge),
            ("SCMP_CMP_GT", Op::Gt),
        ] {
            let json = format!(
                r#"{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{{"names":["x"],
                "action":"SCMP_ACT_LOG","args":[{{"index":2,"value":1,"op":"{op}"}}]}}]}}"#
            );
            assert_eq!(parse(json.as_bytes()).unwrap().rules[0].args[0].op, want);
        }
    }

    #[test]
    fn bad_values_name_their_path() {
        let e = err(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
                {"names":["a"],"action":"SCMP_ACT_ALLOW"},
                {"names":["b"],"action":"SCMP_ACT_FOO"}]}"#);
        assert_eq!(e, "unknown action \"SCMP_ACT_FOO\" at syscalls[1].action");
        let e = err(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["b"],
                "action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}"#,
        );
        assert_eq!(
            e,
            "unknown operator \"SCMP_CMP_XX\" at syscalls[0].args[0].op"
        );
        let e = err(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["b"],
                "action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
        );
        assert!(e.ends_with("at syscalls[0].args[0].index"), "{e}");
        assert_eq!(
            err(r#"{"defaultAction":"NOPE"}"#),
            "unknown action \"NOPE\" at defaultAction"
        );
        let e = err(r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":5000}"#);
        assert!(e.ends_with("at defaultErrnoRet"), "{e}");
        let e =
            err(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}"#);
        assert_eq!(e, "no names given at syscalls[0]");
        let e = err(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],
                "action":"SCMP_ACT_ALLOW","includes":{"minKernel":"four"}}]}"#,
        );
        assert!(e.ends_with("at syscalls[0].includes.minKernel"), "{e}");
        let e = err(r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_X"]}"#);
        assert!(e.ends_with("at flags[0]"), "{e}");
    }

    #[test]
    fn malformed_json_gives_line_and_column() {
        let e = err("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [ }\n}");
        assert!(e.contains("line 3 column"), "{e}");
        let e = err(r#"{"syscalls":[]}"#);
        assert!(e.contains("missing field `defaultAction`"), "{e}");
        let e =
            err(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":"a","action":"x"}]}"#);
        assert!(e.contains("invalid type") && e.contains("column"), "{e}");
    }

    #[test]
    fn includes_and_excludes() {
        let p = parse(
            br#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
              {"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
              {"names":["b"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_SYS_ADMIN"],"arches":["s390x"]}},
              {"names":["c"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64","x32"]}},
              {"names":["d"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}},
              {"names":["e"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"5.11"}},
              {"names":["f"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"5.10"}},
              {"names":["g"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN","CAP_BPF"]}}
            ]}"#,
        )
        .unwrap();
        let none = |_: &str| false;
        let admin = |c: &str| c == "CAP_SYS_ADMIN";
        let applied = |h: &Host<'_>| -> String {
            p.rules
                .iter()
                .filter(|r| r.applies(h))
                .map(|r| r.names[0].as_str())
                .collect()
        };
        assert_eq!(applied(&host("amd64", &none)), "bcd");
        assert_eq!(applied(&host("amd64", &admin)), "acd");
        assert_eq!(applied(&host("s390x", &none)), "d");
        assert_eq!(applied(&host("arm64", &admin)), "ad");
        let all = |_: &str| true;
        let mut old = host("amd64", &all);
        old.kernel = (4, 4);
        assert_eq!(applied(&old), "acfg");
    }

    #[test]
    fn kernel_versions() {
        assert_eq!(kernel_version("4.8"), Some((4, 8)));
        assert_eq!(kernel_version("6.18.44-fc-v595"), Some((6, 18)));
        assert_eq!(kernel_version("5.4-rc1"), Some((5, 4)));
        assert_eq!(kernel_version("5"), None);
        assert_eq!(kernel_version("x.1"), None);
    }

    #[test]
    fn docker_default_profile_parses() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/docker-default-seccomp.json"
        );
        let json = std::fs::read(path).unwrap();
        let p = parse(&json).unwrap();
        assert_eq!(p.default_action, Action::Errno(1));
        assert!(
            p.arch_map
                .iter()
                .any(|m| m.architecture == "SCMP_ARCH_X86_64")
        );
        let clone3 = p.rules.iter().find(|r| r.names == ["clone3"]).unwrap();
        assert_eq!(clone3.action, Action::Errno(38));
    }
}
