//! Memory-high notifications without polling: on v1 a threshold eventfd
//! registered through `cgroup.event_control` on `memory.usage_in_bytes`; on
//! v2 an inotify watch on `memory.events`, whose `high` counter the kernel
//! bumps (and the file it notifies) whenever the cgroup is over memory.high.
//!
//! Both are plain libc: cgroups-rs hands memory events to a thread of
//! its own, and pidone stays single-threaded (it forks, and its one loop
//! must wait on the signalfd and this descriptor together).

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

pub struct Notifier {
    fd: OwnedFd,
    kind: Kind,
}

enum Kind {
    /// v1: the eventfd fires on every crossing of `threshold`, up or down.
    Threshold { usage: PathBuf, threshold: u64 },
    /// v2: `high` count of memory.events already turned into signals.
    Events { file: PathBuf, seen: u64 },
}

impl Notifier {
    /// v1: an eventfd signalled when memory.usage_in_bytes crosses `threshold`.
    pub fn threshold(dir: &Path, threshold: u64) -> io::Result<Notifier> {
        let usage_path = dir.join("memory.usage_in_bytes");
        let usage = File::open(&usage_path)?;
        // SAFETY: eventfd(2) with valid flags; the result is checked.
        let raw = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let line = format!("{} {} {threshold}", fd.as_raw_fd(), usage.as_raw_fd());
        std::fs::write(dir.join("cgroup.event_control"), line)?;
        // The kernel only reports crossings: if the program got past the
        // threshold before this registration, say so ourselves.
        if read_number(&usage_path).is_some_and(|u| u >= threshold) {
            let one = 1u64.to_ne_bytes();
            // SAFETY: writes 8 bytes from a live buffer to our eventfd.
            unsafe { libc::write(fd.as_raw_fd(), one.as_ptr().cast(), one.len()) };
        }
        Ok(Notifier {
            fd,
            kind: Kind::Threshold {
                usage: usage_path,
                threshold,
            },
        })
    }

    /// v2: an inotify descriptor readable when memory.events changes.
    pub fn memory_events(dir: &Path) -> io::Result<Notifier> {
        let file = dir.join("memory.events");
        // SAFETY: inotify_init1(2) with valid flags; the result is checked.
        let raw = unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let path = std::ffi::CString::new(file.as_os_str().as_encoded_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: a valid inotify descriptor and NUL-terminated path.
        let wd = unsafe { libc::inotify_add_watch(fd.as_raw_fd(), path.as_ptr(), libc::IN_MODIFY) };
        if wd < 0 {
            return Err(io::Error::last_os_error());
        }
        // The cgroup is new, so every `high` event counted so far is one
        // the program has not been told about.
        Ok(Notifier {
            fd,
            kind: Kind::Events { file, seen: 0 },
        })
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Upward crossings of memory-high since the last call; empties the
    /// descriptor so that the loop does not wake again for the same event.
    pub fn crossings(&mut self) -> u64 {
        let signalled = drain(&self.fd);
        match &mut self.kind {
            Kind::Threshold { usage, threshold } => {
                // Crossings alternate, starting upwards from below.
                let above = read_number(usage).is_some_and(|u| u >= *threshold);
                match (signalled, above) {
                    (0, _) => 0,
                    (n, true) => n.div_ceil(2),
                    (n, false) => n / 2,
                }
            }
            Kind::Events { file, seen } => {
                let high = std::fs::read_to_string(&*file)
                    .ok()
                    .and_then(|text| keyed(&text, "high"))
                    .unwrap_or(*seen);
                let new = high.saturating_sub(*seen);
                *seen = high.max(*seen);
                new
            }
        }
    }
}

/// Reads until the descriptor is empty; returns the eventfd counter (for
/// inotify, the number of reads that returned something).
fn drain(fd: &OwnedFd) -> u64 {
    let mut total = 0u64;
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: reads into a live buffer of the given length.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n == 8 {
            let mut word = [0u8; 8];
            word.copy_from_slice(buf.get(..8).unwrap_or(&[0; 8]));
            total = total.saturating_add(u64::from_ne_bytes(word));
        } else if n > 0 {
            total = total.saturating_add(1);
        } else if n < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        } else {
            return total;
        }
    }
}

/// A file holding one number (`memory.usage_in_bytes`).
pub fn read_number(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The value of `key` in a flat-keyed file (`memory.events`,
/// `memory.oom_control`, `cpu.stat`): lines of `key value`.
pub fn keyed(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        if k == key {
            v.trim().parse().ok()
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_keyed() {
        let events = "low 0\nhigh 12\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n";
        assert_eq!(keyed(events, "high"), Some(12));
        assert_eq!(keyed(events, "oom_kill"), Some(1));
        assert_eq!(keyed(events, "oom"), Some(1));
        assert_eq!(keyed(events, "nope"), None);
        let v1 = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";
        assert_eq!(keyed(v1, "oom_kill"), Some(2));
    }
}
