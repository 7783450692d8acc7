//! Did the OOM killer strike? The kernel counts its kills per cgroup: v1 in
//! `memory.oom_control` (`oom_kill`, Linux 4.13 and later), v2 in
//! `memory.events` (`oom_kill`, which also counts the cgroup's
//! descendants). The count at creation is the baseline.

use std::path::{Path, PathBuf};

use super::events::keyed;

pub struct OomCounter {
    file: PathBuf,
    baseline: u64,
    /// How the limit reads in the report: `memory.max 32 MiB`.
    limit: String,
}

impl OomCounter {
    /// `None` when this kernel does not count OOM kills per cgroup.
    pub fn start(memory_dir: &Path, v2: bool, memory_max: Option<u64>) -> Option<OomCounter> {
        let (file, knob) = if v2 {
            ("memory.events", "memory.max")
        } else {
            ("memory.oom_control", "memory.limit_in_bytes")
        };
        let file = memory_dir.join(file);
        let Some(baseline) = read(&file) else {
            log::debug!(
                "{}: no oom_kill count; OOM kills go unreported",
                file.display()
            );
            return None;
        };
        let limit = match memory_max {
            Some(bytes) => format!("{knob} {}", crate::units::show_size(bytes)),
            None => format!("{knob} not set: the machine or an enclosing cgroup ran out"),
        };
        Some(OomCounter {
            file,
            baseline,
            limit,
        })
    }

    pub fn kills(&self) -> u64 {
        read(&self.file).map_or(0, |n| n.saturating_sub(self.baseline))
    }

    /// The line for a SIGKILLed main child when the counter rose; kills of
    /// other processes are logged here as warnings.
    pub fn report(&self, main_sigkilled: bool) -> Option<String> {
        let kills = self.kills();
        if kills == 0 {
            return None;
        }
        if main_sigkilled {
            if kills > 1 {
                log::warn!(
                    "the OOM killer killed {} other processes of the program's cgroup",
                    kills - 1
                );
            }
            Some(format!("program killed by the OOM killer ({})", self.limit))
        } else {
            log::warn!(
                "the OOM killer killed {kills} process{} of the program's cgroup ({})",
                if kills == 1 { "" } else { "es" },
                self.limit
            );
            None
        }
    }
}

fn read(file: &Path) -> Option<u64> {
    keyed(&std::fs::read_to_string(file).ok()?, "oom_kill")
}
