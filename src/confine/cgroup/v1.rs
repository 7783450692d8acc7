//! cgroup v1: one hierarchy per controller (or a few sharing one, like
//! `cpu,cpuacct`), and pidone's own cgroup may differ in each. The child's
//! cgroup is made under pidone's own in every hierarchy a limit needs, and
//! in no other.

use super::place::{Missing, Placement};
use super::{ChildCgroup, ConfineError, Need, limits, make_dir};
use crate::cli::Limits;

pub fn create(
    cg: &mut ChildCgroup,
    place: &Placement,
    needed: &[Need],
    name: &str,
    want: &Limits,
) -> Result<(), ConfineError> {
    for &need in needed {
        let parent = place.v1_dir(need.name()).map_err(|m| match m {
            Missing::NotMounted => ConfineError::new(format!(
                "cgroup: no cgroup hierarchy with the {} controller is mounted",
                need.name()
            )),
            Missing::NotVisible { path } => ConfineError::new(format!(
                "cgroup: pidone's {} cgroup {path} is outside every mount of that hierarchy; \
                 mount the hierarchy (or the container's part of it) at /sys/fs/cgroup",
                need.name()
            )),
        })?;
        let dir = parent.join(name);
        // Controllers mounted together share one directory.
        if !cg.made.iter().any(|(_, d)| *d == dir) {
            make_dir(&dir)?;
            cg.made.push((need, dir.clone()));
        }
        match need {
            Need::Memory => {
                limits::memory(&dir, false, want)?;
                cg.memory = Some(dir);
            }
            Need::Pids => {
                if let Some(max) = want.pids_max {
                    limits::pids(&dir, false, max)?;
                }
            }
            Need::Cpu => {
                if let Some(quota) = want.cpu_quota_us {
                    limits::cpu(&dir, false, quota)?;
                }
            }
        }
    }
    Ok(())
}
