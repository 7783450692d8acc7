//! Reaping: every child, whatever its origin, and the main child's status.

use std::io;

use crate::signals;

/// The outcome of one pass of [`reap`].
pub struct Pass {
    /// The main child's wait status, if it was reaped in this pass.
    pub main: Option<libc::c_int>,
    /// How many other processes were reaped.
    pub others: usize,
    /// `false` once pidone has no child left at all.
    pub children_left: bool,
}

/// Reaps until nothing is left to reap right now. SIGCHLD coalesces, so one
/// notification may stand for any number of exits: loop until `waitpid`
/// says there is nothing more.
pub fn reap(main: libc::pid_t, warn_on_reap: bool) -> io::Result<Pass> {
    let mut pass = Pass {
        main: None,
        others: 0,
        children_left: true,
    };
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid out-pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid > 0 {
            if pid == main {
                pass.main = Some(status);
            } else {
                pass.others += 1;
                if warn_on_reap {
                    log::warn!("reaped zombie process {pid} ({})", describe(status));
                }
            }
            continue;
        }
        if pid == 0 {
            return Ok(pass);
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::ECHILD) => {
                pass.children_left = false;
                return Ok(pass);
            }
            _ => return Err(err),
        }
    }
}

/// The env(1) convention: n for exit(n), 128+s for death by signal s.
pub fn exit_code(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        // Stopped or continued statuses are not reported without WUNTRACED.
        125
    }
}

/// pidone's exit status for the main child's wait status: `-e CODE` turns
/// an exit with CODE into 0; a death by signal is never remapped.
pub fn final_code(status: libc::c_int, remapped: &[u8]) -> i32 {
    let code = exit_code(status);
    if libc::WIFEXITED(status) && remapped.iter().any(|&c| i32::from(c) == code) {
        0
    } else {
        code
    }
}

/// `exit 3`, `killed by SIGTERM`.
pub fn describe(status: libc::c_int) -> String {
    if libc::WIFSIGNALED(status) {
        let core = if libc::WCOREDUMP(status) {
            ", core dumped"
        } else {
            ""
        };
        format!(
            "killed by SIG{}{core}",
            signals::name(libc::WTERMSIG(status))
        )
    } else {
        format!("exit {}", exit_code(status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(exit_code(3 << 8), 3);
        assert_eq!(exit_code(libc::SIGTERM), 143);
        assert_eq!(exit_code(libc::SIGKILL), 137);
        assert_eq!(describe(libc::SIGTERM), "killed by SIGTERM");
        assert_eq!(describe(255 << 8), "exit 255");
        assert_eq!(final_code(3 << 8, &[3, 4]), 0);
        assert_eq!(final_code(5 << 8, &[3, 4]), 5);
        assert_eq!(final_code(libc::SIGTERM, &[143]), 143);
    }
}
