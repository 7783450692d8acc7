//! Ending: `--kill-after` escalation while the program runs, and the
//! `--grace-period` drain of every descendant left once it has exited.

use std::time::{Duration, Instant};

use crate::descendants;
use crate::signals::{self, Sig};
use crate::units::show_duration;

/// While killing, leftovers (forked after a sweep) are swept again this often.
const RESWEEP: Duration = Duration::from_millis(200);

enum Phase {
    /// The main child runs.
    Running,
    /// Descendants got the grace signal; KILL follows at the deadline.
    Terming { kill_at: Instant },
    /// Descendants got KILL; sweep again until none is left.
    Killing { sweep_at: Instant },
}

pub struct Shutdown {
    /// The main child, whose process group is the fallback target.
    program: libc::pid_t,
    grace: Duration,
    kill_after: Option<Duration>,
    phase: Phase,
    /// When `--kill-after` fires, once a terminating signal went out.
    escalate_at: Option<Instant>,
    escalated: bool,
    drain_started: Option<Instant>,
    termed: Option<usize>,
    killed: Option<usize>,
}

impl Shutdown {
    pub fn new(program: libc::pid_t, grace: Duration, kill_after: Option<Duration>) -> Shutdown {
        Shutdown {
            program,
            grace,
            kill_after,
            phase: Phase::Running,
            escalate_at: None,
            escalated: false,
            drain_started: None,
            termed: None,
            killed: None,
        }
    }

    /// A terminating signal reached the program: start `--kill-after`, once.
    pub fn arm_escalation(&mut self, now: Instant) {
        if let (Some(after), None, Phase::Running) =
            (self.kill_after, self.escalate_at, &self.phase)
        {
            log::info!(
                "will SIGKILL the program if it is still running in {}",
                show_duration(after)
            );
            self.escalate_at = Some(now + after);
        }
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        match self.phase {
            Phase::Running => self.escalate_at,
            Phase::Terming { kill_at } => Some(kill_at),
            Phase::Killing { sweep_at } => Some(sweep_at),
        }
    }

    /// The main child has exited and other processes remain: send them the
    /// grace signal (`None` when `--rewrite TERM:0` drops it).
    pub fn begin_drain(&mut self, now: Instant, grace_signal: Option<Sig>) {
        self.drain_started = Some(now);
        self.escalate_at = None;
        if self.grace.is_zero() {
            self.kill_everything(now);
            return;
        }
        if let Some(sig) = grace_signal {
            self.termed = descendants::signal_all(sig, self.program);
            log::info!(
                "program exited; sent SIG{} to {} remaining processes, SIGKILL in {}",
                signals::name(sig),
                show_count(self.termed),
                show_duration(self.grace)
            );
        }
        self.phase = Phase::Terming {
            kill_at: now + self.grace,
        };
    }

    /// A terminating signal arrived while draining: the user wants out now.
    pub fn hurry(&mut self, now: Instant) {
        if let Phase::Terming { .. } = self.phase {
            log::info!("terminating signal during the grace period: killing the rest now");
            self.kill_everything(now);
        }
    }

    /// Called at every wake-up; acts on whichever deadline has passed.
    /// `running`: the main child has not exited yet.
    pub fn on_time(&mut self, now: Instant, running: bool) {
        let due = |at: Option<Instant>| at.is_some_and(|at| now >= at);
        match self.phase {
            Phase::Running if running && due(self.escalate_at) => {
                self.escalate_at = None;
                self.escalated = true;
                log::warn!("program still running after --kill-after; sending SIGKILL");
                // Its group first: it holds the program even if the tree
                // walk below cannot see everything.
                let _ = signals::send(-self.program, libc::SIGKILL);
                let _ = signals::send(self.program, libc::SIGKILL);
                descendants::signal_all(libc::SIGKILL, self.program);
            }
            Phase::Terming { kill_at } if now >= kill_at => self.kill_everything(now),
            Phase::Killing { sweep_at } if now >= sweep_at => {
                descendants::signal_all(libc::SIGKILL, self.program);
                self.phase = Phase::Killing {
                    sweep_at: now + RESWEEP,
                };
            }
            _ => {}
        }
    }

    fn kill_everything(&mut self, now: Instant) {
        self.killed = descendants::signal_all(libc::SIGKILL, self.program);
        if self.killed != Some(0) {
            log::info!(
                "sent SIGKILL to {} remaining processes",
                show_count(self.killed)
            );
        }
        self.phase = Phase::Killing {
            sweep_at: now + RESWEEP,
        };
    }

    /// `escalated to SIGKILL; 2 processes got TERM, 1 needed KILL; drain took 1.0s`.
    pub fn summary(&self, now: Instant) -> Option<String> {
        let mut parts = Vec::new();
        if self.escalated {
            parts.push("escalated to SIGKILL (--kill-after)".to_string());
        }
        if let Some(started) = self.drain_started {
            let needed_kill = self.killed.map_or(0, |n| n);
            parts.push(format!(
                "{} other processes got the grace signal, {} needed SIGKILL; drain took {}",
                show_count(self.termed),
                needed_kill,
                show_duration(now.saturating_duration_since(started))
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

fn show_count(n: Option<usize>) -> String {
    n.map_or_else(|| "?".to_string(), |n| n.to_string())
}
