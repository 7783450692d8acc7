//! `--seccomp PROFILE`: the built-in allowlist or a Docker-format profile.

use super::ConfineError;
use super::caps::CapsHashSet;

pub struct Filter;

impl Filter {
    /// Parses and compiles the profile in the parent.
    pub fn prepare(profile: &str, _caps: &CapsHashSet) -> Result<Filter, ConfineError> {
        Err(ConfineError::new(format!(
            "--seccomp {profile}: not available in this build"
        )))
    }

    /// Loads the filter into the calling (child) process.
    pub fn load(&self) -> Result<(), ConfineError> {
        Err(ConfineError::new("--seccomp: not available in this build"))
    }
}
