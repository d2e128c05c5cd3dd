"""The seccomp deny list for jailed children, built with libseccomp through ctypes.

Denied calls fail with EPERM (clone3 with ENOSYS so glibc falls back to clone for threads); syscalls
of foreign ABIs (x32, i386) kill the process — libseccomp's default for a native-only filter.
No network, no exec, no new processes (threads allowed), no
namespace or mount games, no tracing of other processes, no kernel attack surface we do not need.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_EQ = 4
SCMP_CMP_MASKED_EQ = 7
CLONE_THREAD = 0x00010000
PR_SET_PDEATHSIG = 1
F_SETPIPE_SZ = 1031
PROT_EXEC = 0x4
MREMAP_FIXED = 0x2


def scmp_act_errno(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


DENIED_SYSCALLS: tuple[str, ...] = (
    # network (the net namespace is empty as well)
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    # new programs and processes
    "execve", "execveat", "fork", "vfork",
    # tracing and peeking at other processes
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal",
    # namespaces, mounts, roots
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "fsopen", "fsmount", "fsconfig",
    "fspick", "move_mount", "open_tree", "mount_setattr",
    # kernel attack surface and host-wide state
    "bpf", "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key",
    "userfaultfd", "perf_event_open", "personality", "open_by_handle_at", "name_to_handle_at", "mknod",
    "mknodat", "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "iopl", "ioperm", "syslog", "vhangup", "lookup_dcookie", "uselib",
    "setpriority", "sched_setscheduler", "sched_setparam", "sched_setattr", "ioprio_set",
    # memory a job could hold outside its address-space limit (RLIMIT_AS sees none of it): System V
    # shared memory, message queues and semaphores, POSIX message queues, memfd files, pages gifted
    # to pipes, POSIX timers (kernel memory each, no rlimit), NUMA page moves
    "shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop",
    "semctl", "semtimedop", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
    "mq_getsetattr", "memfd_create", "memfd_secret", "vmsplice", "timer_create", "process_madvise",
    "move_pages", "migrate_pages",
    # watching the host: inotify/fanotify on the read-only binds show which programs the host runs
    "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_init",
    "fanotify_mark",
    # identity changes
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid",
    "setgroups", "capset",
)  # fmt: skip


class SeccompUnavailable(RuntimeError):
    pass


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def load_libseccomp() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as exc:
        raise SeccompUnavailable(
            "libseccomp is not installed (Debian/Ubuntu: apt-get install libseccomp2)"
        ) from exc
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(_ArgCmp),
    ]  # fmt: skip
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


class _Filter:
    """A libseccomp context that allows everything not denied; built once in the zygote."""

    def __init__(self) -> None:
        self._lib = load_libseccomp()
        ctx = self._lib.seccomp_init(SCMP_ACT_ALLOW)
        if not ctx:
            raise SeccompUnavailable("seccomp_init failed")
        self._ctx = ctx

    def _add(self, action: int, name: str, *conditions: _ArgCmp) -> None:
        number = self._lib.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            return  # not a syscall on this architecture
        array = (_ArgCmp * max(1, len(conditions)))(*conditions)
        rc = self._lib.seccomp_rule_add_array(self._ctx, action, number, len(conditions), array)
        if rc < 0:
            raise SeccompUnavailable(f"seccomp_rule_add({name}) failed: {rc}")

    def load(self) -> None:
        """Install the filter on the calling thread (and its future threads). Irreversible; filters
        stack, so a later one can only deny more."""
        rc = self._lib.seccomp_load(self._ctx)
        if rc < 0:
            raise SeccompUnavailable(f"seccomp_load failed: {rc}")


class SeccompFilter(_Filter):
    """Built once (in the zygote), loaded in each child right before untrusted code runs."""

    def __init__(self) -> None:
        super().__init__()
        eperm = scmp_act_errno(errno.EPERM)
        for name in DENIED_SYSCALLS:
            self._add(eperm, name)
        # clone: threads (CLONE_THREAD set) are fine, new processes are not.
        self._add(eperm, "clone", _ArgCmp(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0))
        # The zygote sets the job's parent-death signal before the filter: clearing it would let the job
        # outlive a killed zygote.
        self._add(eperm, "prctl", _ArgCmp(0, SCMP_CMP_EQ, PR_SET_PDEATHSIG, 0))
        # Bigger pipe buffers are kernel memory outside RLIMIT_AS.
        self._add(eperm, "fcntl", _ArgCmp(1, SCMP_CMP_EQ, F_SETPIPE_SZ, 0))
        # clone3 hides its flags in memory seccomp cannot read: make glibc fall back to clone.
        self._add(scmp_act_errno(errno.ENOSYS), "clone3")


class NoNewCodeFilter(_Filter):
    """Stacked on SeccompFilter once a job's code has been patched (the autograd ban): no memory can
    become executable any more, so patched code can be neither restored (by mapping the library's
    file over it again, or moving another mapping of it into place) nor replaced by injected code.
    Loading new C extensions needs executable mappings too: such jobs can import only what the zygote
    preloaded (the ban's zygote preloads every common stdlib extension)."""

    def __init__(self) -> None:
        super().__init__()
        eperm = scmp_act_errno(errno.EPERM)
        for name in ("mmap", "mprotect", "pkey_mprotect"):
            self._add(eperm, name, _ArgCmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC))
        self._add(eperm, "mremap", _ArgCmp(3, SCMP_CMP_MASKED_EQ, MREMAP_FIXED, MREMAP_FIXED))
        self._add(eperm, "remap_file_pages")
