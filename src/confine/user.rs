//! `--user USER[:GROUP]`: resolving names from /etc/passwd and /etc/group in
//! the parent, switching groups and ids in the child.

use super::ConfineError;

pub struct Identity {
    pub uid: u32,
}

impl Identity {
    pub fn resolve(spec: &str) -> Result<Identity, ConfineError> {
        Err(ConfineError::new(format!(
            "--user {spec}: not available in this build"
        )))
    }

    /// `keep_caps`: keep permitted capabilities across the uid change so that
    /// the capability step can still grant `--cap-add`.
    pub fn switch(&self, _keep_caps: bool) -> Result<(), ConfineError> {
        Err(ConfineError::new("--user: not available in this build"))
    }
}
