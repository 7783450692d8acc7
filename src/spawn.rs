//! fork, the child's preparation, exec, and the close-on-exec pipe that
//! carries any failure before exec back to the parent.
//!
//! The child's steps, in order: own process group (and the terminal's
//! foreground group) → confinement ([`crate::confine`]) → LISTEN_PID →
//! the signal mask and dispositions pidone inherited → seccomp → exec.

use std::ffi::{CString, OsString};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::unistd::{self, Pid};

use crate::confine::Plan;
use crate::inherited::{self, Inherited};

pub const EXIT_FAILURE: i32 = 125;
pub const EXIT_CANNOT_RUN: i32 = 126;
pub const EXIT_NOT_FOUND: i32 = 127;

/// Why the program was not started: the status pidone exits with, and the
/// line it prints.
#[derive(Debug)]
pub struct NotStarted {
    pub status: i32,
    pub message: String,
}

impl NotStarted {
    fn new(status: i32, message: impl Into<String>) -> Self {
        NotStarted {
            status,
            message: message.into(),
        }
    }
}

/// Starts `command` as pidone's child and returns its pid once it has
/// exec'd (or reports why it did not).
pub fn spawn(command: &[OsString], plan: &Plan, inherited: &Inherited) -> Result<Pid, NotStarted> {
    let argv = command
        .iter()
        .map(|a| CString::new(a.as_bytes()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| NotStarted::new(EXIT_FAILURE, "an argument contains a NUL byte"))?;
    let program = argv
        .first()
        .ok_or_else(|| NotStarted::new(EXIT_FAILURE, "no program given"))?;
    let shown = command
        .first()
        .map(|p| p.to_string_lossy())
        .unwrap_or_default();
    let foreground = unistd::isatty(io::stdin()).unwrap_or(false);
    let parent = std::process::id();

    let (reader, writer) = unistd::pipe2(OFlag::O_CLOEXEC)
        .map_err(|e| NotStarted::new(EXIT_FAILURE, format!("cannot create a pipe: {e}")))?;

    // SAFETY: pidone is single-threaded, so the child may do anything the
    // parent could; it leaves only through exec or _exit.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let e = io::Error::last_os_error();
        return Err(NotStarted::new(EXIT_FAILURE, format!("cannot fork: {e}")));
    }
    if pid == 0 {
        drop(reader);
        let failure = prepare_and_exec(program, &argv, &shown, plan, inherited, foreground, parent);
        report_and_exit(writer, failure);
    }
    let child = Pid::from_raw(pid);
    drop(writer);
    // Both sides set the group, so that it exists before either relies on it.
    let _ = unistd::setpgid(child, child);

    let mut report = Vec::new();
    let _ = std::fs::File::from(reader).read_to_end(&mut report);
    match report.split_first() {
        None => Ok(child),
        Some((&status, message)) => {
            reap_quietly(child);
            Err(NotStarted::new(
                i32::from(status),
                String::from_utf8_lossy(message).into_owned(),
            ))
        }
    }
}

/// Returns only if something failed; otherwise the process has become the
/// program.
fn prepare_and_exec(
    program: &CString,
    argv: &[CString],
    shown: &str,
    plan: &Plan,
    inherited: &Inherited,
    foreground: bool,
    parent: u32,
) -> NotStarted {
    let me = unistd::getpid();
    if let Err(e) = unistd::setpgid(me, me) {
        return NotStarted::new(EXIT_FAILURE, format!("cannot create a process group: {e}"));
    }
    if foreground {
        // Still blocked here, so SIGTTOU cannot stop us while we take over
        // the terminal from the background.
        if let Err(e) = unistd::tcsetpgrp(io::stdin().as_fd(), me) {
            log::debug!("cannot make the child the terminal's foreground group: {e}");
        }
    }
    if let Err(e) = plan.confine() {
        return NotStarted::new(EXIT_FAILURE, e.0);
    }
    inherited::point_listen_pid_at_child(parent);
    if let Err(e) = inherited.restore() {
        return NotStarted::new(EXIT_FAILURE, format!("cannot restore the signal mask: {e}"));
    }
    if let Err(e) = plan.load_seccomp() {
        return NotStarted::new(EXIT_FAILURE, e.0);
    }
    let err = match unistd::execvp(program, argv) {
        Err(e) => e,
        Ok(never) => match never {},
    };
    let status = if err == Errno::ENOENT {
        EXIT_NOT_FOUND
    } else {
        EXIT_CANNOT_RUN
    };
    NotStarted::new(status, format!("cannot run '{shown}': {}", err.desc()))
}

fn report_and_exit(writer: OwnedFd, failure: NotStarted) -> ! {
    let mut msg = Vec::with_capacity(failure.message.len() + 1);
    msg.push(u8::try_from(failure.status).unwrap_or(125));
    msg.extend_from_slice(failure.message.as_bytes());
    let _ = std::fs::File::from(writer).write_all(&msg);
    // SAFETY: _exit skips atexit handlers that belong to the parent.
    unsafe { libc::_exit(failure.status) }
}

fn reap_quietly(child: Pid) {
    loop {
        match nix::sys::wait::waitpid(child, None) {
            Err(Errno::EINTR) => continue,
            _ => return,
        }
    }
}
