//! cgroup v2: one tree. The child's cgroup is made under pidone's own,
//! whose `cgroup.subtree_control` must enable the controllers the limits
//! need. The "no internal processes" rule forbids that while pidone's
//! cgroup holds processes (unless it is the root), so pidone first moves
//! itself into a leaf of its own, as a container's init must; at the end it
//! puts everything back the way it found it.

use std::fs;
use std::path::{Path, PathBuf};

use super::place::{Missing, Placement};
use super::{ChildCgroup, ConfineError, Need, explain, limits, make_dir};
use crate::cli::Limits;

pub fn create(
    cg: &mut ChildCgroup,
    place: &Placement,
    needed: &[Need],
    name: &str,
    want: &Limits,
) -> Result<(), ConfineError> {
    let parent = place.v2_dir().map_err(|m| match m {
        Missing::NotMounted => ConfineError::new(format!(
            "cgroup: no cgroup filesystem offers the {} controller{} (neither a v1 hierarchy \
             nor cgroup2 is mounted); mount cgroup2 at /sys/fs/cgroup",
            names(needed),
            if needed.len() == 1 { "" } else { "s" }
        )),
        Missing::NotVisible { path } => ConfineError::new(format!(
            "cgroup: pidone's cgroup {path} is outside the mounted cgroup2 tree; \
             use a cgroup namespace (docker run --cgroupns=private) or mount the right part"
        )),
    })?;
    cg.v2 = true;
    let leaf = format!("pidone-self-{}", std::process::id());
    cg.delegation = Some(Delegation::prepare(&parent, needed, &leaf)?);
    let dir = parent.join(name);
    make_dir(&dir)?;
    cg.made
        .push((needed.first().copied().unwrap_or(Need::Memory), dir.clone()));
    if needed.contains(&Need::Memory) {
        limits::memory(&dir, true, want)?;
        cg.memory = Some(dir.clone());
    }
    if let Some(max) = want.pids_max {
        limits::pids(&dir, true, max)?;
    }
    if let Some(quota) = want.cpu_quota_us {
        limits::cpu(&dir, true, quota)?;
    }
    Ok(())
}

fn names(needed: &[Need]) -> String {
    needed
        .iter()
        .map(|n| n.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn holds_processes(dir: &Path) -> bool {
    fs::read_to_string(dir.join("cgroup.procs")).map_or(true, |procs| !procs.trim().is_empty())
}

/// What pidone changed in its own cgroup to make the child's possible.
pub struct Delegation {
    parent: PathBuf,
    /// Controllers pidone enabled in the parent's cgroup.subtree_control.
    enabled: Vec<&'static str>,
    /// The leaf pidone moved itself into.
    leaf: Option<PathBuf>,
}

impl Delegation {
    fn prepare(
        parent: &Path,
        needed: &[Need],
        leaf_name: &str,
    ) -> Result<Delegation, ConfineError> {
        let read = |file: &str| {
            let path = parent.join(file);
            fs::read_to_string(&path)
                .map_err(|e| explain(&format!("cannot read {}", path.display()), &e))
        };
        let available = read("cgroup.controllers")?;
        let missing: Vec<&str> = needed
            .iter()
            .map(|n| n.name())
            .filter(|n| !available.split_whitespace().any(|a| a == *n))
            .collect();
        if !missing.is_empty() {
            return Err(ConfineError::new(format!(
                "cgroup: the {} controller{} not available in {} (it offers: {}); the parent \
                 cgroup must delegate {} (its cgroup.subtree_control; systemd: Delegate=yes)",
                missing.join(", "),
                if missing.len() == 1 { " is" } else { "s are" },
                parent.display(),
                if available.trim().is_empty() {
                    "none"
                } else {
                    available.trim()
                },
                if missing.len() == 1 { "it" } else { "them" },
            )));
        }
        let enabled_now = read("cgroup.subtree_control")?;
        let todo: Vec<&'static str> = needed
            .iter()
            .map(|n| n.name())
            .filter(|n| !enabled_now.split_whitespace().any(|a| a == *n))
            .collect();
        let mut this = Delegation {
            parent: parent.to_path_buf(),
            enabled: Vec::new(),
            leaf: None,
        };
        if todo.is_empty() {
            return Ok(this);
        }
        let subtree = parent.join("cgroup.subtree_control");
        let line = todo
            .iter()
            .map(|c| format!("+{c}"))
            .collect::<Vec<_>>()
            .join(" ");
        // Below the root, a cgroup that holds processes may not enable
        // controllers for its children (enabling only cpu or pids would
        // even succeed, making it a thread root whose children cannot take
        // a process at all). So pidone first moves itself into a leaf.
        let is_root = !parent.join("cgroup.type").exists();
        if !is_root && holds_processes(parent) {
            let leaf = parent.join(leaf_name);
            make_dir(&leaf)?;
            this.leaf = Some(leaf.clone());
            if let Err(e) = fs::write(leaf.join("cgroup.procs"), std::process::id().to_string()) {
                this.undo();
                return Err(explain(
                    &format!("cannot move pidone into {}", leaf.display()),
                    &e,
                ));
            }
            log::debug!(
                "moved pidone into {} (no internal processes)",
                leaf.display()
            );
            if holds_processes(parent) {
                this.undo();
                return Err(ConfineError::new(format!(
                    "cgroup: other processes share pidone's cgroup {}, so it cannot delegate \
                     controllers to a child cgroup (no internal processes); run pidone as the \
                     container's init, or in a cgroup of its own",
                    parent.display()
                )));
            }
        }
        if let Err(e) = fs::write(&subtree, &line) {
            this.undo();
            return Err(explain(
                &format!("cannot write '{line}' to {}", subtree.display()),
                &e,
            ));
        }
        log::debug!("enabled {line} in {}", subtree.display());
        this.enabled = todo;
        Ok(this)
    }

    /// Best effort: disable what was enabled, move pidone back, remove the leaf.
    pub fn undo(self) {
        let subtree = self.parent.join("cgroup.subtree_control");
        if !self.enabled.is_empty() {
            let line = self
                .enabled
                .iter()
                .map(|c| format!("-{c}"))
                .collect::<Vec<_>>()
                .join(" ");
            if let Err(e) = fs::write(&subtree, &line) {
                log::warn!("cannot write '{line}' to {}: {e}", subtree.display());
            }
        }
        if let Some(leaf) = self.leaf {
            let procs = self.parent.join("cgroup.procs");
            if let Err(e) = fs::write(&procs, std::process::id().to_string()) {
                log::warn!("cannot move pidone back to {}: {e}", self.parent.display());
            }
            match fs::remove_dir(&leaf) {
                Ok(()) => log::debug!("moved pidone back and removed {}", leaf.display()),
                Err(e) => log::warn!("cannot remove cgroup {}: {e}", leaf.display()),
            }
        }
    }
}
