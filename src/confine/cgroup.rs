//! The child's cgroup: limits written before the fork, the child moved in
//! before exec, memory events watched while it runs, removed at the end.

use std::os::fd::BorrowedFd;

use super::ConfineError;
use crate::cli::Limits;

pub struct ChildCgroup;

impl ChildCgroup {
    /// In the parent: create the cgroup and write its limits.
    pub fn create(_limits: &Limits) -> Result<ChildCgroup, ConfineError> {
        Err(ConfineError::new(
            "cgroup limits: not available in this build",
        ))
    }

    /// In the child: join the cgroup.
    pub fn enter(&self) -> Result<(), ConfineError> {
        Err(ConfineError::new(
            "cgroup limits: not available in this build",
        ))
    }

    /// After the spawn: start watching memory events. Descriptors opened
    /// here must be close-on-exec.
    pub fn watch(&mut self) -> Result<(), ConfineError> {
        Ok(())
    }

    /// The descriptor the event loop polls for memory events, if any.
    pub fn event_fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }

    /// Called when [`Self::event_fd`] is readable: how many times memory-high
    /// was crossed since the last call.
    pub fn pressure_events(&mut self) -> u64 {
        0
    }

    /// One line for stderr when the OOM killer killed something in the cgroup
    /// since it was created, given whether the main child died of SIGKILL
    /// (`None` if the OOM killer took nothing).
    pub fn oom_report(&self, _main_sigkilled: bool) -> Option<String> {
        None
    }

    /// After the last process is reaped.
    pub fn remove(self) {}
}
