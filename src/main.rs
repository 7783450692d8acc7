//! pidone: a tiny init for containers. This file holds the order of things
//! and nothing else; every failure before the program runs becomes one line
//! on stderr and exit status 125.
//!
//! `no_main`: Rust's runtime would set SIGPIPE to SIG_IGN before `main`,
//! and the child would inherit that. pidone must hand the program exactly
//! the signal dispositions it was given, so it starts from the C `main`.
#![cfg_attr(not(test), no_main)]
// The unit-test harness brings its own main, so `run` is unused there.
#![cfg_attr(test, allow(dead_code))]

mod cli;
mod confine;
mod descendants;
mod event_loop;
mod forward;
mod inherited;
mod logging;
mod reaper;
mod shutdown;
mod signals;
mod spawn;
mod units;

use std::ffi::OsString;
use std::os::fd::{AsFd, AsRawFd};

use cli::Action;
use inherited::Inherited;
use spawn::EXIT_FAILURE;

const LICENSE: &str = include_str!("../LICENSE");

#[cfg(not(test))]
mod entry {
    use std::ffi::{CStr, OsString, c_char, c_int};
    use std::os::unix::ffi::OsStringExt;

    use super::{EXIT_FAILURE, Inherited, run};

    #[unsafe(no_mangle)]
    extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
        // First of all: block every signal (see `Inherited::take`).
        let inherited = match Inherited::take() {
            Ok(i) => i,
            Err(e) => {
                eprintln!("pidone: cannot block signals: {e}");
                return EXIT_FAILURE;
            }
        };
        // SAFETY: the C runtime hands main argc valid NUL-terminated strings.
        let args = unsafe { arguments(argc, argv) };
        run(args, &inherited)
    }

    unsafe fn arguments(argc: c_int, argv: *const *const c_char) -> Vec<OsString> {
        (1..usize::try_from(argc).unwrap_or(0))
            .filter_map(|i| {
                // SAFETY: i < argc, so argv[i] is a valid pointer.
                let ptr = unsafe { *argv.add(i) };
                (!ptr.is_null()).then(|| {
                    // SAFETY: the pointer is non-null and NUL-terminated.
                    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes().to_vec();
                    OsString::from_vec(bytes)
                })
            })
            .collect()
    }
}

fn run(args: Vec<OsString>, inherited: &Inherited) -> i32 {
    let cfg = match cli::parse(args, |name| std::env::var(name).ok()) {
        Ok(Action::Run(cfg)) => cfg,
        Ok(Action::Help) => return print(cli::USAGE),
        Ok(Action::Version) => return print(&format!("pidone {}\n", env!("CARGO_PKG_VERSION"))),
        Ok(Action::License) => return print(LICENSE),
        Err(e) => {
            eprintln!("pidone: {e}");
            return EXIT_FAILURE;
        }
    };
    logging::init(cfg.verbosity, cfg.log_filter.as_deref());

    if let Err(e) = become_reaper(&cfg) {
        log::error!("{e}");
        return EXIT_FAILURE;
    }
    let plan = match confine::Plan::prepare(&cfg) {
        Ok(plan) => plan,
        Err(e) => {
            log::error!("{e}");
            return EXIT_FAILURE;
        }
    };
    // Opened before the fork (close-on-exec, so the child never sees it):
    // without it pidone could neither forward nor reap, and failing here
    // leaves nothing behind.
    let signalfd = match signals::SignalFd::open() {
        Ok(fd) => fd,
        Err(e) => {
            log::error!("cannot open a signalfd: {e}");
            if let Some(cgroup) = plan.cgroup {
                cgroup.remove();
            }
            return EXIT_FAILURE;
        }
    };
    let child = match spawn::spawn(&cfg.command, &plan, inherited) {
        Ok(pid) => pid,
        Err(failure) => {
            log::error!("{}", failure.message);
            if let Some(cgroup) = plan.cgroup {
                cgroup.remove();
            }
            return failure.status;
        }
    };
    log::debug!("started {:?} as {child}", cfg.command);

    // Every descriptor above 2 but the signalfd was inherited.
    inherited::close_descriptors_above_stderr(signalfd.as_fd().as_raw_fd());
    inherited::leave_working_directory();

    // The rest of the plan (a compiled seccomp filter can be a few hundred
    // KiB) served the child only: free it before settling in for good.
    let mut cgroup = plan.into_cgroup();
    if let Some(cg) = cgroup.as_mut() {
        if let Err(e) = cg.watch() {
            log::warn!("{e}");
        }
    }
    event_loop::Supervisor::new(&cfg, child.as_raw(), signalfd, cgroup).run()
}

/// Subreaper unless PID 1 (where the kernel makes pidone every orphan's
/// parent anyway), and the parent-death signal.
fn become_reaper(cfg: &cli::Config) -> Result<(), String> {
    if std::process::id() != 1 {
        nix::sys::prctl::set_child_subreaper(true)
            .map_err(|e| format!("cannot become a child subreaper: {e}"))?;
    } else if cfg.subreaper {
        log::debug!("-s ignored: PID 1 reaps every orphan already");
    }
    if let Some(sig) = cfg.pdeath_signal {
        // SAFETY: PR_SET_PDEATHSIG takes a signal number.
        let rc = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, sig as libc::c_ulong) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            return Err(format!("--pdeath-signal: {e}"));
        }
    }
    Ok(())
}

fn print(text: &str) -> i32 {
    use std::io::Write;
    match std::io::stdout().write_all(text.as_bytes()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
