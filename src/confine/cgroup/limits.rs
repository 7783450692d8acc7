//! Writing the limits, through cgroups-rs's controllers (each pointed at
//! the child's own directory, so none of the crate's hierarchy guessing
//! is involved).

use std::io;
use std::path::Path;

use cgroups_rs::MaxValue;
use cgroups_rs::cpu::CpuController;
use cgroups_rs::memory::{MemController, SetMemory};
use cgroups_rs::pid::PidController;

use super::{ConfineError, explain};
use crate::cli::Limits;

/// The CFS period: `--cpus 1.5` is 150000 µs of every 100000.
pub const CPU_PERIOD_US: u64 = 100_000;

pub fn memory(dir: &Path, v2: bool, limits: &Limits) -> Result<(), ConfineError> {
    let ctl = MemController::new(dir.to_path_buf(), v2);
    if let Some(max) = limits.memory_max {
        let bytes = signed("--memory-max", max)?;
        let file = if v2 {
            "memory.max"
        } else {
            "memory.limit_in_bytes"
        };
        ctl.set_limit(bytes)
            .map_err(|e| failed(dir, file, &max.to_string(), &e))?;
        // The limit covers swap too, so that a program over it is
        // OOM-killed rather than swapped out (Docker's --memory-swap
        // equal to --memory).
        let (swap_file, swap_value) = if v2 {
            ("memory.swap.max", 0)
        } else {
            ("memory.memsw.limit_in_bytes", bytes)
        };
        if dir.join(swap_file).exists() {
            ctl.set_memswap_limit(swap_value)
                .map_err(|e| failed(dir, swap_file, &swap_value.to_string(), &e))?;
        }
    }
    if let Some(high) = limits.memory_high {
        let bytes = signed("--memory-high", high)?;
        if v2 {
            let set = SetMemory {
                high: Some(MaxValue::Value(bytes)),
                ..SetMemory::default()
            };
            ctl.set_mem(set)
                .map_err(|e| failed(dir, "memory.high", &high.to_string(), &e))?;
        } else {
            ctl.set_soft_limit(bytes)
                .map_err(|e| failed(dir, "memory.soft_limit_in_bytes", &high.to_string(), &e))?;
        }
    }
    Ok(())
}

pub fn pids(dir: &Path, v2: bool, max: u64) -> Result<(), ConfineError> {
    let n = signed("--pids-max", max)?;
    PidController::new(dir.to_path_buf(), v2)
        .set_pid_max(MaxValue::Value(n))
        .map_err(|e| failed(dir, "pids.max", &max.to_string(), &e))
}

/// `quota_us` per `CPU_PERIOD_US`: `--cpus` already read as that quota.
pub fn cpu(dir: &Path, v2: bool, quota_us: u64) -> Result<(), ConfineError> {
    let quota = signed("--cpus", quota_us)?;
    let file = if v2 { "cpu.max" } else { "cpu.cfs_quota_us" };
    CpuController::new(dir.to_path_buf(), v2)
        .set_cfs_quota_and_period(Some(quota), Some(CPU_PERIOD_US))
        .map_err(|e| failed(dir, file, &format!("{quota} {CPU_PERIOD_US}"), &e))
}

fn signed(option: &str, value: u64) -> Result<i64, ConfineError> {
    i64::try_from(value).map_err(|_| ConfineError::new(format!("{option} {value}: too large")))
}

fn failed(dir: &Path, file: &str, value: &str, e: &cgroups_rs::error::Error) -> ConfineError {
    let cause = std::error::Error::source(e).and_then(|s| s.downcast_ref::<io::Error>());
    let io = match cause.and_then(io::Error::raw_os_error) {
        Some(errno) => io::Error::from_raw_os_error(errno),
        None => io::Error::other(e.to_string()),
    };
    explain(
        &format!("cannot write {value} to {}", dir.join(file).display()),
        &io,
    )
}
