//! The child's cgroup: limits written before the fork, the child moved in
//! before exec, memory events watched while it runs, removed at the end.
//!
//! cgroup v1 (a hierarchy per controller) is used when every controller the
//! limits need is mounted that way; otherwise cgroup v2. Either way the
//! child's cgroup is made under pidone's own (read from /proc/self/cgroup)
//! and only in the hierarchies it needs. The limits are written with
//! cgroups-rs; the rest is plain files and syscalls (see [`events`]).

mod events;
mod limits;
mod oom;
mod place;
mod v1;
mod v2;

use std::io;
use std::os::fd::BorrowedFd;
use std::path::{Path, PathBuf};

use cgroups_rs::cpu::CpuController;
use cgroups_rs::memory::MemController;
use cgroups_rs::pid::PidController;
use cgroups_rs::{CgroupPid, Controller};

use super::ConfineError;
use crate::cli::Limits;
use events::Notifier;
use oom::OomCounter;

/// A controller some limit needs.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Need {
    Memory,
    Pids,
    Cpu,
}

impl Need {
    pub fn name(self) -> &'static str {
        match self {
            Need::Memory => "memory",
            Need::Pids => "pids",
            Need::Cpu => "cpu",
        }
    }

    fn all(limits: &Limits) -> Vec<Need> {
        let memory = limits.memory_max.is_some()
            || limits.memory_high.is_some()
            || limits.on_memory_pressure.is_some();
        [
            (memory, Need::Memory),
            (limits.pids_max.is_some(), Need::Pids),
            (limits.cpu_quota_us.is_some(), Need::Cpu),
        ]
        .into_iter()
        .filter_map(|(wanted, need)| wanted.then_some(need))
        .collect()
    }

    /// Moves process `pid` into `dir`, through cgroups-rs.
    fn join(self, dir: &Path, v2: bool, pid: &CgroupPid) -> cgroups_rs::error::Result<()> {
        let dir = dir.to_path_buf();
        match self {
            Need::Memory => MemController::new(dir, v2).add_task_by_tgid(pid),
            Need::Pids => PidController::new(dir, v2).add_task_by_tgid(pid),
            Need::Cpu => CpuController::new(dir, v2).add_task_by_tgid(pid),
        }
    }

    /// Removes `dir` (and any cgroup the program made below it), through
    /// cgroups-rs, which retries while the kernel still counts the last
    /// exited task.
    fn remove(self, dir: &Path, v2: bool) -> cgroups_rs::error::Result<()> {
        let dir = dir.to_path_buf();
        match self {
            Need::Memory => MemController::new(dir, v2).delete(),
            Need::Pids => PidController::new(dir, v2).delete(),
            Need::Cpu => CpuController::new(dir, v2).delete(),
        }
    }
}

pub struct ChildCgroup {
    v2: bool,
    /// The directories pidone made for the child, in order (one on v2).
    made: Vec<(Need, PathBuf)>,
    delegation: Option<v2::Delegation>,
    memory: Option<PathBuf>,
    /// memory-high, when `--on-memory-pressure` wants to hear of it.
    pressure_at: Option<u64>,
    notifier: Option<Notifier>,
    oom: Option<OomCounter>,
}

impl ChildCgroup {
    /// In the parent: create the cgroup and write its limits.
    pub fn create(limits: &Limits) -> Result<ChildCgroup, ConfineError> {
        if limits.on_memory_pressure.is_some() && limits.memory_high.is_none() {
            return Err(ConfineError::new(
                "--on-memory-pressure needs --memory-high: the signal is sent when memory use \
                 crosses it",
            ));
        }
        if let (Some(high), Some(max)) = (limits.memory_high, limits.memory_max) {
            if high >= max {
                log::warn!(
                    "--memory-high {} is not below --memory-max {}: it will never be reached",
                    crate::units::show_size(high),
                    crate::units::show_size(max)
                );
            }
        }
        let needed = Need::all(limits);
        let name = limits
            .name
            .clone()
            .unwrap_or_else(|| format!("pidone-{}", std::process::id()));
        let place = place::Placement::read()
            .map_err(|e| explain("cannot read /proc/self/cgroup or /proc/self/mountinfo", &e))?;
        let mut cg = ChildCgroup {
            v2: false,
            made: Vec::new(),
            delegation: None,
            memory: None,
            pressure_at: limits.on_memory_pressure.and(limits.memory_high),
            notifier: None,
            oom: None,
        };
        let made = if needed.iter().all(|n| place.has_v1(n.name())) {
            v1::create(&mut cg, &place, &needed, &name, limits)
        } else {
            v2::create(&mut cg, &place, &needed, &name, limits)
        };
        if let Err(e) = made {
            cg.remove();
            return Err(e);
        }
        if let Some(dir) = &cg.memory {
            cg.oom = OomCounter::start(dir, cg.v2, limits.memory_max);
        }
        for (_, dir) in &cg.made {
            log::debug!("created cgroup {}", dir.display());
        }
        Ok(cg)
    }

    /// In the child: join the cgroup.
    pub fn enter(&self) -> Result<(), ConfineError> {
        let me = CgroupPid::from(u64::from(std::process::id()));
        for (need, dir) in &self.made {
            need.join(dir, self.v2, &me).map_err(|e| {
                let io = std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<io::Error>())
                    .and_then(io::Error::raw_os_error)
                    .map_or_else(
                        || io::Error::other(e.to_string()),
                        io::Error::from_raw_os_error,
                    );
                explain(
                    &format!("cannot move the program into {}", dir.display()),
                    &io,
                )
            })?;
        }
        Ok(())
    }

    /// After the spawn: start watching memory events. Descriptors opened
    /// here must be close-on-exec.
    pub fn watch(&mut self) -> Result<(), ConfineError> {
        let (Some(threshold), Some(dir)) = (self.pressure_at, self.memory.as_deref()) else {
            return Ok(());
        };
        let notifier = if self.v2 {
            Notifier::memory_events(dir)
        } else {
            Notifier::threshold(dir, threshold)
        };
        match notifier {
            Ok(n) => {
                self.notifier = Some(n);
                Ok(())
            }
            Err(e) => Err(explain(
                &format!(
                    "cannot watch {} for memory pressure; --on-memory-pressure stays silent",
                    dir.display()
                ),
                &e,
            )),
        }
    }

    /// The descriptor the event loop polls for memory events, if any.
    pub fn event_fd(&self) -> Option<BorrowedFd<'_>> {
        self.notifier.as_ref().map(Notifier::fd)
    }

    /// Called when [`Self::event_fd`] is readable: how many times memory-high
    /// was crossed since the last call.
    pub fn pressure_events(&mut self) -> u64 {
        self.notifier.as_mut().map_or(0, Notifier::crossings)
    }

    /// One line for stderr when the OOM killer killed something in the cgroup
    /// since it was created, given whether the main child died of SIGKILL
    /// (`None` if the OOM killer took nothing).
    pub fn oom_report(&self, main_sigkilled: bool) -> Option<String> {
        self.oom.as_ref()?.report(main_sigkilled)
    }

    /// After the last process is reaped.
    pub fn remove(mut self) {
        self.notifier = None;
        for (need, dir) in self.made.iter().rev() {
            match need.remove(dir, self.v2) {
                Ok(()) => log::debug!("removed cgroup {}", dir.display()),
                Err(e) => log::warn!("cannot remove cgroup {}: {e}", dir.display()),
            }
        }
        if let Some(delegation) = self.delegation.take() {
            delegation.undo();
        }
    }
}

/// mkdir, refusing a cgroup that exists already: it is not pidone's.
fn make_dir(dir: &Path) -> Result<(), ConfineError> {
    std::fs::create_dir(dir).map_err(|e| explain(&format!("cannot create {}", dir.display()), &e))
}

/// One line: what failed, the system's reason, and what to do about it.
fn explain(what: &str, e: &io::Error) -> ConfineError {
    let hint = match e.raw_os_error() {
        Some(libc::EROFS) => {
            "; the cgroup filesystem is read-only (the default in Docker and Kubernetes): give \
             the container a writable cgroup of its own, or set the limit with the runtime \
             instead (docker run --memory, --pids-limit, --cpus)"
        }
        Some(libc::EACCES | libc::EPERM) => {
            "; pidone may not change this cgroup: run it as root, or delegate the cgroup to \
             its user"
        }
        Some(libc::EEXIST) => "; that cgroup is not pidone's: choose another name with --cgroup",
        Some(libc::EINVAL | libc::ERANGE) => "; the kernel refused the value",
        Some(libc::ENOENT) => "; the kernel does not offer it: is the controller enabled?",
        Some(libc::EOPNOTSUPP) => {
            "; the cgroup cannot hold processes (it is in a threaded subtree, or its parent \
             holds processes and enabled cpu or pids for its children)"
        }
        Some(libc::ENOSPC | libc::EAGAIN) => {
            "; the parent cgroup allows no more descendants (cgroup.max.descendants)"
        }
        _ => "",
    };
    ConfineError::new(format!("cgroup: {what}: {e}{hint}"))
}
