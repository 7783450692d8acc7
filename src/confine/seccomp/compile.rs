//! A checked [`Profile`] becomes a libseccomp filter context.

use std::str::FromStr;

use libseccomp::{
    ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall,
};

use super::profile::{Action, Arg, Host, Op, Profile, Rule};

/// Docker's name for the architecture pidone was built for, as
/// `includes.arches` spells it.
pub const NATIVE_ARCH: &str = if cfg!(target_arch = "x86_64") {
    "amd64"
} else if cfg!(target_arch = "aarch64") {
    "arm64"
} else if cfg!(target_arch = "x86") {
    "x86"
} else if cfg!(target_arch = "arm") {
    "arm"
} else if cfg!(target_arch = "s390x") {
    "s390x"
} else if cfg!(target_arch = "powerpc64") {
    "ppc64le"
} else if cfg!(target_arch = "riscv64") {
    "riscv64"
} else if cfg!(target_arch = "loongarch64") {
    "loong64"
} else {
    "unknown"
};

/// libseccomp's name for the same architecture, as `archMap` spells it.
const NATIVE_SCMP_ARCH: &str = if cfg!(target_arch = "x86_64") {
    "SCMP_ARCH_X86_64"
} else if cfg!(target_arch = "aarch64") {
    "SCMP_ARCH_AARCH64"
} else if cfg!(target_arch = "x86") {
    "SCMP_ARCH_X86"
} else if cfg!(target_arch = "arm") {
    "SCMP_ARCH_ARM"
} else if cfg!(target_arch = "s390x") {
    "SCMP_ARCH_S390X"
} else if cfg!(target_arch = "powerpc64") {
    "SCMP_ARCH_PPC64LE"
} else if cfg!(target_arch = "riscv64") {
    "SCMP_ARCH_RISCV64"
} else if cfg!(target_arch = "loongarch64") {
    "SCMP_ARCH_LOONGARCH64"
} else {
    "unknown"
};

fn action(a: Action) -> ScmpAction {
    match a {
        Action::Allow => ScmpAction::Allow,
        Action::Errno(n) => ScmpAction::Errno(i32::from(n)),
        Action::KillThread => ScmpAction::KillThread,
        Action::KillProcess => ScmpAction::KillProcess,
        Action::Trap => ScmpAction::Trap,
        Action::Log => ScmpAction::Log,
        Action::Trace(n) => ScmpAction::Trace(n),
    }
}

fn compare(a: &Arg) -> ScmpArgCompare {
    let op = match a.op {
        Op::Ne => ScmpCompareOp::NotEqual,
        Op::Lt => ScmpCompareOp::Less,
        Op::Le => ScmpCompareOp::LessOrEqual,
        Op::Eq => ScmpCompareOp::Equal,
        Op::Ge => ScmpCompareOp::GreaterEqual,
        Op::Gt => ScmpCompareOp::Greater,
        Op::MaskedEq => {
            return ScmpArgCompare::new(a.index, ScmpCompareOp::MaskedEqual(a.value), a.value_two);
        }
    };
    ScmpArgCompare::new(a.index, op, a.value)
}

fn add_arch(ctx: &mut ScmpFilterContext, name: &str) -> Result<(), String> {
    let arch = ScmpArch::from_str(name).map_err(|e| format!("architecture {name}: {e}"))?;
    if ctx.is_arch_present(arch).unwrap_or(false) {
        return Ok(());
    }
    ctx.add_arch(arch)
        .map(drop)
        .map_err(|e| format!("cannot add architecture {name}: {e}"))
}

/// Builds the filter; rules are judged against `host` (Docker's reading of
/// `includes`/`excludes`).
pub fn compile(profile: &Profile, host: &Host<'_>) -> Result<ScmpFilterContext, String> {
    let default = profile.default_action;
    let fail = |what: &str, e: libseccomp::error::SeccompError| format!("{what}: {e}");
    let mut ctx =
        ScmpFilterContext::new(action(default)).map_err(|e| fail("cannot create a filter", e))?;
    // no_new_privs is set by pidone itself right before the load, only when
    // the child lacks CAP_SYS_ADMIN (see `Filter::load`).
    ctx.set_ctl_nnp(false)
        .map_err(|e| fail("cannot configure the filter", e))?;
    // The kernel's own errno on a failed load, rather than ECANCELED.
    if let Err(e) = ctx.set_api_sysrawrc(true) {
        log::debug!("seccomp: kernel errors will not be reported exactly: {e}");
    }
    if profile.log {
        ctx.set_ctl_log(true)
            .map_err(|e| fail("SECCOMP_FILTER_FLAG_LOG", e))?;
    }
    if profile.spec_allow {
        ctx.set_ctl_ssb(true)
            .map_err(|e| fail("SECCOMP_FILTER_FLAG_SPEC_ALLOW", e))?;
    }
    for name in &profile.architectures {
        add_arch(&mut ctx, name)?;
    }
    // archMap: only the native architecture's entry counts, as in Docker.
    if let Some(entry) = profile
        .arch_map
        .iter()
        .find(|m| m.architecture == NATIVE_SCMP_ARCH)
    {
        for name in &entry.sub_architectures {
            add_arch(&mut ctx, name)?;
        }
    }
    for (i, rule) in profile.rules.iter().enumerate() {
        if !rule.applies(host) {
            continue;
        }
        if rule.action == default {
            // libseccomp refuses a rule that repeats the default action.
            continue;
        }
        add_rule(&mut ctx, rule, i)?;
    }
    Ok(ctx)
}

fn add_rule(ctx: &mut ScmpFilterContext, rule: &Rule, i: usize) -> Result<(), String> {
    let act = action(rule.action);
    let compares: Vec<ScmpArgCompare> = rule.args.iter().map(compare).collect();
    // Conditions on distinct arguments must all hold (one rule); several on
    // the same argument could never all hold, so each gets its own rule.
    let same_arg_twice = rule
        .args
        .iter()
        .enumerate()
        .any(|(j, a)| rule.args.iter().skip(j + 1).any(|b| b.index == a.index));
    for name in &rule.names {
        let Ok(syscall) = ScmpSyscall::from_name(name) else {
            log::debug!("seccomp: no system call {name} on this architecture; rule skipped");
            continue;
        };
        let added = if compares.is_empty() {
            ctx.add_rule(act, syscall).map(drop)
        } else if same_arg_twice {
            compares.iter().try_for_each(|c| {
                ctx.add_rule_conditional(act, syscall, std::slice::from_ref(c))
                    .map(drop)
            })
        } else {
            ctx.add_rule_conditional(act, syscall, &compares).map(drop)
        };
        added.map_err(|e| format!("cannot add the rule for {name} at syscalls[{i}]: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{builtin, profile};
    use super::*;

    fn host<'a>(has_cap: &'a dyn Fn(&str) -> bool) -> Host<'a> {
        Host {
            arch: NATIVE_ARCH,
            kernel: (6, 1),
            has_cap,
        }
    }

    #[test]
    fn builtin_compiles() {
        compile(&builtin::profile(), &host(&|_| false)).unwrap();
    }

    #[test]
    fn docker_profile_compiles_with_and_without_caps() {
        let json = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/docker-default-seccomp.json"
        ))
        .unwrap();
        let p = profile::parse(&json).unwrap();
        let ctx = compile(&p, &host(&|_| false)).unwrap();
        if NATIVE_SCMP_ARCH == "SCMP_ARCH_X86_64" {
            assert!(ctx.is_arch_present(ScmpArch::X86).unwrap());
            assert!(ctx.is_arch_present(ScmpArch::X32).unwrap());
        }
        compile(&p, &host(&|_| true)).unwrap();
    }

    #[test]
    fn unknown_names_are_skipped() {
        let p = profile::parse(
            br#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                {"names":["no_such_call","read"],"action":"SCMP_ACT_ALLOW"}]}"#,
        )
        .unwrap();
        compile(&p, &host(&|_| false)).unwrap();
    }
}
