//! `--cap-drop` / `--cap-add`: the child's capability sets.
//!
//! The program should hold what a user of `docker run --cap-drop/--cap-add`
//! expects, whatever the exec(2) rules do on the way:
//! - the starting point is what pidone itself could pass on: its bounding
//!   set. `--cap-drop` removes from it (`all`: everything), then `--cap-add`
//!   puts back (`all`: everything pidone holds). The result is the child's
//!   bounding set, which also limits any later setuid-root or file-capability
//!   exec.
//! - a root program gets the whole result as permitted and effective: exec
//!   gives uid 0 its bounding set anyway.
//! - a non-root program gets exactly the `--cap-add` capabilities, carried
//!   across exec in the inheritable and ambient sets (exec drops every other
//!   capability of a non-root process). Without `--cap-add` it has none.
//! - the inheritable set holds nothing but those ambient capabilities, so a
//!   program cannot pick up more from file capabilities.
//!
//! An added capability that pidone does not hold itself cannot be given:
//! that is an error, found in the parent before anything is started.

use std::str::FromStr;

use ::caps::{CapSet, Capability};

use super::ConfineError;

pub use ::caps::CapsHashSet;

/// Beyond the last capability index the kernel has, PR_CAPBSET_READ fails.
const MAX_CAP_INDEX: u8 = 63;

#[derive(Debug)]
pub struct CapPlan {
    /// The child's bounding set.
    bounding: CapsHashSet,
    /// Permitted and effective right before exec.
    held: CapsHashSet,
    /// Inheritable and ambient: what a non-root program keeps across exec.
    ambient: CapsHashSet,
    /// The program runs as uid 0.
    root: bool,
    /// The bounding set loses something, which takes CAP_SETPCAP.
    shrinks_bounding: bool,
    /// Capabilities newer than the `caps` crate stay in the bounding set
    /// unless `--cap-drop all` was given.
    keep_unknown: bool,
}

/// One `--cap-drop`/`--cap-add` word.
#[derive(Debug, PartialEq, Eq)]
enum CapWord {
    All,
    One(Capability),
}

/// `all`, `NET_ADMIN`, `cap_net_admin`, ...: case-insensitive, `CAP_` optional.
fn parse_word(option: &str, word: &str) -> Result<CapWord, ConfineError> {
    if word.eq_ignore_ascii_case("all") {
        return Ok(CapWord::All);
    }
    // ASCII only: `caps::to_canonical` would pull Unicode case tables into
    // the binary for names that are ASCII anyway.
    let upper = word.to_ascii_uppercase();
    let name = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    Capability::from_str(&name).map(CapWord::One).map_err(|_| {
        ConfineError::new(format!(
            "{option} {word}: unknown capability (expected a name such as NET_BIND_SERVICE, or all)"
        ))
    })
}

/// The named capabilities, and whether `all` was among them.
fn parse_words(option: &str, words: &[String]) -> Result<(bool, CapsHashSet), ConfineError> {
    let mut all = false;
    let mut named = CapsHashSet::new();
    for word in words {
        match parse_word(option, word)? {
            CapWord::All => all = true,
            CapWord::One(cap) => {
                named.insert(cap);
            }
        }
    }
    Ok((all, named))
}

fn read_own(set: CapSet) -> Result<CapsHashSet, ConfineError> {
    ::caps::read(None, set)
        .map_err(|e| ConfineError::new(format!("cannot read pidone's own capabilities: {e}")))
}

fn runs_as_root(target_uid: Option<u32>) -> bool {
    // SAFETY: geteuid cannot fail.
    target_uid.unwrap_or_else(|| unsafe { libc::geteuid() }) == 0
}

/// In index order, without a sort (which would cost the binary more than
/// this loop).
fn sorted_names(set: &CapsHashSet) -> String {
    let mut caps: Vec<Capability> = set.iter().copied().collect();
    let mut names = Vec::with_capacity(caps.len());
    for index in 0..=MAX_CAP_INDEX {
        if let Some(pos) = caps.iter().position(|c| c.index() == index) {
            names.push(caps.swap_remove(pos).to_string());
        }
    }
    names.join(", ")
}

/// The plan from pidone's own sets, so that it can be tested without them.
fn plan_from(
    drop: (bool, CapsHashSet),
    add: (bool, CapsHashSet),
    own_bounding: &CapsHashSet,
    own_permitted: &CapsHashSet,
    root: bool,
) -> Result<CapPlan, ConfineError> {
    let (drop_all, dropped) = drop;
    let (add_all, added) = add;
    // A root program gets its bounding set at exec even where pidone's
    // permitted set lacks it; anyone else only gets what can be handed over.
    let givable: CapsHashSet = if root {
        own_bounding.clone()
    } else {
        own_bounding.intersection(own_permitted).copied().collect()
    };
    let missing: CapsHashSet = added.difference(&givable).copied().collect();
    if !missing.is_empty() {
        return Err(ConfineError::new(format!(
            "--cap-add: pidone does not hold {} itself, so it cannot give it to the program",
            sorted_names(&missing)
        )));
    }
    let granted: CapsHashSet = if add_all { givable } else { added };
    let mut bounding: CapsHashSet = if drop_all {
        CapsHashSet::new()
    } else {
        own_bounding.difference(&dropped).copied().collect()
    };
    bounding.extend(granted.iter().copied());
    let shrinks_bounding = drop_all || bounding.len() < own_bounding.len();
    let keep_unknown = !drop_all;
    Ok(if root {
        CapPlan {
            held: bounding.intersection(own_permitted).copied().collect(),
            bounding,
            ambient: CapsHashSet::new(),
            root,
            shrinks_bounding,
            keep_unknown,
        }
    } else {
        CapPlan {
            held: granted.clone(),
            ambient: granted,
            bounding,
            root,
            shrinks_bounding,
            keep_unknown,
        }
    })
}

fn bounding_has(index: u8) -> Option<bool> {
    // SAFETY: PR_CAPBSET_READ only reads; a bad index is EINVAL.
    match unsafe { libc::prctl(libc::PR_CAPBSET_READ, libc::c_ulong::from(index), 0, 0, 0) } {
        1 => Some(true),
        0 => Some(false),
        _ => None,
    }
}

fn cap_name(index: u8) -> String {
    ::caps::all()
        .into_iter()
        .find(|c| c.index() == index)
        .map_or_else(|| format!("capability {index}"), |c| c.to_string())
}

fn set_error(what: &str, e: ::caps::errors::CapsError) -> ConfineError {
    ConfineError::new(format!("--cap-drop/--cap-add: cannot set the {what}: {e}"))
}

impl CapPlan {
    /// `None` when neither option was given: capabilities are left as they are.
    pub fn prepare(
        drop: &[String],
        add: &[String],
        target_uid: Option<u32>,
    ) -> Result<Option<CapPlan>, ConfineError> {
        if drop.is_empty() && add.is_empty() {
            return Ok(None);
        }
        let drop = parse_words("--cap-drop", drop)?;
        let add = parse_words("--cap-add", add)?;
        let bounding = read_own(CapSet::Bounding)?;
        let permitted = read_own(CapSet::Permitted)?;
        plan_from(drop, add, &bounding, &permitted, runs_as_root(target_uid)).map(Some)
    }

    /// True when the program is given any capability by `--cap-add` that it
    /// would otherwise lose with its uid.
    pub fn adds_any(&self) -> bool {
        !self.ambient.is_empty()
    }

    /// True when this step needs capabilities after the user switch: to give
    /// some (`--cap-add`) or to shrink the bounding set (CAP_SETPCAP).
    pub fn needs_caps_after_switch(&self) -> bool {
        self.adds_any() || self.shrinks_bounding
    }

    /// In the child, after the user switch.
    pub fn apply(&self) -> Result<(), ConfineError> {
        // After a switch that kept capabilities only the permitted set is
        // left; make it effective so that CAP_SETPCAP works below.
        let permitted =
            ::caps::read(None, CapSet::Permitted).map_err(|e| set_error("effective set", e))?;
        ::caps::set(None, CapSet::Effective, &permitted)
            .map_err(|e| set_error("effective set", e))?;

        // By index rather than by name, so that `--cap-drop all` also drops
        // capabilities newer than the `caps` crate.
        let keep: u64 = self.bounding.iter().fold(0, |m, c| m | c.bitmask());
        let known: u64 = ::caps::all().iter().fold(0, |m, c| m | c.bitmask());
        for index in 0..=MAX_CAP_INDEX {
            let bit = 1u64 << index;
            let wanted = keep & bit != 0 || (known & bit == 0 && self.keep_unknown);
            match bounding_has(index) {
                None => break,
                Some(true) if !wanted => {
                    // SAFETY: plain prctl on this thread.
                    let rc = unsafe {
                        libc::prctl(libc::PR_CAPBSET_DROP, libc::c_ulong::from(index), 0, 0, 0)
                    };
                    if rc != 0 {
                        return Err(ConfineError::new(format!(
                            "--cap-drop: cannot drop {} from the bounding set: {} (pidone needs CAP_SETPCAP)",
                            cap_name(index),
                            std::io::Error::last_os_error()
                        )));
                    }
                }
                Some(_) => {}
            }
        }

        // Inheritable before effective: raising it may take CAP_SETPCAP.
        ::caps::set(None, CapSet::Inheritable, &self.ambient)
            .map_err(|e| set_error("inheritable set", e))?;
        ::caps::set(None, CapSet::Effective, &self.held)
            .map_err(|e| set_error("effective set", e))?;
        ::caps::set(None, CapSet::Permitted, &self.held)
            .map_err(|e| set_error("permitted set", e))?;

        let no_ambient = ::caps::clear(None, CapSet::Ambient);
        if self.ambient.is_empty() {
            // A kernel without ambient capabilities has none to clear.
            return Ok(());
        }
        no_ambient.map_err(|e| set_error("ambient set", e))?;
        for cap in &self.ambient {
            ::caps::raise(None, CapSet::Ambient, *cap).map_err(|e| set_error("ambient set", e))?;
        }
        Ok(())
    }
}

/// The capabilities the program will hold in its effective set once it has
/// been exec'd; seccomp rules with a `caps` condition are judged against
/// these, as Docker does. A set pidone cannot read (it always can on Linux
/// with /proc) counts as empty: in Docker's profiles the rules for holders
/// of a capability are the wider ones.
pub fn held_at_exec(plan: Option<&CapPlan>, target_uid: Option<u32>) -> CapsHashSet {
    if let Some(plan) = plan {
        return if plan.root {
            plan.bounding.clone()
        } else {
            plan.ambient.clone()
        };
    }
    let read = |set| ::caps::read(None, set).unwrap_or_default();
    match target_uid {
        // The switch to another user without --cap-add leaves nothing.
        Some(uid) if uid != 0 => CapsHashSet::new(),
        // exec gives uid 0 its bounding set, plus whatever is inheritable.
        _ if runs_as_root(target_uid) => {
            let mut held = read(CapSet::Bounding);
            held.extend(read(CapSet::Inheritable));
            held
        }
        // Anyone else keeps only the ambient set.
        _ => read(CapSet::Ambient),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability::*;

    fn set(caps: &[Capability]) -> CapsHashSet {
        caps.iter().copied().collect()
    }

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    fn plan(drop: &[&str], add: &[&str], root: bool) -> Result<CapPlan, ConfineError> {
        let own = set(&[CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE, CAP_SETPCAP]);
        plan_from(
            parse_words("--cap-drop", &words(drop))?,
            parse_words("--cap-add", &words(add))?,
            &own,
            &own,
            root,
        )
    }

    #[test]
    fn names_are_case_insensitive_with_or_without_prefix() {
        for w in [
            "NET_BIND_SERVICE",
            "net_bind_service",
            "CAP_NET_BIND_SERVICE",
            "Cap_Net_Bind_Service",
        ] {
            assert_eq!(
                parse_word("--cap-add", w).unwrap(),
                CapWord::One(CAP_NET_BIND_SERVICE),
                "{w}"
            );
        }
        assert_eq!(parse_word("--cap-drop", "all").unwrap(), CapWord::All);
        assert_eq!(parse_word("--cap-drop", "ALL").unwrap(), CapWord::All);
        let e = parse_word("--cap-drop", "FLY").unwrap_err();
        assert!(e.0.contains("--cap-drop FLY"), "{e}");
        assert!(parse_word("--cap-add", "").is_err());
    }

    #[test]
    fn root_drop_all_leaves_nothing() {
        let p = plan(&["all"], &[], true).unwrap();
        assert!(p.bounding.is_empty() && p.held.is_empty() && p.ambient.is_empty());
        assert!(p.shrinks_bounding && !p.adds_any());
        assert!(held_at_exec(Some(&p), Some(0)).is_empty());
    }

    #[test]
    fn root_drop_all_add_one_keeps_that_one() {
        let p = plan(&["ALL"], &["kill"], true).unwrap();
        assert_eq!(p.bounding, set(&[CAP_KILL]));
        assert_eq!(p.held, set(&[CAP_KILL]));
        assert!(p.ambient.is_empty(), "root needs no ambient set");
        assert_eq!(held_at_exec(Some(&p), None), set(&[CAP_KILL]));
    }

    #[test]
    fn root_drop_some() {
        let p = plan(&["chown", "CAP_KILL"], &[], true).unwrap();
        assert_eq!(p.bounding, set(&[CAP_NET_BIND_SERVICE, CAP_SETPCAP]));
        assert_eq!(p.held, p.bounding);
    }

    #[test]
    fn non_root_gets_exactly_the_added_capabilities() {
        let p = plan(&[], &["NET_BIND_SERVICE"], false).unwrap();
        assert_eq!(p.ambient, set(&[CAP_NET_BIND_SERVICE]));
        assert_eq!(p.held, p.ambient);
        assert_eq!(p.bounding.len(), 4, "nothing dropped from the bounding set");
        assert!(p.adds_any() && !p.shrinks_bounding && p.needs_caps_after_switch());
        assert_eq!(
            held_at_exec(Some(&p), Some(1000)),
            set(&[CAP_NET_BIND_SERVICE])
        );
    }

    #[test]
    fn non_root_drop_only_still_needs_caps_to_shrink_bounding() {
        let p = plan(&["kill"], &[], false).unwrap();
        assert!(p.ambient.is_empty() && p.held.is_empty());
        assert!(!p.adds_any() && p.needs_caps_after_switch());
        assert!(held_at_exec(Some(&p), Some(1000)).is_empty());
    }

    #[test]
    fn add_all_gives_what_pidone_holds() {
        let p = plan(&["all"], &["all"], false).unwrap();
        assert_eq!(p.ambient.len(), 4);
        assert_eq!(p.bounding.len(), 4, "everything put back");
    }

    #[test]
    fn adding_what_pidone_lacks_is_an_error() {
        let e = plan(&[], &["SYS_ADMIN"], false).unwrap_err();
        assert!(e.0.contains("CAP_SYS_ADMIN"), "{e}");
        let e = plan(&["all"], &["sys_admin", "chown", "mknod"], true).unwrap_err();
        assert!(
            e.0.contains("CAP_SYS_ADMIN, CAP_MKNOD"),
            "in index order: {e}"
        );
    }

    #[test]
    fn a_bounding_only_capability_reaches_root_but_not_others() {
        let bounding = set(&[CAP_KILL, CAP_CHOWN]);
        let permitted = set(&[CAP_KILL]);
        let add = (false, set(&[CAP_CHOWN]));
        assert!(plan_from((true, set(&[])), add, &bounding, &permitted, true).is_ok());
        let add = (false, set(&[CAP_CHOWN]));
        assert!(plan_from((true, set(&[])), add, &bounding, &permitted, false).is_err());
    }

    #[test]
    fn no_options_no_plan() {
        assert!(CapPlan::prepare(&[], &[], None).unwrap().is_none());
    }

    #[test]
    fn switching_to_another_user_without_plan_leaves_nothing() {
        assert!(held_at_exec(None, Some(65534)).is_empty());
    }
}
