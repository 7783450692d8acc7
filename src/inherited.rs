//! What pidone was given — signal mask, signal dispositions, descriptors,
//! working directory — and keeps for the child so that pidone is transparent.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::RawFd;

use crate::signals::{Sig, SigSet};

/// pidone ignores these so a terminal can never stop it; the child gets back
/// whatever disposition pidone was started with.
const IGNORED_BY_PIDONE: [Sig; 2] = [libc::SIGTTIN, libc::SIGTTOU];

pub struct Inherited {
    mask: SigSet,
    dispositions: [(Sig, libc::sigaction); 2],
}

impl Inherited {
    /// Blocks every signal, then ignores TTIN/TTOU; must run before anything
    /// else, because as PID 1 an unblocked signal left at SIG_DFL is
    /// discarded by the kernel, and one sent early would be lost.
    pub fn take() -> io::Result<Inherited> {
        let mask = SigSet::full().set_mask()?;
        let mut dispositions = [(0, zeroed_sigaction()); 2];
        for (slot, sig) in dispositions.iter_mut().zip(IGNORED_BY_PIDONE) {
            let mut ignore = zeroed_sigaction();
            ignore.sa_sigaction = libc::SIG_IGN;
            let mut old = zeroed_sigaction();
            // SAFETY: both structs are valid for the call.
            if unsafe { libc::sigaction(sig, &ignore, &mut old) } != 0 {
                return Err(io::Error::last_os_error());
            }
            *slot = (sig, old);
        }
        Ok(Inherited { mask, dispositions })
    }

    /// In the child, before exec: the dispositions and mask pidone was given.
    pub fn restore(&self) -> io::Result<()> {
        for (sig, action) in &self.dispositions {
            // SAFETY: `action` came from the kernel in `take`.
            if unsafe { libc::sigaction(*sig, action, std::ptr::null_mut()) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        self.mask.set_mask().map(drop)
    }
}

fn zeroed_sigaction() -> libc::sigaction {
    // SAFETY: sigaction is plain data; all-zero is SIG_DFL with an empty mask.
    unsafe { MaybeUninit::zeroed().assume_init() }
}

/// After the spawn pidone holds no descriptor of its own above 2 but
/// `keep` (its signalfd), so every other one was inherited: close them so
/// pidone pins no pipe or socket.
pub fn close_descriptors_above_stderr(keep: RawFd) {
    let ranges = [(3, keep - 1), (keep + 1, RawFd::MAX)];
    let closed = ranges.iter().filter(|(lo, hi)| lo <= hi).all(|&(lo, hi)| {
        // SAFETY: close_range only closes descriptors; none in range is in use.
        unsafe { libc::syscall(libc::SYS_close_range, lo as u32, hi as u32, 0u32) == 0 }
    });
    if closed {
        return;
    }
    // Kernels before 5.9: close what /proc lists (collected first, because
    // the directory handle itself is one of the descriptors).
    let fds: Vec<RawFd> = match std::fs::read_dir("/proc/self/fd") {
        Ok(dir) => dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|&fd| fd > 2 && fd != keep)
            .collect(),
        Err(_) => return,
    };
    for fd in fds {
        // SAFETY: see above; the read_dir handle is already closed.
        unsafe { libc::close(fd) };
    }
}

/// Leaves the working directory so pidone pins no mount.
pub fn leave_working_directory() {
    if let Err(e) = nix::unistd::chdir("/") {
        log::debug!("cannot change directory to /: {e}");
    }
}

/// systemd socket activation: LISTEN_PID must name the process that uses the
/// sockets, which is the child, not pidone.
pub fn point_listen_pid_at_child(parent: u32) {
    let names_parent = std::env::var_os("LISTEN_PID")
        .is_some_and(|v| v.to_str().and_then(|s| s.parse::<u32>().ok()) == Some(parent));
    if names_parent {
        // SAFETY: the child is single-threaded between fork and exec.
        unsafe { std::env::set_var("LISTEN_PID", std::process::id().to_string()) };
    }
}
