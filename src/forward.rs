//! Where signals go: each signal pidone receives is held (`--delay`),
//! rewritten or dropped (`--rewrite`), then sent to the child, or to its
//! process group with `-g`.

use std::time::{Duration, Instant};

use crate::cli::SignalPolicy;
use crate::signals::{self, Sig};

pub struct Forwarder {
    policy: SignalPolicy,
    /// The child's pid, or minus its process group with `-g`.
    target: libc::pid_t,
    /// Signals held by `--delay`, each with the moment it is due.
    held: Vec<(Sig, Instant)>,
    pub tally: Tally,
}

/// What happened to the signals pidone received, for the closing line.
#[derive(Default)]
pub struct Tally {
    forwarded: Vec<(Sig, Sig, u32)>,
    dropped: Vec<(Sig, u32)>,
    delayed: Vec<(Sig, Duration)>,
}

fn bump<K: PartialEq>(list: &mut Vec<(K, u32)>, key: K) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key, 1)),
    }
}

impl Tally {
    fn forwarded(&mut self, from: Sig, to: Sig) {
        match self
            .forwarded
            .iter_mut()
            .find(|(f, t, _)| (*f, *t) == (from, to))
        {
            Some((_, _, n)) => *n += 1,
            None => self.forwarded.push((from, to, 1)),
        }
    }

    /// `forwarded TERM→QUIT, USR1×3; dropped USR2; delayed TERM by 1.0s`,
    /// or `None` when no signal came.
    pub fn summary(&self) -> Option<String> {
        let count = |n: u32| {
            if n > 1 {
                format!("×{n}")
            } else {
                String::new()
            }
        };
        let mut parts = Vec::new();
        if !self.forwarded.is_empty() {
            let list: Vec<String> = self
                .forwarded
                .iter()
                .map(|&(f, t, n)| {
                    let arrow = if f == t {
                        String::new()
                    } else {
                        format!("→{}", signals::name(t))
                    };
                    format!("{}{arrow}{}", signals::name(f), count(n))
                })
                .collect();
            parts.push(format!("forwarded {}", list.join(", ")));
        }
        if !self.dropped.is_empty() {
            let list: Vec<String> = self
                .dropped
                .iter()
                .map(|&(s, n)| format!("{}{}", signals::name(s), count(n)))
                .collect();
            parts.push(format!("dropped {}", list.join(", ")));
        }
        for &(sig, d) in &self.delayed {
            parts.push(format!(
                "delayed {} by {}",
                signals::name(sig),
                crate::units::show_duration(d)
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

impl Forwarder {
    pub fn new(policy: SignalPolicy, child: libc::pid_t, group: bool) -> Forwarder {
        Forwarder {
            policy,
            target: if group { -child } else { child },
            held: Vec::new(),
            tally: Tally::default(),
        }
    }

    /// A signal someone sent to pidone. Returns true when a terminating
    /// signal actually went out (which starts `--kill-after`).
    pub fn receive(&mut self, sig: Sig, now: Instant) -> bool {
        if let Some(delay) = self.policy.delay_for(sig) {
            if self.held.iter().any(|&(s, _)| s == sig) {
                log::debug!(
                    "SIG{} already held; not restarting its delay",
                    signals::name(sig)
                );
            } else {
                log::info!(
                    "holding SIG{} for {}",
                    signals::name(sig),
                    crate::units::show_duration(delay)
                );
                self.held.push((sig, now + delay));
                self.tally.delayed.push((sig, delay));
            }
            return false;
        }
        self.send(sig)
    }

    /// Sends the held signals whose delay is over; true as for [`Self::receive`].
    pub fn release_due(&mut self, now: Instant) -> bool {
        let mut terminating = false;
        while let Some(i) = self.held.iter().position(|&(_, due)| due <= now) {
            let (sig, _) = self.held.swap_remove(i);
            terminating |= self.send(sig);
        }
        terminating
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.held.iter().map(|&(_, due)| due).min()
    }

    /// The main child is gone: nothing held is owed to it any more.
    pub fn forget_held(&mut self) {
        self.held.clear();
    }

    /// What the grace period sends instead of TERM under `--rewrite`.
    pub fn rewritten(&self, sig: Sig) -> Option<Sig> {
        self.policy.rewritten(sig)
    }

    fn send(&mut self, sig: Sig) -> bool {
        let Some(out) = self.policy.rewritten(sig) else {
            log::info!("dropping SIG{} (--rewrite)", signals::name(sig));
            bump(&mut self.tally.dropped, sig);
            return false;
        };
        // With -g the program may have left its group (setsid, setpgid):
        // an empty group must not swallow the signal, so it still gets it.
        let sent = signals::send(self.target, out).or_else(|e| {
            if self.target < 0 && e.raw_os_error() == Some(libc::ESRCH) {
                signals::send(-self.target, out)
            } else {
                Err(e)
            }
        });
        match sent {
            Ok(()) => {
                log::debug!(
                    "forwarded SIG{} as SIG{} to {}",
                    signals::name(sig),
                    signals::name(out),
                    self.target
                );
                self.tally.forwarded(sig, out);
                signals::is_terminating(sig)
            }
            Err(e) => {
                log::debug!(
                    "cannot forward SIG{} to {}: {e}",
                    signals::name(out),
                    self.target
                );
                false
            }
        }
    }
}
