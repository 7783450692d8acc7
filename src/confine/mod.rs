//! Where the child is confined. Everything that can be worked out before the
//! fork is prepared here in the parent ([`Plan::prepare`]); the child then
//! applies it between fork and exec, always in this order:
//!
//! 1. cgroup: the child joins its cgroup before it runs a single
//!    instruction of the program;
//! 2. user: supplementary groups, gid, uid (capabilities kept across the
//!    switch when step 3 needs them: to grant `--cap-add`, or to shrink the
//!    bounding set, which takes CAP_SETPCAP);
//! 3. caps: bounding, inheritable, permitted, effective, ambient;
//! 4. no_new_privs;
//! 5. seccomp: last, so the filter never has to allow the set-up above.
//!
//! Any failure is one line, reported by the parent with exit status 125; the
//! program is never run unconfined.

pub mod caps;
pub mod cgroup;
pub mod seccomp;
pub mod user;

use crate::cli::Config;

/// One line that says what could not be set up and why.
#[derive(Debug)]
pub struct ConfineError(pub String);

impl std::fmt::Display for ConfineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ConfineError {
    pub fn new(msg: impl Into<String>) -> Self {
        ConfineError(msg.into())
    }
}

/// The confinement of one child, prepared before the fork.
#[derive(Default)]
pub struct Plan {
    pub cgroup: Option<cgroup::ChildCgroup>,
    identity: Option<user::Identity>,
    caps: Option<caps::CapPlan>,
    no_new_privs: bool,
    seccomp: Option<seccomp::Filter>,
}

impl Plan {
    pub fn prepare(cfg: &Config) -> Result<Plan, ConfineError> {
        let p = &cfg.privileges;
        let identity = p.user.as_deref().map(user::Identity::resolve).transpose()?;
        let target_uid = identity.as_ref().map(|id| id.uid);
        let caps = caps::CapPlan::prepare(&p.cap_drop, &p.cap_add, target_uid)?;
        let seccomp = match p.seccomp.as_deref() {
            Some(profile) => {
                let held = caps::held_at_exec(caps.as_ref(), target_uid);
                Some(seccomp::Filter::prepare(profile, &held)?)
            }
            None => None,
        };
        // The cgroup is made last: nothing else can fail after it exists.
        let cgroup = if cfg.limits.wanted() {
            Some(cgroup::ChildCgroup::create(&cfg.limits)?)
        } else {
            None
        };
        Ok(Plan {
            cgroup,
            identity,
            caps,
            no_new_privs: p.no_new_privs,
            seccomp,
        })
    }

    /// After the spawn, only the cgroup is still needed (by the parent).
    pub fn into_cgroup(self) -> Option<cgroup::ChildCgroup> {
        self.cgroup
    }

    /// In the child, after fork: steps 1 to 4 of the order above.
    pub fn confine(&self) -> Result<(), ConfineError> {
        if let Some(cg) = &self.cgroup {
            cg.enter()?;
        }
        // Also when only dropping: shrinking the bounding set after the
        // switch takes CAP_SETPCAP.
        let keep_caps = self
            .caps
            .as_ref()
            .is_some_and(caps::CapPlan::needs_caps_after_switch);
        if let Some(id) = &self.identity {
            id.switch(keep_caps)?;
        }
        if let Some(caps) = &self.caps {
            caps.apply()?;
        }
        if self.no_new_privs {
            nix::sys::prctl::set_no_new_privs()
                .map_err(|e| ConfineError::new(format!("cannot set no_new_privs: {e}")))?;
        }
        Ok(())
    }

    /// In the child, the very last step before exec.
    pub fn load_seccomp(&self) -> Result<(), ConfineError> {
        match &self.seccomp {
            Some(filter) => filter.load(),
            None => Ok(()),
        }
    }
}
