"""The isolation steps, in the order they happen.

1. `enter_zygote_root` — once, in the zygote at start-up: a private mount namespace whose root is a
   read-only tmpfs holding only the interpreter's stdlib, the third-party packages (site-packages),
   system libraries and /dev/{null,zero,random,urandom}. No /proc, no /etc beyond the loader cache, no
   application code (the checkout, its data, the bot's environment). Then the zygote drops to an
   unprivileged uid (nobody) if it was started as root.
2. `settle_job_namespaces` — in the job process, which the zygote clones straight into new user/
   mount/pid/net/ipc/uts/cgroup namespaces (PID 1 of its own pid namespace): own session, our single
   uid mapped to 0, a fresh small tmpfs at /tmp.
3. `lock_down` — in the same process, right before untrusted code: rlimits, no capabilities,
   no_new_privs, not dumpable, seccomp.
"""

from __future__ import annotations

import os
import resource
import site
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass

from bot.sandbox import linux
from bot.sandbox.seccomp_filter import SeccompFilter

NOBODY = 65534
_BUILD_DIR = "/tmp"  # covered by our private tmpfs: nothing is written to the host's /tmp
#: The job's private writable directory (its cwd, HOME and TMPDIR). Normally /tmp; when the
#: interpreter or venv lives under /tmp (a checkout in /tmp), a tmpfs there would hide the packages,
#: so the scratch moves to /scratch. Set once per zygote by `enter_zygote_root`; children inherit it.
SCRATCH_DIR = "/tmp"
_DEVICES = ("null", "zero", "random", "urandom")
#: Packages hidden from numpy-only jails (a numpy task must not compute its answer with torch).
TORCH_PACKAGES = ("torch", "functorch", "torchgen")


@dataclass(frozen=True)
class JobLimits:
    cpu_s: int
    memory_mb: int
    file_size_mb: int = 8
    open_files: int = 64
    processes: int = 32
    tmp_size_mb: int = 16


def python_paths() -> list[str]:
    """Directories the interpreter imports from: stdlib, lib-dynload, site-packages."""
    paths = sysconfig.get_paths()
    wanted = [paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"]]
    wanted += site.getsitepackages()
    return [p for p in dict.fromkeys(os.path.realpath(p) for p in wanted) if os.path.isdir(p)]


def _covered(path: str, by: Iterable[str]) -> bool:
    return any(path == b or path.startswith(b.rstrip("/") + "/") for b in by)


def jail_binds() -> tuple[list[str], dict[str, str]]:
    """(directories to bind read-only at the same path, top-level symlinks to recreate)."""
    binds: list[str] = ["/usr"]
    links: dict[str, str] = {}
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            links[top] = os.readlink(top)
        elif os.path.isdir(top):
            binds.append(top)
    for path in python_paths():
        if not _covered(path, binds):
            binds.append(path)
    return binds, links


def _mkdirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def _bind(source: str, target: str, *, read_only: bool, nodev: bool = True) -> None:
    linux.mount(source, target, None, linux.MS_BIND | linux.MS_REC)
    flags = linux.MS_REMOUNT | linux.MS_BIND | linux.MS_NOSUID | (linux.MS_NODEV if nodev else 0)
    if read_only:
        flags |= linux.MS_RDONLY
    try:
        linux.mount(None, target, None, flags)
    except PermissionError:  # the source carries locked flags (rootless start): keep them
        linux.mount(None, target, None, flags | linux.MS_NOEXEC)


def enter_zygote_root(flavour: str) -> int:
    """Move this process into the minimal read-only root. Returns an fd of the host's /proc, which
    children need only to write their uid maps (and close before any untrusted code runs)."""
    proc_fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    global SCRATCH_DIR
    binds, links = jail_binds()
    SCRATCH_DIR = "/scratch" if any(_covered(b, ["/tmp"]) for b in binds) else "/tmp"
    site_dirs = [p for p in python_paths() if p.endswith("-packages")]
    os.umask(0o022)
    uid, gid = os.geteuid(), os.getegid()
    if uid == 0:
        linux.unshare(linux.CLONE_NEWNS)
    else:  # rootless start: become root of our own user namespace to build the mounts
        linux.unshare(linux.CLONE_NEWUSER | linux.CLONE_NEWNS)
        linux.write_id_maps(proc_fd, 0, uid, gid)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    # Hold every source open first: the build tmpfs may cover one of them (a checkout under /tmp).
    extra_files = [f for f in ("/etc/ld.so.cache",) if os.path.exists(f)]
    devices = [f"/dev/{name}" for name in _DEVICES]
    sources = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in (*binds, *extra_files, *devices)}

    def source(path: str) -> str:
        return f"/proc/self/fd/{sources[path]}"

    root = _BUILD_DIR
    linux.mount("tmpfs", root, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=1m,nr_inodes=4096,mode=755")
    for path in binds:
        _mkdirs(root + path)
        _bind(source(path), root + path, read_only=True)
    for link, target in links.items():
        os.symlink(target, root + link)
    if flavour != "torch":
        for site_dir in site_dirs:
            for name in TORCH_PACKAGES:
                hidden = f"{root}{site_dir}/{name}"
                if os.path.isdir(hidden):
                    linux.mount(
                        "tmpfs", hidden, "tmpfs", linux.MS_RDONLY | linux.MS_NOSUID, "size=4k,mode=555"
                    )
    for path in extra_files:
        _mkdirs(os.path.dirname(root + path))
        with open(root + path, "w"):
            pass
        _bind(source(path), root + path, read_only=True)
    _mkdirs(root + "/dev")
    for path in devices:
        with open(root + path, "w"):
            pass
        _bind(source(path), root + path, read_only=False, nodev=False)
    for fd in sources.values():
        os.close(fd)
    _mkdirs(root + SCRATCH_DIR)
    os.chmod(root + SCRATCH_DIR, 0o1777)
    os.mkdir(root + "/.old")
    os.chdir(root)
    linux.pivot_root(".", ".old")
    os.chdir("/")
    linux.umount2("/.old", linux.MNT_DETACH)
    os.rmdir("/.old")
    linux.mount(None, "/", None, linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV)
    if uid == 0:
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
        # Changing uid made us non-dumpable, which makes /proc/self root-owned: children could then not
        # write their uid maps. Nothing can attach to us anyway (seccomp denies ptrace in children).
        linux.prctl(linux.PR_SET_DUMPABLE, 1)
    linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    return proc_fd


def read_vm_size_bytes(proc_fd: int) -> int:
    fd = os.open("self/status", os.O_RDONLY, dir_fd=proc_fd)
    try:
        text = os.read(fd, 65536).decode()
    finally:
        os.close(fd)
    for line in text.splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


#: The namespaces each job's process is born into (see linux.fork_into_namespaces).
JOB_NAMESPACES = (
    linux.CLONE_NEWUSER | linux.CLONE_NEWNS | linux.CLONE_NEWPID | linux.CLONE_NEWNET
    | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS | linux.CLONE_NEWCGROUP
)  # fmt: skip


#: Limits of the job's own IPC namespace (per-namespace sysctls, owned by the job's user namespace on
#: kernels >= 5.19): defence in depth behind the seccomp filter, which denies these calls outright.
#: POSIX message queues are left to RLIMIT_MSGQUEUE 0 and the filter: touching the namespace's
#: fs/mqueue sysctls costs several milliseconds per job (measured), for no extra protection.
IPC_LIMITS = (
    ("sys/kernel/shmmni", "0"), ("sys/kernel/shmmax", "0"), ("sys/kernel/shmall", "0"),
    ("sys/kernel/msgmni", "0"), ("sys/kernel/msgmnb", "0"), ("sys/kernel/msgmax", "0"),
    ("sys/kernel/sem", "0 0 0 0"),
)  # fmt: skip


def limit_ipc_namespace(proc_fd: int) -> int:
    """Write IPC_LIMITS where the kernel lets the namespace owner; returns how many took effect."""
    applied = 0
    for name, value in IPC_LIMITS:
        try:
            fd = os.open(name, os.O_WRONLY, dir_fd=proc_fd)
        except OSError:
            continue
        try:
            os.write(fd, value.encode())
            applied += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return applied


def settle_job_namespaces(proc_fd: int, outer_uid: int, outer_gid: int, limits: JobLimits) -> None:
    """In the job process, just born into JOB_NAMESPACES: own session, our one uid mapped to 0, a
    private /tmp. `outer_uid/gid` are the zygote's ids (ours read as "nobody" until the map exists)."""
    os.setsid()  # kill(0) from inside must never reach the zygote's process group
    linux.write_id_maps(proc_fd, 0, outer_uid, outer_gid)
    linux.mount(
        "tmpfs", SCRATCH_DIR, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV,
        f"size={limits.tmp_size_mb}m,nr_inodes=512,mode=1777",
    )  # fmt: skip
    linux.sethostname("sandbox")
    limit_ipc_namespace(proc_fd)


def lock_down(limits: JobLimits, vm_base_bytes: int, seccomp: SeccompFilter) -> None:
    """The last steps before untrusted code. Order matters: capabilities go before seccomp."""
    mb = 1024 * 1024
    cpu = max(1, limits.cpu_s)
    for rlimit, value in (
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (vm_base_bytes + limits.memory_mb * mb,) * 2),
        (resource.RLIMIT_FSIZE, (limits.file_size_mb * mb,) * 2),
        (resource.RLIMIT_NOFILE, (limits.open_files,) * 2),
        (resource.RLIMIT_NPROC, (limits.processes,) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_MEMLOCK, (0, 0)),
        (resource.RLIMIT_MSGQUEUE, (0, 0)),
    ):
        resource.setrlimit(rlimit, value)
    linux.drop_all_capabilities()
    linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    linux.prctl(linux.PR_SET_DUMPABLE, 0)
    seccomp.load()
