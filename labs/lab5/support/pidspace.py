"""Where the kernel says how many PIDs there may be: for Lab 5's demos and harness inside the
container (import it from /opt/zombielab/lab), and for the grader, which computes pid_max's
bounds from the same files read through its probe (each function takes the reader to use).

- The bounds of kernel.pid_max (kernel/pid.c, pid_idr_init): at least max(301, 8 per possible
  CPU), at most 4194304 (2^22) on 64-bit; the default is 32768, or 1024 per possible CPU where
  that is more. "Possible" CPUs are those the machine could ever bring online: the ranges
  listed in /sys/devices/system/cpu/possible ("0-3", "0,2-5").
- The pids cgroup of this container: a hierarchy of its own, /sys/fs/cgroup/pids, under cgroup
  v1; the unified /sys/fs/cgroup under cgroup v2 (with the container's own cgroup namespace,
  Docker's default there).

And, for the demos, setting a PID namespace's own pid_max and using up PIDs with zombies.
"""
import os
import re
import sys

RESERVED_PIDS = 300           # after a wrap-around, PIDs are handed out from 300 up
PID_MAX_LIMIT = 4194304       # 64-bit kernels
PID_MAX_DEFAULT = 32768
PIDS_PER_CPU_MIN = 8
PIDS_PER_CPU_DEFAULT = 1024
POSSIBLE_CPUS = "/sys/devices/system/cpu/possible"
PID_MAX = "/proc/sys/kernel/pid_max"
PIDS_CGROUPS = {"/sys/fs/cgroup/pids": "cgroup v1", "/sys/fs/cgroup": "cgroup v2"}


def read_here(path: str) -> str | None:
    """A file's text on this machine, or None if there is no such file."""
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None


def possible_cpus(read=read_here) -> int:
    """How many CPUs the kernel counts as possible: the sum of the listed ranges."""
    ranges = (part.partition("-") for part in read(POSSIBLE_CPUS).strip().split(","))
    return sum(int(last) - int(first) + 1 if last else 1 for first, _, last in ranges)


def smallest_pid_max(read=read_here) -> int:
    """The smallest kernel.pid_max the kernel accepts here (a smaller one is EINVAL)."""
    return max(RESERVED_PIDS + 1, PIDS_PER_CPU_MIN * possible_cpus(read))


def default_pid_max(read=read_here) -> int:
    """The pid_max a 64-bit kernel boots with here, before any sysctl file changes it."""
    return min(PID_MAX_LIMIT, max(PID_MAX_DEFAULT, PIDS_PER_CPU_DEFAULT * possible_cpus(read)))


def pids_cgroup(read=read_here) -> str | None:
    """The folder of this container's pids cgroup files (pids.max, pids.current, ...), or None
    if it has none (a process outside any container, in the root cgroup)."""
    return next((folder for folder in PIDS_CGROUPS if read(f"{folder}/pids.max") is not None), None)


def forks_refused_by_pids_limit(read=read_here) -> int:
    """How many forks the pids cgroup has refused so far (pids.events, "max N"); 0 without one."""
    folder = pids_cgroup(read)
    events = read(f"{folder}/pids.events") if folder else None
    return int(re.search(r"^max (\d+)", events, re.M).group(1)) if events else 0


def set_own_pid_max(value: int) -> None:
    """Set this PID namespace's own pid_max, or exit saying why it cannot be done here."""
    try:
        with open(PID_MAX, "w") as f:
            f.write(str(value))
    except PermissionError:
        sys.exit("cannot set kernel.pid_max here: run this in pidns-shell, on Linux 6.14 or newer "
                 "(before 6.14 there is one pid_max, the whole machine's)")


def zombies_until_eagain() -> list[int]:
    """Fork children that exit at once and are not reaped, until fork fails with EAGAIN: each
    zombie holds its PID, and its place in every count, until it is reaped. Their PIDs."""
    held = []
    while True:
        try:
            pid = os.fork()
        except BlockingIOError:
            return held
        if pid == 0:
            os._exit(0)
        held.append(pid)
