//! Signal numbers and names, the blocked set and the signalfd pidone waits on.
//!
//! Signals are plain `c_int` numbers here rather than `nix::sys::signal::Signal`
//! because that enum cannot hold real-time signals, which pidone forwards too.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

pub type Sig = libc::c_int;

const NAMES: &[(&str, Sig)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("IOT", libc::SIGIOT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("POLL", libc::SIGPOLL),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// The highest signal number the kernel knows (`SIGRTMAX` is a libc function).
pub fn max_signal() -> Sig {
    libc::SIGRTMAX()
}

fn rt_min() -> Sig {
    libc::SIGRTMIN()
}

/// Parses `TERM`, `SIGTERM`, `sigterm`, `15`, `RTMIN+3`, `SIGRTMAX-1`.
pub fn parse(text: &str) -> Option<Sig> {
    let valid = |n: Sig| (1..=max_signal()).contains(&n).then_some(n);
    if let Ok(n) = text.parse::<Sig>() {
        return valid(n);
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some(rest) = name.strip_prefix("RTMIN") {
        return rt_offset(rest, rt_min()).and_then(valid);
    }
    if let Some(rest) = name.strip_prefix("RTMAX") {
        return rt_offset(rest, max_signal()).and_then(valid);
    }
    NAMES.iter().find(|(n, _)| *n == name).map(|&(_, s)| s)
}

fn rt_offset(rest: &str, base: Sig) -> Option<Sig> {
    if rest.is_empty() {
        return Some(base);
    }
    let (sign, digits) = rest.split_at(1);
    let off: Sig = digits.parse().ok()?;
    match sign {
        "+" => Some(base + off),
        "-" => Some(base - off),
        _ => None,
    }
}

/// `TERM`, `RTMIN+2`, or the number when it has no name.
pub fn name(sig: Sig) -> String {
    if let Some((n, _)) = NAMES.iter().find(|&&(_, s)| s == sig) {
        return (*n).to_string();
    }
    let (min, max) = (rt_min(), max_signal());
    if sig == min {
        "RTMIN".to_string()
    } else if sig > min && sig <= max {
        format!("RTMIN+{}", sig - min)
    } else {
        sig.to_string()
    }
}

/// A `sigset_t` that can hold every signal, real-time ones included.
#[derive(Clone, Copy)]
pub struct SigSet(libc::sigset_t);

impl SigSet {
    pub fn full() -> SigSet {
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigfillset initialises the set it is given.
        unsafe {
            libc::sigfillset(set.as_mut_ptr());
            SigSet(set.assume_init())
        }
    }

    /// Replaces the calling thread's mask with `self`, returning the old one.
    pub fn set_mask(&self) -> io::Result<SigSet> {
        let mut old = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: both pointers are valid for the call.
        let rc = unsafe { libc::sigprocmask(libc::SIG_SETMASK, &self.0, old.as_mut_ptr()) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: sigprocmask filled `old` on success.
        Ok(SigSet(unsafe { old.assume_init() }))
    }
}

/// One signal read from the signalfd: its number and who sent it.
#[derive(Clone, Copy, Debug)]
pub struct Received {
    pub sig: Sig,
    pub sender: u32,
    pub code: i32,
}

impl Received {
    /// Signals the kernel raised at pidone itself (a write to a closed pipe
    /// gives pidone SIGPIPE) must not be passed on as if someone had sent them.
    /// `me` is pidone's pid, passed in so that no signal costs a getpid.
    pub fn raised_by(&self, me: u32) -> bool {
        self.code == libc::SI_USER && self.sender == me
    }
}

/// Waits for the next blocked signal, for at most `timeout_ms` (-1: no
/// limit), and takes it off the pending set like a read of the signalfd
/// would. One system call per signal where poll then read take two: this is
/// the path a forwarded signal takes when signals are all pidone waits for.
pub fn wait(timeout_ms: i32) -> io::Result<Option<Received>> {
    let set = SigSet::full();
    let mut info = MaybeUninit::<libc::siginfo_t>::zeroed();
    let limit = (timeout_ms >= 0).then(|| libc::timespec {
        tv_sec: (timeout_ms / 1000).into(),
        tv_nsec: libc::c_long::from(timeout_ms % 1000) * 1_000_000,
    });
    let limit_ptr = limit.as_ref().map_or(std::ptr::null(), |t| t as *const _);
    // SAFETY: the set, the out-pointer and the optional timespec are valid.
    let sig = unsafe { libc::sigtimedwait(&set.0, info.as_mut_ptr(), limit_ptr) };
    if sig < 0 {
        let err = io::Error::last_os_error();
        return match err.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(None),
            _ => Err(err),
        };
    }
    // SAFETY: sigtimedwait filled the siginfo for the signal it returned.
    let info = unsafe { info.assume_init() };
    // SAFETY: si_pid is meaningful for the codes pidone looks at (SI_USER);
    // for others it is whatever the kernel left there, which is only compared.
    let sender = unsafe { info.si_pid() } as u32;
    Ok(Some(Received {
        sig,
        sender,
        code: info.si_code,
    }))
}

/// A non-blocking, close-on-exec signalfd for every blockable signal.
pub struct SignalFd(OwnedFd);

impl SignalFd {
    pub fn open() -> io::Result<SignalFd> {
        let set = SigSet::full();
        // SAFETY: the set is valid; -1 asks for a new descriptor.
        let fd = unsafe { libc::signalfd(-1, &set.0, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the kernel just gave us this descriptor.
        Ok(SignalFd(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// The next pending signal, or `None` when none is left.
    pub fn read(&self) -> io::Result<Option<Received>> {
        let mut info = MaybeUninit::<libc::signalfd_siginfo>::uninit();
        let size = std::mem::size_of::<libc::signalfd_siginfo>();
        // SAFETY: the buffer is exactly one signalfd_siginfo long.
        let n = unsafe { libc::read(self.0.as_raw_fd(), info.as_mut_ptr().cast(), size) };
        if n < 0 {
            let err = io::Error::last_os_error();
            return match err.raw_os_error() {
                Some(libc::EAGAIN) => Ok(None),
                Some(libc::EINTR) => self.read(),
                _ => Err(err),
            };
        }
        if n as usize != size {
            return Ok(None);
        }
        // SAFETY: the kernel wrote a whole record.
        let info = unsafe { info.assume_init() };
        Ok(Some(Received {
            sig: info.ssi_signo as Sig,
            sender: info.ssi_pid,
            code: info.ssi_code,
        }))
    }
}

impl AsFd for SignalFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Sends `sig` to `pid` (a negative pid names a process group).
pub fn send(pid: libc::pid_t, sig: Sig) -> io::Result<()> {
    // SAFETY: kill has no memory-safety preconditions.
    if unsafe { libc::kill(pid, sig) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// TERM, INT, QUIT and HUP: the signals that ask a program to stop.
pub fn is_terminating(sig: Sig) -> bool {
    matches!(
        sig,
        libc::SIGTERM | libc::SIGINT | libc::SIGQUIT | libc::SIGHUP
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_numbers_and_rt() {
        assert_eq!(parse("TERM"), Some(libc::SIGTERM));
        assert_eq!(parse("sigterm"), Some(libc::SIGTERM));
        assert_eq!(parse("SigUsr1"), Some(libc::SIGUSR1));
        assert_eq!(parse("15"), Some(15));
        assert_eq!(parse("RTMIN"), Some(libc::SIGRTMIN()));
        assert_eq!(parse("SIGRTMIN+3"), Some(libc::SIGRTMIN() + 3));
        assert_eq!(parse("rtmax-1"), Some(libc::SIGRTMAX() - 1));
        assert_eq!(parse("0"), None);
        assert_eq!(parse("65"), None);
        assert_eq!(parse("NOPE"), None);
        assert_eq!(parse("RTMAX+1"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn names_round_trip() {
        for sig in 1..=max_signal() {
            assert_eq!(parse(&name(sig)), Some(sig), "signal {sig}");
        }
    }
}
