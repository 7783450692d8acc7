//! `--seccomp PROFILE`: the built-in allowlist or a Docker-format profile.
//!
//! The profile is read, checked and compiled in the parent before the fork
//! ([`Filter::prepare`]), so a bad profile stops pidone before any program
//! exists; the child only loads the ready filter as its last step before
//! exec ([`Filter::load`]).

mod builtin;
mod compile;
pub mod profile;

use std::str::FromStr;

use ::caps::{CapSet, Capability};
use libseccomp::ScmpFilterContext;

use super::ConfineError;
use super::caps::CapsHashSet;

pub struct Filter {
    ctx: ScmpFilterContext,
    /// The PROFILE argument, for messages.
    shown: String,
}

impl Filter {
    /// Reads, checks and compiles the profile in the parent. `caps` are the
    /// capabilities the program will hold at exec: rules' `caps` conditions
    /// are judged against them.
    pub fn prepare(profile: &str, caps: &CapsHashSet) -> Result<Filter, ConfineError> {
        let fail = |msg: String| ConfineError::new(format!("--seccomp {profile}: {msg}"));
        let parsed = if profile == "default" {
            builtin::profile()
        } else {
            let json = std::fs::read(profile).map_err(|e| fail(format!("cannot read: {e}")))?;
            profile::parse(&json).map_err(fail)?
        };
        let has_cap = |name: &str| Capability::from_str(name).is_ok_and(|c| caps.contains(&c));
        let host = profile::Host {
            arch: compile::NATIVE_ARCH,
            kernel: kernel_version(),
            has_cap: &has_cap,
        };
        let ctx = compile::compile(&parsed, &host).map_err(fail)?;
        Ok(Filter {
            ctx,
            shown: profile.to_owned(),
        })
    }

    /// Loads the filter into the calling (child) process. Without
    /// CAP_SYS_ADMIN the kernel demands no_new_privs first, so it is set
    /// here; a privileged child (like Docker's `--privileged`) keeps the
    /// ability to gain privileges through set-user-ID programs.
    pub fn load(&self) -> Result<(), ConfineError> {
        let privileged =
            ::caps::has_cap(None, CapSet::Effective, Capability::CAP_SYS_ADMIN).unwrap_or(false);
        if !privileged {
            nix::sys::prctl::set_no_new_privs().map_err(|e| {
                ConfineError::new(format!(
                    "--seccomp {}: cannot set no_new_privs: {e}",
                    self.shown
                ))
            })?;
        }
        self.ctx.load().map_err(|e| {
            let why = match e.errno() {
                Some(errno) => format!("the kernel refused it ({errno:?})"),
                None => e.to_string(),
            };
            ConfineError::new(format!(
                "--seccomp {}: cannot load the filter: {why}",
                self.shown
            ))
        })
    }
}

/// The running kernel's (major, minor), for `minKernel`; (0, 0) if unknown,
/// so that no rule needing a newer kernel applies.
fn kernel_version() -> (u32, u32) {
    // SAFETY: uname fills the zeroed struct; its fields are NUL-terminated.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut uts) } != 0 {
        return (0, 0);
    }
    // SAFETY: the kernel NUL-terminates `release`.
    let release = unsafe { std::ffi::CStr::from_ptr(uts.release.as_ptr()) };
    release
        .to_str()
        .ok()
        .and_then(profile::kernel_version)
        .unwrap_or((0, 0))
}
