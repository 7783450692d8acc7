//! The one loop pidone spends its life in: a single `poll` over the
//! signalfd and the cgroup's memory events, with a timeout only while a
//! deadline (a held signal, `--kill-after`, the grace period) is pending.
//! With nothing pending it sleeps without a timeout: an idle pidone never
//! wakes up. When there is no cgroup to watch, signals are all there is to
//! wait for, and `sigtimedwait` stands in for poll + read: the same pending
//! signals, half the system calls on the path of every forwarded signal.

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use crate::cli::Config;
use crate::confine::cgroup::ChildCgroup;
use crate::forward::Forwarder;
use crate::reaper;
use crate::shutdown::Shutdown;
use crate::signals::{self, SignalFd};

pub struct Supervisor {
    signals: SignalFd,
    cgroup: Option<ChildCgroup>,
    program: libc::pid_t,
    /// pidone's own pid, to tell the signals it raised at itself.
    me: u32,
    /// The main child's wait status once it has been reaped.
    status: Option<libc::c_int>,
    forward: Forwarder,
    shutdown: Shutdown,
    pressure_signal: Option<signals::Sig>,
    warn_on_reap: bool,
    remap_exit: Vec<u8>,
    reaped_others: usize,
    last_pressure_signal: Option<Instant>,
    finished: bool,
}

/// At most one `--on-memory-pressure` signal per this interval.
const PRESSURE_SIGNAL_INTERVAL: Duration = Duration::from_secs(1);

impl Supervisor {
    pub fn new(
        cfg: &Config,
        program: libc::pid_t,
        signals: SignalFd,
        cgroup: Option<ChildCgroup>,
    ) -> Self {
        Supervisor {
            signals,
            cgroup,
            program,
            me: std::process::id(),
            status: None,
            forward: Forwarder::new(cfg.policy.clone(), program, cfg.group),
            shutdown: Shutdown::new(program, cfg.policy.grace_period, cfg.policy.kill_after),
            pressure_signal: cfg.limits.on_memory_pressure,
            warn_on_reap: cfg.warn_on_reap,
            remap_exit: cfg.remap_exit.clone(),
            reaped_others: 0,
            last_pressure_signal: None,
            finished: false,
        }
    }

    /// Runs until the main child and every other child are reaped; returns
    /// pidone's exit status.
    pub fn run(mut self) -> i32 {
        // Every signal stays blocked and pending until it is read here, so a
        // child that exited before the loop began is reaped on the first turn.
        while !self.finished {
            if let Err(e) = self.wait_and_dispatch() {
                log::error!("event loop: {e}");
                self.emergency_stop();
            }
        }
        self.finish()
    }

    fn wait_and_dispatch(&mut self) -> io::Result<()> {
        let timeout = self.next_deadline().map_or(-1, |at| {
            let ms = at
                .saturating_duration_since(Instant::now())
                .as_micros()
                .div_ceil(1000);
            i32::try_from(ms).unwrap_or(i32::MAX)
        });
        let events = self.cgroup.as_ref().and_then(|c| c.event_fd());
        if events.is_none() {
            // Only signals to wait for: sigtimedwait wakes up with the signal
            // in hand, one system call instead of poll then read.
            if let Some(received) = signals::wait(timeout)? {
                self.dispatch(received)?;
            }
            self.on_time(Instant::now());
            return Ok(());
        }
        let mut fds = [
            libc::pollfd {
                fd: self.signals.as_fd().as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: events.map_or(-1, |fd| fd.as_raw_fd()),
                events: libc::POLLIN | libc::POLLPRI,
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfds; a negative fd is skipped.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if n < 0 {
            let err = io::Error::last_os_error();
            return if err.raw_os_error() == Some(libc::EINTR) {
                Ok(())
            } else {
                Err(err)
            };
        }
        if fds[0].revents != 0 {
            self.drain_signals()?;
        }
        if fds[1].revents != 0 {
            self.on_memory_event();
        }
        self.on_time(Instant::now());
        Ok(())
    }

    fn next_deadline(&self) -> Option<Instant> {
        [self.forward.next_deadline(), self.shutdown.next_deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    fn drain_signals(&mut self) -> io::Result<()> {
        while let Some(received) = self.signals.read()? {
            self.dispatch(received)?;
        }
        Ok(())
    }

    fn dispatch(&mut self, received: signals::Received) -> io::Result<()> {
        let sig = received.sig;
        if sig == libc::SIGCHLD {
            self.reap()?;
        } else if sig == libc::SIGTTIN || sig == libc::SIGTTOU {
            log::debug!("ignoring SIG{}", signals::name(sig));
        } else if received.raised_by(self.me) {
            log::debug!(
                "SIG{} raised by pidone itself, not forwarded",
                signals::name(sig)
            );
        } else {
            self.on_signal(sig);
        }
        Ok(())
    }

    fn on_signal(&mut self, sig: signals::Sig) {
        let now = Instant::now();
        if self.status.is_some() {
            if signals::is_terminating(sig) {
                self.shutdown.hurry(now);
            } else {
                log::debug!(
                    "SIG{} after the program exited: not forwarded",
                    signals::name(sig)
                );
            }
            return;
        }
        if self.forward.receive(sig, now) {
            self.shutdown.arm_escalation(now);
        }
    }

    fn on_time(&mut self, now: Instant) {
        if self.status.is_none() && self.forward.release_due(now) {
            self.shutdown.arm_escalation(now);
        }
        self.shutdown.on_time(now, self.status.is_none());
    }

    fn on_memory_event(&mut self) {
        let Some(cgroup) = self.cgroup.as_mut() else {
            return;
        };
        let crossings = cgroup.pressure_events();
        if crossings == 0 || self.status.is_some() {
            return;
        }
        let Some(sig) = self.pressure_signal else {
            return;
        };
        // v2 counts every reclaim above memory.high (up to ~100 a second
        // while a program stays above it); one signal a second is plenty
        // of warning, and later events are still seen because they recur.
        let now = Instant::now();
        if self
            .last_pressure_signal
            .is_some_and(|at| now.saturating_duration_since(at) < PRESSURE_SIGNAL_INTERVAL)
        {
            log::debug!("memory-high crossed again; signalled less than a second ago");
            return;
        }
        self.last_pressure_signal = Some(now);
        log::info!(
            "memory-high crossed; sending SIG{} to the program",
            signals::name(sig)
        );
        if let Err(e) = signals::send(self.program, sig) {
            log::debug!("cannot send the memory pressure signal: {e}");
        }
    }

    fn reap(&mut self) -> io::Result<()> {
        let pass = reaper::reap(self.program, self.warn_on_reap)?;
        self.reaped_others += pass.others;
        if let Some(status) = pass.main {
            log::info!("program {} ({})", self.program, reaper::describe(status));
            self.status = Some(status);
            self.forward.forget_held();
            if pass.children_left {
                let grace_signal = self.forward.rewritten(libc::SIGTERM);
                self.shutdown.begin_drain(Instant::now(), grace_signal);
            }
        }
        if !pass.children_left && self.status.is_some() {
            self.finished = true;
        }
        Ok(())
    }

    /// The loop itself failed (poll or signalfd broke): the only safe thing
    /// left is to kill everything and wait for it, blocking.
    fn emergency_stop(&mut self) {
        if self.status.is_none() {
            let _ = signals::send(-self.program, libc::SIGKILL);
            let _ = signals::send(self.program, libc::SIGKILL);
        }
        crate::descendants::signal_all(libc::SIGKILL, self.program);
        loop {
            let mut status = 0;
            // SAFETY: `status` is a valid out-pointer.
            let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
            if pid == self.program {
                self.status = Some(status);
            } else if pid < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                break;
            }
        }
        self.finished = true;
    }

    fn finish(self) -> i32 {
        let now = Instant::now();
        let Some(status) = self.status else {
            log::error!("the program's status was lost");
            return crate::spawn::EXIT_FAILURE;
        };
        if let Some(cgroup) = self.cgroup {
            let killed_by_kill =
                libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL;
            if let Some(line) = cgroup.oom_report(killed_by_kill) {
                log::error!("{line}");
            }
            cgroup.remove();
        }
        let code = reaper::final_code(status, &self.remap_exit);
        let mut line = format!(
            "exiting with status {code}: program {}",
            reaper::describe(status)
        );
        for part in [self.forward.tally.summary(), self.shutdown.summary(now)]
            .into_iter()
            .flatten()
        {
            line.push_str("; ");
            line.push_str(&part);
        }
        if self.reaped_others > 0 {
            line.push_str(&format!("; reaped {} other processes", self.reaped_others));
        }
        log::info!("{line}");
        code
    }
}
