//! `--cap-drop` / `--cap-add`: the child's capability sets.

use super::ConfineError;

pub use ::caps::CapsHashSet;

pub struct CapPlan;

impl CapPlan {
    /// `None` when neither option was given: capabilities are left as they are.
    pub fn prepare(
        drop: &[String],
        add: &[String],
        _target_uid: Option<u32>,
    ) -> Result<Option<CapPlan>, ConfineError> {
        if drop.is_empty() && add.is_empty() {
            return Ok(None);
        }
        Err(ConfineError::new(
            "--cap-drop/--cap-add: not available in this build",
        ))
    }

    pub fn adds_any(&self) -> bool {
        false
    }

    pub fn apply(&self) -> Result<(), ConfineError> {
        Err(ConfineError::new(
            "--cap-drop/--cap-add: not available in this build",
        ))
    }
}

/// The capabilities the program will hold once it has been exec'd; seccomp
/// rules with a `caps` condition are judged against these, as Docker does.
pub fn held_at_exec(_plan: Option<&CapPlan>, _target_uid: Option<u32>) -> CapsHashSet {
    CapsHashSet::new()
}
