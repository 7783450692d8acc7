//! `--seccomp default`: pidone's own allowlist, kept as data to review.
//!
//! Everything not listed in [`ALLOWED`] fails with EPERM. The list lets
//! ordinary programs run (shells, coreutils, interpreters, servers); what it
//! leaves out on purpose is in [`DENIED`], which only serves review and the
//! tests. Names unknown on the running architecture are skipped, so one list
//! serves x86_64, aarch64 and the rest. Only the native architecture is
//! allowed: a 32-bit (x86, x32) system call kills the thread, since those
//! tables are a classic way around a filter.

use super::profile::{Action, Arg, Conditions, Op, Profile, Rule};

/// Errno for everything not allowed.
pub const EPERM: u16 = 1;
/// clone3 passes its flags in memory the filter cannot read, so it is
/// answered "not implemented" and libcs fall back to clone.
pub const ENOSYS: u16 = 38;

/// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
/// CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET: clone is allowed only
/// without any of these.
pub const CLONE_NAMESPACE_FLAGS: u64 = 0x7E02_0000;

/// personality(2) values allowed: PER_LINUX, PER_LINUX32, the query
/// 0xffffffff, and ADDR_NO_RANDOMIZE variants that debuggers and `setarch -R`
/// use.
pub const PERSONALITIES: &[u64] = &[0x0, 0x8, 0x2_0000, 0x2_0008, 0xffff_ffff];

#[rustfmt::skip]
/// System call names separated by spaces: one string rather than a table
/// of pointers keeps the binary small.
pub const ALLOWED: &str = concat!(
    // Reading and writing descriptors.
    "read write readv writev pread64 pwrite64 preadv pwritev ",
    "preadv2 pwritev2 lseek _llseek sendfile sendfile64 splice ",
    "tee vmsplice copy_file_range readahead ",
    // Opening and managing descriptors.
    "open openat openat2 creat close close_range dup dup2 ",
    "dup3 pipe pipe2 fcntl fcntl64 ioctl flock memfd_create ",
    "eventfd eventfd2 signalfd signalfd4 timerfd_create ",
    "timerfd_settime timerfd_gettime timerfd_settime64 timerfd_gettime64 ",
    "inotify_init inotify_init1 inotify_add_watch inotify_rm_watch ",
    "pidfd_open pidfd_send_signal ",
    // Syncing and sizing files.
    "fsync fdatasync sync syncfs sync_file_range truncate ",
    "ftruncate truncate64 ftruncate64 fallocate fadvise64 ",
    "fadvise64_64 ",
    // Looking at files.
    "stat fstat lstat stat64 fstat64 lstat64 newfstatat ",
    "fstatat64 statx statfs fstatfs statfs64 fstatfs64 access ",
    "faccessat faccessat2 readlink readlinkat getdents getdents64 ",
    "getcwd chdir fchdir getxattr lgetxattr fgetxattr listxattr ",
    "llistxattr flistxattr ",
    // Changing files (the kernel still checks permissions).
    "mkdir mkdirat rmdir unlink unlinkat rename renameat ",
    "renameat2 link linkat symlink symlinkat chmod fchmod ",
    "fchmodat fchmodat2 chown fchown lchown fchownat chown32 ",
    "fchown32 lchown32 umask utime utimes utimensat ",
    "utimensat_time64 futimesat mknod mknodat setxattr lsetxattr ",
    "fsetxattr removexattr lremovexattr fremovexattr ",
    // Memory.
    "brk mmap mmap2 munmap mremap mprotect madvise mincore ",
    "msync mlock mlock2 munlock mlockall munlockall membarrier ",
    "pkey_alloc pkey_free pkey_mprotect map_shadow_stack ",
    // Processes and threads (clone is below, with a condition).
    "execve execveat fork vfork exit exit_group wait4 waitid ",
    "waitpid getpid getppid gettid getpgid setpgid getpgrp ",
    "getsid setsid set_tid_address set_robust_list get_robust_list ",
    "rseq futex futex_time64 futex_waitv prctl arch_prctl ",
    "set_thread_area get_thread_area getcpu uname sysinfo ",
    "getrandom seccomp landlock_create_ruleset landlock_add_rule ",
    "landlock_restrict_self ",
    // Scheduling and limits.
    "sched_yield sched_getaffinity sched_setaffinity sched_getparam ",
    "sched_setparam sched_getscheduler sched_setscheduler ",
    "sched_get_priority_max sched_get_priority_min sched_rr_get_interval ",
    "sched_rr_get_interval_time64 sched_getattr sched_setattr ",
    "getpriority setpriority getrlimit setrlimit ugetrlimit ",
    "prlimit64 getrusage times ioprio_get ioprio_set ",
    // Identity (the kernel checks CAP_SETUID and friends).
    "getuid geteuid getgid getegid getuid32 geteuid32 getgid32 ",
    "getegid32 getresuid getresgid getresuid32 getresgid32 ",
    "getgroups getgroups32 setuid setgid setuid32 setgid32 ",
    "setreuid setregid setreuid32 setregid32 setresuid setresgid ",
    "setresuid32 setresgid32 setgroups setgroups32 setfsuid ",
    "setfsgid setfsuid32 setfsgid32 capget capset ",
    // Signals.
    "kill tkill tgkill rt_sigaction rt_sigprocmask rt_sigreturn ",
    "sigreturn rt_sigpending rt_sigsuspend rt_sigtimedwait ",
    "rt_sigtimedwait_time64 rt_sigqueueinfo rt_tgsigqueueinfo ",
    "sigaltstack pause alarm restart_syscall ",
    // Time (reading it and sleeping; setting the clock is denied).
    "clock_gettime clock_gettime64 clock_getres clock_getres_time64 ",
    "clock_nanosleep clock_nanosleep_time64 nanosleep gettimeofday ",
    "time getitimer setitimer timer_create timer_delete ",
    "timer_settime timer_gettime timer_settime64 timer_gettime64 ",
    "timer_getoverrun ",
    // Waiting for events.
    "poll ppoll ppoll_time64 select _newselect pselect6 ",
    "pselect6_time64 epoll_create epoll_create1 epoll_ctl epoll_wait ",
    "epoll_pwait epoll_pwait2 io_setup io_destroy io_submit ",
    "io_getevents io_pgetevents io_pgetevents_time64 io_cancel ",
    // Sockets.
    "socket socketpair socketcall bind connect listen accept ",
    "accept4 getsockname getpeername sendto recvfrom send recv ",
    "sendmsg recvmsg sendmmsg recvmmsg recvmmsg_time64 setsockopt ",
    "getsockopt shutdown ",
    // System V and POSIX IPC (namespaced with the container).
    "shmget shmat shmdt shmctl semget semop semtimedop ",
    "semtimedop_time64 semctl msgget msgsnd msgrcv msgctl ipc ",
    "mq_open mq_unlink mq_timedsend mq_timedsend_time64 ",
    "mq_timedreceive mq_timedreceive_time64 mq_notify mq_getsetattr ",
);

/// Left out on purpose: changing mounts, namespaces or the kernel, loading
/// code into it, reading other processes, the host's clock, name or swap.
#[cfg(test)] // Only for review and the tests: the default action denies them.
#[rustfmt::skip]
pub const DENIED: &str = concat!(
    // Mounts and roots.
    "mount umount umount2 pivot_root chroot mount_setattr ",
    "move_mount open_tree fsopen fsconfig fsmount fspick ",
    // Namespaces (clone with CLONE_NEW* flags too, see below).
    "unshare setns ",
    // Kernel code, keys and tracing.
    "bpf kexec_load kexec_file_load init_module finit_module ",
    "delete_module keyctl add_key request_key perf_event_open ",
    "lookup_dcookie syslog userfaultfd fanotify_init ",
    "io_uring_setup io_uring_enter io_uring_register ",
    // Other processes' memory.
    "ptrace process_vm_readv process_vm_writev process_madvise kcmp ",
    "pidfd_getfd ",
    // The host.
    "reboot swapon swapoff acct settimeofday stime ",
    "clock_settime clock_settime64 clock_adjtime clock_adjtime64 ",
    "adjtimex sethostname setdomainname iopl ioperm quotactl ",
    "quotactl_fd vhangup name_to_handle_at open_by_handle_at ",
    "nfsservctl uselib ustat sysfs _sysctl vm86 vm86old ",
    // NUMA placement of memory (host-wide effects).
    "mbind set_mempolicy get_mempolicy migrate_pages move_pages ",
);

fn names(list: &str) -> Vec<String> {
    list.split_ascii_whitespace().map(str::to_owned).collect()
}

fn allow(list: &str, args: Vec<Arg>) -> Rule {
    Rule {
        names: names(list),
        action: Action::Allow,
        args,
        includes: Conditions::default(),
        excludes: Conditions::default(),
    }
}

fn arg(index: u32, op: Op, value: u64, value_two: u64) -> Arg {
    Arg {
        index,
        value,
        value_two,
        op,
    }
}

/// The built-in allowlist as a profile, compiled like any other.
pub fn profile() -> Profile {
    // s390 passes clone's flags second.
    let flags_arg = if cfg!(target_arch = "s390x") { 1 } else { 0 };
    let mut rules = vec![
        allow(ALLOWED, Vec::new()),
        allow(
            "clone",
            vec![arg(flags_arg, Op::MaskedEq, CLONE_NAMESPACE_FLAGS, 0)],
        ),
        Rule {
            names: names("clone3"),
            action: Action::Errno(ENOSYS),
            args: Vec::new(),
            includes: Conditions::default(),
            excludes: Conditions::default(),
        },
    ];
    rules.extend(
        PERSONALITIES
            .iter()
            .map(|&p| allow("personality", vec![arg(0, Op::Eq, p, 0)])),
    );
    Profile {
        default_action: Action::Errno(EPERM),
        architectures: Vec::new(),
        arch_map: Vec::new(),
        rules,
        log: false,
        spec_allow: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &str) -> Vec<&str> {
        s.split_ascii_whitespace().collect()
    }

    #[test]
    fn allowed_and_denied_do_not_overlap() {
        let allowed = list(ALLOWED);
        for name in list(DENIED) {
            assert!(
                !allowed.contains(&name),
                "{name} is both allowed and denied"
            );
        }
        for name in ["clone", "clone3", "personality"] {
            assert!(!allowed.contains(&name), "{name} must stay conditional");
        }
        assert!(allowed.len() > 250, "the list lost its names");
    }

    #[test]
    fn no_duplicates() {
        let mut all: Vec<&str> = list(ALLOWED).into_iter().chain(list(DENIED)).collect();
        all.sort_unstable();
        let before = all.len();
        all.dedup();
        assert_eq!(before, all.len(), "a syscall is listed twice");
    }
}

#[cfg(test)]
mod known_names {
    use super::*;
    use libseccomp::{ScmpArch, ScmpSyscall};

    /// A typo would silently drop a system call from the list.
    #[test]
    fn every_name_is_a_system_call_somewhere() {
        let arches = [
            ScmpArch::X8664,
            ScmpArch::X86,
            ScmpArch::X32,
            ScmpArch::Aarch64,
            ScmpArch::Arm,
            ScmpArch::S390X,
            ScmpArch::Ppc64Le,
        ];
        let all = [ALLOWED, DENIED, "clone clone3 personality"].concat();
        for name in all.split_ascii_whitespace() {
            assert!(
                arches
                    .iter()
                    .any(|&a| ScmpSyscall::from_name_by_arch(name, a).is_ok()),
                "{name} is no system call libseccomp knows"
            );
        }
    }
}
