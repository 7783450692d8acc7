//! The two colon-separated databases a static binary must read by itself
//! (there is no NSS to ask): /etc/passwd and /etc/group.
//!
//! Lines that are empty, comments, NIS `+`/`-` markers or malformed are
//! skipped rather than fatal: one odd line must not make every user unknown.
//! The first matching entry wins, as with getpwnam(3).

/// One line of /etc/passwd: `name:password:uid:gid:gecos:home:shell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
}

/// One line of /etc/group: `name:password:gid:member,member,...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

fn records(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty() && !line.starts_with(['#', '+', '-']))
        .map(|line| line.split(':').collect::<Vec<_>>())
}

pub fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    records(text)
        .filter_map(|fields| match fields.as_slice() {
            [name, _password, uid, gid, _gecos, home, ..] if !name.is_empty() => {
                Some(PasswdEntry {
                    name: (*name).to_owned(),
                    uid: uid.parse().ok()?,
                    gid: gid.parse().ok()?,
                    home: (*home).to_owned(),
                })
            }
            _ => None,
        })
        .collect()
}

pub fn parse_group(text: &str) -> Vec<GroupEntry> {
    records(text)
        .filter_map(|fields| match fields.as_slice() {
            [name, _password, gid, rest @ ..] if !name.is_empty() => Some(GroupEntry {
                name: (*name).to_owned(),
                gid: gid.parse().ok()?,
                members: rest
                    .first()
                    .map(|m| {
                        m.split(',')
                            .map(str::trim)
                            .filter(|m| !m.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines_become_entries() {
        let text = "root:x:0:0:root:/root:/bin/bash\n\
                    # a comment\n\
                    \n\
                    nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\r\n\
                    alice:x:1000:1001:Alice A,,,:/home/alice:/bin/sh\n";
        let entries = parse_passwd(text);
        assert_eq!(
            entries,
            [
                PasswdEntry {
                    name: "root".into(),
                    uid: 0,
                    gid: 0,
                    home: "/root".into()
                },
                PasswdEntry {
                    name: "nobody".into(),
                    uid: 65534,
                    gid: 65534,
                    home: "/nonexistent".into()
                },
                PasswdEntry {
                    name: "alice".into(),
                    uid: 1000,
                    gid: 1001,
                    home: "/home/alice".into()
                },
            ]
        );
    }

    #[test]
    fn malformed_passwd_lines_are_skipped_not_fatal() {
        let text = "short:x:1\n\
                    badnum:x:12a:0::/:/bin/sh\n\
                    toobig:x:4294967296:0::/:/bin/sh\n\
                    :x:5:5::/:/bin/sh\n\
                    +nis::::::\n\
                    -other::::::\n\
                    ok:x:7:8::/home/ok:/bin/sh\n";
        let entries = parse_passwd(text);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "ok");
        assert_eq!((entries[0].uid, entries[0].gid), (7, 8));
    }

    #[test]
    fn a_missing_shell_is_tolerated_but_not_a_missing_home() {
        let entries = parse_passwd("svc:x:10:10::/srv\n");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].home, "/srv");
        assert!(parse_passwd("svc:x:10:10:\n").is_empty());
    }

    #[test]
    fn group_lines_become_entries_with_members() {
        let text = "root:x:0:\n\
                    staff:x:50:alice, bob ,\n\
                    audio:x:29:bob\n\
                    lonely:x:77\n\
                    broken:x:zz:alice\n";
        let groups = parse_group(text);
        assert_eq!(
            groups,
            [
                GroupEntry {
                    name: "root".into(),
                    gid: 0,
                    members: vec![]
                },
                GroupEntry {
                    name: "staff".into(),
                    gid: 50,
                    members: vec!["alice".into(), "bob".into()]
                },
                GroupEntry {
                    name: "audio".into(),
                    gid: 29,
                    members: vec!["bob".into()]
                },
                GroupEntry {
                    name: "lonely".into(),
                    gid: 77,
                    members: vec![]
                },
            ]
        );
    }
}
