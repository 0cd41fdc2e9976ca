"""What this machine lets the grader do, found out rather than assumed.

The Docker backend needs an engine; the kernel's process recorder needs root in the machine's
first user and PID namespaces with the right to load BPF programs. Inside Gradescope's or
PrairieLearn's grading container neither holds: Docker's default capabilities and seccomp
profile refuse new namespaces and BPF. `zombielab environment` prints what was found, so that
course staff can run it on the platform and see which backend would grade there.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .engine import engine_answers

# capability(7)'s numbering: bit N of /proc/PID/status's CapEff is CAPABILITIES[N].
CAPABILITIES = (
    "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP "
    "LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER "
    "SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE "
    "SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP "
    "MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF "
    "CHECKPOINT_RESTORE").split()
SECCOMP_MODES = {"0": "off", "1": "strict", "2": "filter"}
# The inode numbers the kernel gives its first namespaces (include/linux/proc_ns.h); a
# container's own namespaces get others.
FIRST_NAMESPACES = {"user": 0xEFFFFFFD, "pid": 0xEFFFFFFC}
# Where a process's own pids limit shows: a container sees its cgroup as the root of these.
PIDS_MAX_FILES = ("/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/pids.max")


@dataclass(frozen=True)
class Environment:
    engine: bool                   # a Docker engine answers
    root: bool                     # the grader runs as uid 0
    capabilities: frozenset[str]   # its effective capabilities, without the CAP_ prefix
    seccomp: str                   # off, strict or filter (a container's profile)
    namespaces: bool               # it may make a user and a PID namespace (unshare -Up)
    first_namespaces: bool         # it is in the machine's first user and PID namespaces
    pid1: str                      # the command name of its PID namespace's PID 1
    pids_max: str | None           # the pids limit of its own cgroup, if it has one

    @property
    def recorder(self) -> bool:
        """Whether the kernel's process recorder (bpftrace, grader/recorder.py) can run here,
        or in a helper container, which needs an engine."""
        bpf = "SYS_ADMIN" in self.capabilities or {"BPF", "PERFMON"} <= self.capabilities
        return self.engine or (self.root and self.first_namespaces and bpf)

    @property
    def backend(self) -> str:
        return "docker" if self.engine else "engine-free"

    @property
    def summary(self) -> str:
        """What bears on a grading's fidelity, in a line (for its results)."""
        return (f"{'root' if self.root else f'uid {os.geteuid()}'}, seccomp {self.seccomp}, "
                f"new namespaces {'allowed' if self.namespaces else 'refused'}, "
                f"PID 1 {self.pid1}, pids limit {self.pids_max or 'none'}")

    def described(self) -> list[str]:
        caps = "all" if self.capabilities >= set(CAPABILITIES) else \
            ", ".join(sorted(self.capabilities)) or "none"
        return [
            f"Docker engine:        {'answers' if self.engine else 'none'}",
            f"grader's user:        {'root' if self.root else f'uid {os.geteuid()}'}",
            f"capabilities:         {caps}",
            f"seccomp:              {self.seccomp}",
            f"new namespaces:       {'allowed' if self.namespaces else 'refused'}",
            f"first namespaces:     {'yes' if self.first_namespaces else 'no (in a container)'}",
            f"PID 1:                {self.pid1}",
            f"own pids limit:       {self.pids_max or 'none'}",
            f"process recorder:     {'can run' if self.recorder else 'cannot run'}",
            f"backend:              {self.backend}",
        ]


def capabilities(status: str) -> frozenset[str]:
    """The effective capabilities in the text of a /proc/PID/status."""
    found = re.search(r"^CapEff:\s*([0-9a-f]+)$", status, re.M)
    bits = int(found.group(1), 16) if found else 0
    return frozenset(name for n, name in enumerate(CAPABILITIES) if bits >> n & 1)


def seccomp_mode(status: str) -> str:
    found = re.search(r"^Seccomp:\s*(\d)$", status, re.M)
    return SECCOMP_MODES.get(found.group(1), "unknown") if found else "unknown"


def detect() -> Environment:
    status = Path("/proc/self/status").read_text()
    return Environment(
        engine=engine_answers(timeout=3.0),
        root=os.geteuid() == 0,
        capabilities=capabilities(status),
        seccomp=seccomp_mode(status),
        namespaces=_can_unshare(),
        first_namespaces=all(os.stat(f"/proc/self/ns/{ns}").st_ino == inode
                             for ns, inode in FIRST_NAMESPACES.items()),
        pid1=_read("/proc/1/comm") or "unknown",
        pids_max=next(filter(None, map(_read, PIDS_MAX_FILES)), None),
    )


def _can_unshare() -> bool:
    """Try it: only the kernel and the seccomp profile know (Docker's default profile refuses
    unshare without CAP_SYS_ADMIN; some hosts turn unprivileged user namespaces off)."""
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "--user", "--pid", "--fork", "true"], timeout=10,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None
