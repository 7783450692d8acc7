//! Shared harness for the whole-binary tests: run pidone as PID 1 of a new
//! PID namespace (or as a plain subreaper), talk to it with signals, read
//! what the program printed, and never hang.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn pidone() -> &'static str {
    env!("CARGO_BIN_EXE_pidone")
}

/// tests/helpers/NAME.
pub fn helper(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/helpers")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pidone-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// True when this machine can make PID namespaces; otherwise says why the
/// calling test is skipped.
pub fn can_unshare(test: &str) -> bool {
    let ok = Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "true"])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("SKIP {test}: cannot create a PID namespace here (needs root and unshare)");
    }
    ok
}

/// `unshare --pid --fork --mount-proc pidone ARGS...`: pidone is PID 1.
pub fn as_pid1<S: AsRef<str>>(args: &[S]) -> Command {
    let mut cmd = Command::new("unshare");
    cmd.args(["--pid", "--fork", "--mount-proc", "--kill-child", pidone()]);
    cmd.args(args.iter().map(|a| a.as_ref()));
    cmd
}

/// pidone ARGS... as a plain process (a subreaper, not PID 1).
pub fn as_subreaper<S: AsRef<str>>(args: &[S]) -> Command {
    let mut cmd = Command::new(pidone());
    cmd.args(args.iter().map(|a| a.as_ref()));
    cmd
}

#[derive(Debug)]
pub struct Outcome {
    /// The exit code, or 128+signal if the process was killed.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs to completion, at most `TIMEOUT`.
pub fn run(cmd: Command) -> Outcome {
    Live::start(cmd).finish()
}

/// A running pidone whose stdout lines can be awaited one by one.
pub struct Live {
    child: Child,
    lines: Receiver<String>,
    stderr: Receiver<String>,
    seen: Vec<String>,
}

impl Live {
    pub fn start(mut cmd: Command) -> Live {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (etx, stderr) = mpsc::channel();
        let mut err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            let _ = etx.send(s);
        });
        Live {
            child,
            lines,
            stderr,
            seen: Vec::new(),
        }
    }

    /// The pid of the process started (pidone itself, or unshare).
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// pidone's pid as seen from here: unshare's only child, or the
    /// process itself when run without unshare.
    pub fn pidone_pid(&self) -> i32 {
        let me = self.pid();
        let exe = std::fs::read_link(format!("/proc/{me}/exe")).unwrap_or_default();
        if exe.to_string_lossy().contains("pidone") {
            return me;
        }
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            let path = format!("/proc/{me}/task/{me}/children");
            if let Ok(text) = std::fs::read_to_string(&path) {
                if let Some(pid) = text.split_whitespace().next().and_then(|p| p.parse().ok()) {
                    return pid;
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("pidone never started under unshare");
    }

    /// Waits for a stdout line containing `needle`; returns it.
    pub fn expect_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => {
                    self.kill();
                    panic!("no line containing {needle:?}; saw {:?}", self.seen);
                }
            }
        }
    }

    pub fn signal(&self, pid: i32, sig: i32) {
        // SAFETY: plain kill(2).
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0, "kill({pid}, {sig})");
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the exit (at most `TIMEOUT`) and collects the output.
    pub fn finish(mut self) -> Outcome {
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("timed out after {TIMEOUT:?}; stdout so far {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let mut stdout = self.seen.join("\n");
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            if !stdout.is_empty() {
                stdout.push('\n');
            }
            stdout.push_str(&line);
        }
        let stderr = self
            .stderr
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default();
        let code = status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
        Outcome {
            code,
            stdout,
            stderr,
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// `Key:\tvalue` from /proc/PID/status text.
pub fn status_field<'a>(status: &'a str, key: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}
