//! Where pidone's own cgroups are: /proc/self/cgroup names a path per
//! hierarchy, /proc/self/mountinfo says where each hierarchy is mounted (and
//! which part of it: a container may see only its own subtree).

use std::path::PathBuf;

/// One line of /proc/self/cgroup.
#[derive(Debug, PartialEq)]
pub struct Membership {
    /// Controllers bound to the hierarchy; empty for the v2 line `0::`.
    pub controllers: Vec<String>,
    pub path: String,
    pub unified: bool,
}

/// One cgroup filesystem in /proc/self/mountinfo.
#[derive(Debug, PartialEq)]
pub struct Mount {
    /// The directory of the hierarchy that is mounted (`/` unless a
    /// container sees only its subtree).
    pub root: String,
    pub point: PathBuf,
    pub unified: bool,
    /// Superblock options: the controllers of a v1 hierarchy, among others.
    pub options: Vec<String>,
}

pub fn memberships(text: &str) -> Vec<Membership> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let id = parts.next()?;
            let controllers = parts.next()?;
            let path = parts.next()?;
            Some(Membership {
                controllers: controllers
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
                path: path.to_owned(),
                unified: id == "0" && controllers.is_empty(),
            })
        })
        .collect()
}

pub fn cgroup_mounts(text: &str) -> Vec<Mount> {
    text.lines().filter_map(cgroup_mount).collect()
}

fn cgroup_mount(line: &str) -> Option<Mount> {
    let (before, after) = line.split_once(" - ")?;
    let mut fields = before.split(' ');
    let root = fields.nth(3)?;
    let point = fields.next()?;
    let mut tail = after.split(' ');
    let unified = match tail.next()? {
        "cgroup" => false,
        "cgroup2" => true,
        _ => return None,
    };
    let options = tail.nth(1).unwrap_or("");
    Some(Mount {
        root: unescape(root),
        point: PathBuf::from(unescape(point)),
        unified,
        options: options.split(',').map(str::to_owned).collect(),
    })
}

/// mountinfo writes space, tab, newline and backslash as `\ooo`.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).filter(|d| {
            bytes.get(i) == Some(&b'\\') && d.iter().all(|b| (b'0'..=b'7').contains(b))
        });
        match octal {
            Some(d) => {
                let v = d.iter().fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 4;
            }
            None => {
                out.push(bytes.get(i).copied().unwrap_or(b'?'));
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The directory of cgroup `path` under a mount of its hierarchy, if that
/// mount shows it.
fn under(mount: &Mount, path: &str) -> Option<PathBuf> {
    let rel = if mount.root == "/" {
        path.strip_prefix('/').unwrap_or(path)
    } else {
        let rest = path.strip_prefix(mount.root.as_str())?;
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        rest.trim_start_matches('/')
    };
    Some(if rel.is_empty() {
        mount.point.clone()
    } else {
        mount.point.join(rel)
    })
}

/// What pidone knows about its cgroups, read once.
pub struct Placement {
    pub memberships: Vec<Membership>,
    pub mounts: Vec<Mount>,
}

/// Why a controller's directory could not be found.
pub enum Missing {
    /// No hierarchy with this controller is mounted.
    NotMounted,
    /// Mounted, but pidone's own cgroup lies outside every mount of it.
    NotVisible { path: String },
}

impl Placement {
    pub fn read() -> std::io::Result<Placement> {
        let own = std::fs::read_to_string("/proc/self/cgroup")?;
        let mounts = std::fs::read_to_string("/proc/self/mountinfo")?;
        Ok(Placement {
            memberships: memberships(&own),
            mounts: cgroup_mounts(&mounts),
        })
    }

    /// True when some v1 hierarchy carrying `controller` is mounted.
    pub fn has_v1(&self, controller: &str) -> bool {
        self.mounts
            .iter()
            .any(|m| !m.unified && m.options.iter().any(|o| o == controller))
    }

    /// pidone's own cgroup in the v1 hierarchy of `controller`.
    pub fn v1_dir(&self, controller: &str) -> Result<PathBuf, Missing> {
        let carries = |m: &Mount| !m.unified && m.options.iter().any(|o| o == controller);
        let own = self
            .memberships
            .iter()
            .find(|m| !m.unified && m.controllers.iter().any(|c| c == controller))
            .ok_or(Missing::NotMounted)?;
        locate(self.mounts.iter().filter(|m| carries(m)), &own.path)
    }

    /// pidone's own cgroup in the unified (v2) hierarchy.
    pub fn v2_dir(&self) -> Result<PathBuf, Missing> {
        let own = self
            .memberships
            .iter()
            .find(|m| m.unified)
            .ok_or(Missing::NotMounted)?;
        locate(self.mounts.iter().filter(|m| m.unified), &own.path)
    }
}

/// `path` seen through the first of `mounts` that shows it.
fn locate<'a>(mounts: impl Iterator<Item = &'a Mount>, path: &str) -> Result<PathBuf, Missing> {
    let mut mounted = false;
    for mount in mounts {
        mounted = true;
        if let Some(dir) = under(mount, path) {
            return Ok(dir);
        }
    }
    if mounted {
        Err(Missing::NotVisible {
            path: path.to_string(),
        })
    } else {
        Err(Missing::NotMounted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const HYBRID: &str =
        "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/\n";

    const MOUNTS: &str = "\
30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
31 25 0:27 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
32 25 0:28 /docker/abc /sys/fs/cgroup/pids rw shared:5 master:2 - cgroup cgroup rw,pids
33 25 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate
34 25 0:30 / /my\\040dir rw - tmpfs tmpfs rw
";

    #[test]
    fn reads_memberships() {
        let m = memberships(HYBRID);
        assert_eq!(m.len(), 5);
        assert_eq!(m[2].controllers, ["memory"]);
        assert_eq!(m[2].path, "/process_api/abc");
        assert_eq!(m[3].controllers, ["cpu", "cpuacct"]);
        assert!(m[4].unified && !m[3].unified);
    }

    #[test]
    fn reads_mounts() {
        let m = cgroup_mounts(MOUNTS);
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].point, Path::new("/sys/fs/cgroup/cpu,cpuacct"));
        assert!(m[0].options.iter().any(|o| o == "cpuacct"));
        assert_eq!(m[2].root, "/docker/abc");
        assert!(m[3].unified);
        assert_eq!(unescape("/my\\040dir"), "/my dir");
        assert_eq!(unescape("a\\"), "a\\");
    }

    #[test]
    fn finds_directories() {
        let p = Placement {
            memberships: memberships(HYBRID),
            mounts: cgroup_mounts(MOUNTS),
        };
        let dir = |c| p.v1_dir(c).ok();
        assert_eq!(
            dir("memory"),
            Some(PathBuf::from("/sys/fs/cgroup/memory/process_api/abc"))
        );
        assert_eq!(
            dir("cpu"),
            Some(PathBuf::from("/sys/fs/cgroup/cpu,cpuacct/x"))
        );
        // pids: pidone is at / but only /docker/abc is mounted.
        assert!(matches!(p.v1_dir("pids"), Err(Missing::NotVisible { .. })));
        assert!(matches!(p.v1_dir("blkio"), Err(Missing::NotMounted)));
        assert_eq!(
            p.v2_dir().ok(),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
        assert!(p.has_v1("memory") && !p.has_v1("io"));
    }

    #[test]
    fn container_subtree() {
        let mount = Mount {
            root: "/docker/abc".into(),
            point: "/sys/fs/cgroup".into(),
            unified: true,
            options: vec![],
        };
        assert_eq!(under(&mount, "/docker/abc"), Some("/sys/fs/cgroup".into()));
        assert_eq!(
            under(&mount, "/docker/abc/init"),
            Some("/sys/fs/cgroup/init".into())
        );
        assert_eq!(under(&mount, "/docker/abcd"), None);
        assert_eq!(under(&mount, "/other"), None);
    }
}
