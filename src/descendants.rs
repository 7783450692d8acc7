//! Finding and signalling every process pidone would reap.
//!
//! As PID 1 that is every other process in the namespace, and `kill(-1)`
//! reaches them all atomically. As a subreaper it is pidone's subtree, which
//! a process can never leave (orphans are reparented to the nearest
//! subreaper, which is pidone or inside its tree). The subtree is walked
//! through /proc and each process is pinned with a pidfd before its
//! parentage is checked, so a pid recycled by an unrelated process is never
//! signalled.

use std::collections::VecDeque;
use std::fs;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::signals::Sig;

/// Sends `sig` to every live descendant; returns how many got it, or `None`
/// when /proc cannot say (signals are still sent where possible: as a
/// subreaper without a /proc of its own, to the program's process group
/// `program_group`, where whatever did not move away still is).
pub fn signal_all(sig: Sig, program_group: libc::pid_t) -> Option<usize> {
    let me = std::process::id() as libc::pid_t;
    let table = process_table();
    if me == 1 {
        let count = table
            .as_ref()
            .map(|t| t.iter().filter(|p| p.pid != 1 && !p.zombie).count());
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(-1, sig) };
        return count;
    }
    let Some(table) = table else {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(-program_group, sig) };
        return None;
    };
    let mut count = 0;
    for target in subtree(me, &table) {
        if target.zombie {
            continue;
        }
        if target.send(sig) {
            count += 1;
        }
    }
    Some(count)
}

#[derive(Clone, Copy)]
struct Entry {
    pid: libc::pid_t,
    ppid: libc::pid_t,
    zombie: bool,
}

/// Every process in /proc, or `None` if /proc is missing or belongs to
/// another pid namespace (its pids would not be ours).
fn process_table() -> Option<Vec<Entry>> {
    let me = std::process::id();
    let self_link = fs::read_link("/proc/self").ok()?;
    if self_link.to_str()?.parse::<u32>().ok()? != me {
        return None;
    }
    let entries = fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<libc::pid_t>().ok())
        .filter_map(stat)
        .collect();
    Some(entries)
}

/// pid, parent and state from /proc/PID/stat. The command name may hold
/// spaces and parentheses, so fields are counted from the last ')'.
fn stat(pid: libc::pid_t) -> Option<Entry> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(pid, &text)
}

fn parse_stat(pid: libc::pid_t, text: &str) -> Option<Entry> {
    let (_, rest) = text.rsplit_once(')')?;
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some(Entry {
        pid,
        ppid,
        zombie: state == "Z" || state == "X",
    })
}

/// A descendant pinned by a pidfd (or, on kernels without pidfds, by pid).
struct Pinned {
    pid: libc::pid_t,
    fd: Option<OwnedFd>,
    zombie: bool,
}

impl Pinned {
    /// True while the pinned process has not been reaped, so that its pid
    /// still names it.
    fn alive(&self) -> bool {
        match &self.fd {
            Some(fd) => pidfd_signal(fd, 0),
            None => true,
        }
    }

    fn send(&self, sig: Sig) -> bool {
        match &self.fd {
            Some(fd) => pidfd_signal(fd, sig),
            // SAFETY: kill has no memory-safety preconditions.
            None => unsafe { libc::kill(self.pid, sig) == 0 },
        }
    }
}

/// pidone's subtree, breadth first. A process counts only if, after it was
/// pinned, its parent was still pidone or a pinned descendant that had not
/// been reaped: at that instant it was inside the tree, and it can never
/// leave it.
fn subtree(me: libc::pid_t, table: &[Entry]) -> Vec<Pinned> {
    let mut found: Vec<Pinned> = Vec::new();
    let mut queue: VecDeque<(libc::pid_t, Option<usize>)> = VecDeque::from([(me, None)]);
    while let Some((parent, parent_index)) = queue.pop_front() {
        for entry in table.iter().filter(|e| e.ppid == parent && e.pid != me) {
            let Some(pinned) = pin(entry.pid) else {
                continue;
            };
            let Some(now) = stat(entry.pid) else { continue };
            if !pinned.alive() {
                continue;
            }
            let inside = if now.ppid == me {
                true
            } else if now.ppid == parent {
                parent_index
                    .and_then(|i| found.get(i))
                    .is_some_and(Pinned::alive)
            } else {
                false
            };
            if inside {
                found.push(Pinned {
                    zombie: now.zombie,
                    ..pinned
                });
                queue.push_back((entry.pid, Some(found.len() - 1)));
            }
        }
    }
    found
}

fn pin(pid: libc::pid_t) -> Option<Pinned> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd >= 0 {
        // SAFETY: the kernel just returned this descriptor, close-on-exec.
        let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
        return Some(Pinned {
            pid,
            fd: Some(fd),
            zombie: false,
        });
    }
    let unsupported = std::io::Error::last_os_error().raw_os_error() == Some(libc::ENOSYS);
    unsupported.then_some(Pinned {
        pid,
        fd: None,
        zombie: false,
    })
}

fn pidfd_signal(fd: &OwnedFd, sig: Sig) -> bool {
    // SAFETY: a null siginfo asks the kernel to fill it in as kill() would.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            fd.as_raw_fd(),
            sig,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    rc == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_awkward_names() {
        let e = parse_stat(42, "42 (a b) c) S 7 42 42 0").unwrap();
        assert_eq!((e.pid, e.ppid, e.zombie), (42, 7, false));
        let e = parse_stat(9, "9 (x) Z 1 9 9").unwrap();
        assert!(e.zombie);
        assert!(parse_stat(9, "garbage").is_none());
    }
}
