//! `--user USER[:GROUP]`: resolving names from /etc/passwd and /etc/group in
//! the parent, switching groups and ids in the child.
//!
//! What a user of su-exec or gosu expects:
//! - USER and GROUP are names or numbers; a number need not exist in the
//!   files. A numeric user found in /etc/passwd takes its primary group and
//!   home from there; one that is not found keeps the group pidone runs with.
//! - Without GROUP: the user's primary group, plus the supplementary groups
//!   that list the user by name in /etc/group. With GROUP: that group alone.
//!   pidone's own supplementary groups never reach the program.
//! - `HOME` becomes the user's home (`/` when it has none) when pidone's own
//!   `HOME` was unset or root's; a `HOME` chosen on purpose is left alone.

mod passwd;

use std::ffi::{OsStr, OsString};
use std::io;

use nix::errno::Errno;

use self::passwd::{GroupEntry, PasswdEntry};
use super::ConfineError;

const PASSWD: &str = "/etc/passwd";
const GROUP: &str = "/etc/group";

#[derive(Debug)]
pub struct Identity {
    pub uid: u32,
    gid: u32,
    groups: Vec<u32>,
    /// The `HOME` to give the program; `None` leaves pidone's own.
    home: Option<OsString>,
}

/// A user or group as written on the command line.
#[derive(Debug, PartialEq, Eq)]
enum Who<'a> {
    Id(u32),
    Name(&'a str),
}

impl<'a> Who<'a> {
    fn parse(word: &'a str) -> Result<Who<'a>, String> {
        if word.bytes().all(|b| b.is_ascii_digit()) {
            // -1 means "leave unchanged" to setuid(2) and friends.
            match word.parse::<u32>() {
                Ok(id) if id != u32::MAX => Ok(Who::Id(id)),
                _ => Err(format!("'{word}' is not a valid id (0 to 4294967294)")),
            }
        } else {
            Ok(Who::Name(word))
        }
    }
}

/// `USER`, `USER:GROUP`, or `USER:` (same as `USER`).
fn parse_spec(spec: &str) -> Result<(Who<'_>, Option<Who<'_>>), String> {
    let (user, group) = match spec.split_once(':') {
        Some((user, group)) => (user, Some(group).filter(|g| !g.is_empty())),
        None => (spec, None),
    };
    if user.is_empty() {
        return Err("no user given (expected USER or USER:GROUP)".into());
    }
    if group.is_some_and(|g| g.contains(':')) {
        return Err("too many ':' (expected USER or USER:GROUP)".into());
    }
    Ok((Who::parse(user)?, group.map(Who::parse).transpose()?))
}

/// The contents of /etc/passwd and /etc/group; a missing file is empty.
struct Databases {
    users: Vec<PasswdEntry>,
    groups: Vec<GroupEntry>,
}

impl Databases {
    fn read() -> Result<Databases, String> {
        Ok(Databases {
            users: passwd::parse_passwd(&read_or_empty(PASSWD)?),
            groups: passwd::parse_group(&read_or_empty(GROUP)?),
        })
    }
}

fn read_or_empty(path: &str) -> Result<String, String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(format!("cannot read {path}: {e}")),
    }
}

/// Works out the identity from the spec and the databases; `own_home` is
/// pidone's `HOME`, `own_gid` the group it runs with.
fn resolve_in(
    spec: &str,
    db: &Databases,
    own_home: Option<&OsStr>,
    own_gid: u32,
) -> Result<Identity, String> {
    let (user, group) = parse_spec(spec)?;
    let (uid, entry) = match user {
        Who::Name(name) => {
            let e = db.users.iter().find(|e| e.name == name).ok_or_else(|| {
                format!("no user '{name}' in {PASSWD} (add it to the image, or give a uid)")
            })?;
            (e.uid, Some(e))
        }
        Who::Id(uid) => (uid, db.users.iter().find(|e| e.uid == uid)),
    };
    let (gid, groups) = match group {
        Some(Who::Id(gid)) => (gid, Vec::new()),
        Some(Who::Name(name)) => {
            let g = db.groups.iter().find(|g| g.name == name).ok_or_else(|| {
                format!("no group '{name}' in {GROUP} (add it to the image, or give a gid)")
            })?;
            (g.gid, Vec::new())
        }
        None => match entry {
            Some(e) => (e.gid, supplementary(&db.groups, &e.name)),
            None => (own_gid, Vec::new()),
        },
    };
    if uid == u32::MAX || gid == u32::MAX {
        // To the set*id calls -1 means "unchanged": the program would run
        // as root.
        return Err(format!(
            "id 4294967295 (-1) in {PASSWD} or {GROUP} cannot be used"
        ));
    }
    let user_home = entry.map_or("/", |e| e.home.as_str());
    let user_home = if user_home.is_empty() { "/" } else { user_home };
    if user_home.contains('\0') {
        return Err(format!(
            "the home of user {uid} in {PASSWD} holds a NUL byte"
        ));
    }
    let root_home = db
        .users
        .iter()
        .find(|e| e.uid == 0)
        .map_or("/root", |e| e.home.as_str());
    let home = match own_home {
        None => true,
        Some(h) => h == OsStr::new(root_home) || h == OsStr::new("/root"),
    }
    .then(|| OsString::from(user_home));
    Ok(Identity {
        uid,
        gid,
        groups,
        home,
    })
}

/// The gids of the groups that list `name` as a member, each once.
fn supplementary(groups: &[GroupEntry], name: &str) -> Vec<u32> {
    let mut gids = Vec::new();
    for g in groups {
        if g.members.iter().any(|m| m == name) && !gids.contains(&g.gid) {
            gids.push(g.gid);
        }
    }
    gids
}

fn switch_error(what: &str, e: Errno) -> ConfineError {
    let hint = if e == Errno::EPERM {
        " (--user needs pidone to run as root, or with CAP_SETUID and CAP_SETGID)"
    } else {
        ""
    };
    ConfineError::new(format!("--user: cannot set {what}: {}{hint}", e.desc()))
}

fn checked(rc: libc::c_int) -> Result<(), Errno> {
    if rc == 0 { Ok(()) } else { Err(Errno::last()) }
}

fn own_gid() -> u32 {
    // SAFETY: getgid cannot fail.
    unsafe { libc::getgid() }
}

impl Identity {
    /// In the parent: reads /etc/passwd and /etc/group (a static binary has
    /// no NSS to ask).
    pub fn resolve(spec: &str) -> Result<Identity, ConfineError> {
        let db = Databases::read().map_err(|e| ConfineError::new(format!("--user {spec}: {e}")))?;
        let own_home = std::env::var_os("HOME");
        resolve_in(spec, &db, own_home.as_deref(), own_gid())
            .map_err(|e| ConfineError::new(format!("--user {spec}: {e}")))
    }

    /// In the child: groups, gid, then uid (the uid last, since it takes the
    /// right to change the others away). `keep_caps`: keep permitted
    /// capabilities across the uid change so that the capability step can
    /// still shape the sets and grant `--cap-add`.
    pub fn switch(&self, keep_caps: bool) -> Result<(), ConfineError> {
        // SAFETY: plain system calls on this process; the slice outlives
        // the setgroups call that reads it.
        checked(unsafe { libc::setgroups(self.groups.len(), self.groups.as_ptr()) })
            .map_err(|e| switch_error("the supplementary groups", e))?;
        let gid = self.gid;
        checked(unsafe { libc::setresgid(gid, gid, gid) })
            .map_err(|e| switch_error("the group id", e))?;
        if keep_caps {
            ::caps::securebits::set_keepcaps(true)
                .map_err(|e| ConfineError::new(format!("--user: cannot keep capabilities: {e}")))?;
        }
        let uid = self.uid;
        // SAFETY: as above.
        checked(unsafe { libc::setresuid(uid, uid, uid) })
            .map_err(|e| switch_error("the user id", e))?;
        if let Some(home) = &self.home {
            // SAFETY: this runs in the child between fork and exec, and
            // pidone is single-threaded, so nothing else can read or write
            // the environment at the same time. The value holds no NUL
            // (checked in resolve_in).
            unsafe { std::env::set_var("HOME", home) };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Databases {
        Databases {
            users: passwd::parse_passwd(
                "root:x:0:0:root:/root:/bin/sh\n\
                 nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
                 alice:x:1000:1000:Alice:/home/alice:/bin/sh\n\
                 bob:x:1001:1001::/home/bob:/bin/sh\n\
                 homeless:x:1002:1002:::/bin/sh\n\
                 4242:x:3000:3000::/home/digits:/bin/sh\n",
            ),
            groups: passwd::parse_group(
                "root:x:0:\n\
                 nogroup:x:65534:\n\
                 alice:x:1000:\n\
                 staff:x:50:alice,bob\n\
                 audio:x:29:alice\n\
                 staff-again:x:50:alice\n\
                 video:x:44:bob\n",
            ),
        }
    }

    fn resolve(spec: &str) -> Result<Identity, String> {
        resolve_in(spec, &db(), Some(OsStr::new("/root")), 0)
    }

    #[test]
    fn spec_forms() {
        assert_eq!(parse_spec("alice"), Ok((Who::Name("alice"), None)));
        assert_eq!(parse_spec("1000"), Ok((Who::Id(1000), None)));
        assert_eq!(parse_spec("1000:"), Ok((Who::Id(1000), None)));
        assert_eq!(
            parse_spec("1000:1000"),
            Ok((Who::Id(1000), Some(Who::Id(1000))))
        );
        assert_eq!(
            parse_spec("nobody:nogroup"),
            Ok((Who::Name("nobody"), Some(Who::Name("nogroup"))))
        );
        assert_eq!(
            parse_spec("alice:50"),
            Ok((Who::Name("alice"), Some(Who::Id(50))))
        );
        assert!(parse_spec("").is_err());
        assert!(parse_spec(":staff").is_err());
        assert!(parse_spec("a:b:c").is_err());
        assert!(parse_spec("4294967295").is_err());
        assert!(parse_spec("99999999999").is_err());
        assert_eq!(parse_spec("4294967294"), Ok((Who::Id(4294967294), None)));
    }

    #[test]
    fn named_user_gets_primary_and_supplementary_groups() {
        let id = resolve("alice").unwrap();
        assert_eq!((id.uid, id.gid), (1000, 1000));
        assert_eq!(id.groups, [50, 29], "listed groups, each gid once");
        assert_eq!(id.home.as_deref(), Some(OsStr::new("/home/alice")));
    }

    #[test]
    fn numeric_user_in_passwd_is_looked_up_like_a_name() {
        let id = resolve("1001").unwrap();
        assert_eq!((id.uid, id.gid), (1001, 1001));
        assert_eq!(id.groups, [50, 44]);
        assert_eq!(id.home.as_deref(), Some(OsStr::new("/home/bob")));
    }

    #[test]
    fn all_digit_words_are_ids_not_names() {
        let id = resolve("4242").unwrap();
        assert_eq!(id.uid, 4242);
        assert_eq!(id.home.as_deref(), Some(OsStr::new("/")));
    }

    #[test]
    fn explicit_group_replaces_primary_and_supplementary() {
        let id = resolve("alice:video").unwrap();
        assert_eq!((id.uid, id.gid), (1000, 44));
        assert!(id.groups.is_empty());
        let id = resolve("nobody:nogroup").unwrap();
        assert_eq!((id.uid, id.gid), (65534, 65534));
        assert!(id.groups.is_empty());
        let id = resolve("65534:65534").unwrap();
        assert_eq!((id.uid, id.gid), (65534, 65534));
        assert!(id.groups.is_empty());
    }

    #[test]
    fn unknown_numeric_user_keeps_pidones_group_and_gets_slash_home() {
        let id = resolve_in("7777", &db(), None, 123).unwrap();
        assert_eq!((id.uid, id.gid), (7777, 123));
        assert!(id.groups.is_empty());
        assert_eq!(id.home.as_deref(), Some(OsStr::new("/")));
        let id = resolve("7777:8888").unwrap();
        assert_eq!((id.uid, id.gid), (7777, 8888));
    }

    #[test]
    fn unknown_names_are_errors_naming_the_file() {
        let e = resolve("mallory").unwrap_err();
        assert!(e.contains("mallory") && e.contains("/etc/passwd"), "{e}");
        let e = resolve("alice:wheel").unwrap_err();
        assert!(e.contains("wheel") && e.contains("/etc/group"), "{e}");
        let e = resolve("7777:wheel").unwrap_err();
        assert!(e.contains("wheel"), "{e}");
    }

    #[test]
    fn home_is_replaced_only_when_unset_or_roots() {
        let d = db();
        let id = resolve_in("alice", &d, None, 0).unwrap();
        assert_eq!(id.home.as_deref(), Some(OsStr::new("/home/alice")));
        let id = resolve_in("alice", &d, Some(OsStr::new("/root")), 0).unwrap();
        assert_eq!(id.home.as_deref(), Some(OsStr::new("/home/alice")));
        let id = resolve_in("alice", &d, Some(OsStr::new("/srv/app")), 0).unwrap();
        assert_eq!(id.home, None);
        let id = resolve_in("homeless", &d, None, 0).unwrap();
        assert_eq!(id.home.as_deref(), Some(OsStr::new("/")));
    }

    #[test]
    fn minus_one_from_the_files_is_refused() {
        let d = Databases {
            users: passwd::parse_passwd("odd:x:4294967295:5::/:/bin/sh\nodd2:x:5:4294967295::/:\n"),
            groups: passwd::parse_group("oddg:x:4294967295:\n"),
        };
        assert!(resolve_in("odd", &d, None, 0).is_err());
        assert!(resolve_in("odd2", &d, None, 0).is_err());
        assert!(resolve_in("5:oddg", &d, None, 0).is_err());
    }

    #[test]
    fn roots_home_comes_from_passwd() {
        let d = Databases {
            users: passwd::parse_passwd(
                "root:x:0:0::/var/root:/bin/sh\nu:x:5:5::/home/u:/bin/sh\n",
            ),
            groups: Vec::new(),
        };
        let id = resolve_in("u", &d, Some(OsStr::new("/var/root")), 0).unwrap();
        assert_eq!(id.home.as_deref(), Some(OsStr::new("/home/u")));
    }
}
