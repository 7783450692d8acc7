//! The seccomp profile parser on arbitrary bytes: it must return a profile
//! or one error line, never panic or hang. pidone is a binary crate, so the
//! parser's source (which needs only serde) is compiled in here directly.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/confine/seccomp/profile.rs"]
mod profile;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match profile::parse(data) {
        Ok(p) => {
            // Judge every rule the way pidone does, on a few hosts.
            let none = |_: &str| false;
            let all = |_: &str| true;
            for (arch, kernel, caps) in [
                ("amd64", (6, 1), &none as &dyn Fn(&str) -> bool),
                ("arm64", (4, 4), &all),
            ] {
                let host = profile::Host { arch, kernel, has_cap: caps };
                for rule in &p.rules {
                    let _ = rule.applies(&host);
                }
            }
        }
        Err(e) => assert!(!e.contains('\n'), "error is not one line: {e:?}"),
    }
});
