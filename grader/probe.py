#!/usr/bin/python3 -I
"""The grader's trusted eye inside a lab container.

Installed root-owned in the lab images and run as root with `python3 -I` (no user site, no
PYTHONPATH), so nothing the learner writes can change what it reports. It reads only the kernel's
/proc; it never trusts what a program prints.

    probe.py snapshot      print the process table once, as one JSON line
    probe.py details PID   cwd and open files of processes (run as their user)
    probe.py serve         answer commands on stdin, one JSON line each:
                             snapshot  -> the current table
                             sync N    -> mark every CPU for the grader's process recorder
                             wakeups P -> how often P's threads have gone to sleep, all told
                             waited P  -> how long P's threads have waited for a CPU, all told
                             cpu       -> the CPU time the probe itself has used
                             watch U   -> start polling /proc for history (see below)
                             history   -> every process polled so far, and how it went

It reads /proc only when asked: the history of every process (births, exits, stops, reaping)
is the kernel's own record, kept by the grader's process recorder outside the container.
Where no recorder can run (a grading platform's container, without an engine), `watch` keeps
the next best: /proc polled every POLL_SECONDS, which misses a process that lives less than
that, and cannot tell who called fork, who wrote what, or what getppid() answered.

CLOCK_MONOTONIC is not namespaced by Docker, so the grader on the host can compare these
times with when it read a line from the program.
"""
import ctypes
import hashlib
import json
import os
import re
import stat
import sys
import threading
import time

POLL_SECONDS = 0.005

TICKS = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """/proc/PID/stat's fields from the state on (fields[0] is field 3), with comm last; None if
    the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    # comm is in parentheses and may itself contain spaces or ')': split at the last ')'.
    head, _, tail = raw.rpartition(")")
    return tail.split() + [head.partition("(")[2]]


def read_stat(pid):
    """One process's /proc/PID/stat fields we care about, or None if it is gone."""
    fields = stat_fields(pid)
    if fields is None:
        return None
    try:
        uid = os.stat(f"/proc/{pid}").st_uid
    except (FileNotFoundError, ProcessLookupError):
        return None
    return {
        "pid": int(pid),
        "comm": fields[-1],
        "state": fields[0],
        "ppid": int(fields[1]),
        "pgrp": int(fields[2]),
        "session": int(fields[3]),
        "tty": int(fields[4]),
        "starttime": int(fields[19]),
        "cpu_ticks": int(fields[11]) + int(fields[12]),   # utime + stime, in clock ticks
        "uid": uid,
    }


def table():
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            info = read_stat(name)
            if info is not None:
                procs[info["pid"]] = info
    return procs


def details(pid):
    """What only the process's own user may read (ptrace rules): its working directory and open
    files. The grader runs this command as the learner, since the probe's root has no
    CAP_SYS_PTRACE; a process that made itself undumpable shows as unreadable."""
    info = {"pid": int(pid)}
    try:
        info["cwd"] = os.readlink(f"/proc/{pid}/cwd")
        info["fds"] = {fd: os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    except FileNotFoundError:
        info["error"] = "gone"
    except PermissionError:
        info["error"] = "unreadable"
    return info


def read_file(path, limit):
    """Up to limit bytes of a regular file the learner wrote, or None. Never follows a link
    and never blocks on a FIFO, whatever the learner put at that path."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return f.read(limit).decode("utf-8", "replace")


SYNC_BASE = 0x7A6F0000


def mark_cpus(token):
    """The grader's process recorder (grader/record.bt) reads a getpgid() of SYNC_BASE + token,
    a PID that cannot exist, as a mark; once it has read the mark made on every CPU, it has
    read every event that happened before on any of them."""
    cpus = sorted(os.sched_getaffinity(0))
    for cpu in cpus:
        os.sched_setaffinity(0, {cpu})   # moves this thread onto that CPU before returning
        try:
            os.getpgid(SYNC_BASE + token)
        except OSError:
            pass
    os.sched_setaffinity(0, cpus)
    return cpus


def per_thread(pid, name, read):
    """The sum of read(text of /proc/PID/task/TID/name) over pid's threads, None if it is gone."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/{name}") as f:
                total += read(f.read())
    except (FileNotFoundError, ProcessLookupError):
        return None
    return total


def wakeups(pid):
    """The voluntary context switches of every thread of pid: a process blocked until an event
    adds one per event; one that polls adds one per poll."""
    return per_thread(pid, "status", lambda text: int(
        re.search(r"^voluntary_ctxt_switches:\s*(\d+)", text, re.M).group(1)))


def waited(pid):
    """Nanoseconds pid's threads have spent runnable but waiting for a CPU (schedstat's second
    field): what a busy machine, or the container's CPU quota, added to its reaction times."""
    return per_thread(pid, "schedstat", lambda text: int(text.split()[1]))


class History:
    """What polling /proc saw of every process: each one's parent, start, stops, exit (when it
    was first seen a zombie, with the wait status it holds) and end (when it left /proc: the
    parent last seen reaped it). Times are CLOCK_MONOTONIC, as the recorder's."""

    def __init__(self, uid):
        self.uid = uid
        self.lives = {}      # (pid, starttime) -> what was seen of it
        self.present = {}    # pid -> the key of the process now holding it
        self.failure = None  # why polling stopped: the history is then not to be trusted
        self.lock = threading.Lock()   # over lives and present
        self.polls = 0
        self.changed = threading.Condition()
        self.asked = threading.Event()
        # Seconds since boot (what starttime counts) less the monotonic clock.
        self.boot_offset = time.clock_gettime(time.CLOCK_BOOTTIME) - time.monotonic()
        threading.Thread(target=self._poll_forever, daemon=True).start()

    def _poll_forever(self):
        # A zombie's exit status in /proc/PID/stat shows only to who may ptrace it: its own
        # user, or CAP_SYS_PTRACE, which a platform's container does not give. setfsuid is per
        # thread and touches only file access: this thread, the only one that polls, reads
        # /proc as the learner, while the probe stays root, out of the learner's reach.
        libc = ctypes.CDLL(None, use_errno=True)
        libc.setfsgid(self.uid)
        libc.setfsuid(self.uid)
        try:
            while True:
                self.asked.clear()
                self.poll()
                with self.changed:
                    self.polls += 1
                    self.changed.notify_all()
                self.asked.wait(POLL_SECONDS)
        except Exception as exc:   # reported with the history, which then has gaps
            with self.changed:
                self.failure = f"{type(exc).__name__}: {exc}"
                self.changed.notify_all()

    def caught_up(self):
        """Return once a poll begun after this call has ended: whatever the caller saw of
        /proc before calling, the history has seen too (a zombie the grader saw, say, which its
        parent may reap the moment the grader continues it)."""
        with self.changed:
            enough = self.polls + 2   # the poll under way may have begun before the call
            self.asked.set()
            self.changed.wait_for(lambda: self.polls >= enough or self.failure, timeout=10)

    def poll(self):
        with self.lock:
            now = time.monotonic()
            seen = {}
            for name in os.listdir("/proc"):
                if name.isdigit():
                    fields = stat_fields(name)
                    if fields is not None:
                        seen[int(name)] = self._saw(int(name), fields, now)
            for pid, key in self.present.items():
                if seen.get(pid) != key:
                    self._gone(self.lives[key], now)
            self.present = seen

    def _saw(self, pid, fields, now):
        key = (pid, int(fields[19]))
        life = self.lives.get(key)
        if life is None:
            life = self.lives[key] = {
                "pid": pid, "parent": int(fields[1]), "born": int(fields[19]) / TICKS - self.boot_offset,
                "ended": None, "status": None, "reaped": None, "reaped_by": None, "freed": None,
                "stops": [], "reaper_waited": 0.0, "comm": fields[-1]}
        life["ppid"] = int(fields[1])
        state = fields[0]
        if state == "Z" and life["ended"] is None:
            life["ended"], life["status"] = now, int(fields[49])
            life["parent_waited"] = waited(life["ppid"])
        stops = life["stops"]
        if state in "Tt" and (not stops or stops[-1][1] is not None):
            stops.append([now, None])
        elif state not in "Tt":
            self._went_on(life, now)
        return key

    @staticmethod
    def _went_on(life, now):
        """A stop seen to end: continued, or seen no more stopped (a zombie now, or gone)."""
        if life["stops"] and life["stops"][-1][1] is None:
            life["stops"][-1][1] = now

    def _gone(self, life, now):
        life["freed"] = now
        self._went_on(life, now)
        if life["ended"] is None:   # exited and reaped between two polls: no status seen
            life["ended"] = now
            return
        life["reaped"], life["reaped_by"] = now, life["ppid"]
        after = waited(life["ppid"])
        if after is not None and life.get("parent_waited") is not None:
            life["reaper_waited"] = (after - life["parent_waited"]) / 1e9

    def lived(self):
        """Every process seen so far, in birth order."""
        self.caught_up()
        with self.lock:
            return sorted(self.lives.values(), key=lambda life: (life["born"], life["pid"]))


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve():
    with open(__file__, "rb") as f:
        # The grader compares this with its own copy, so stale lab images are caught plainly.
        version = hashlib.sha256(f.read()).hexdigest()
    # The recorder knows a container by the inode of its PID namespace.
    pidns = os.stat("/proc/self/ns/pid").st_ino
    reply({"ready": True, "t": time.monotonic(), "version": version, "pidns": pidns})
    history = None
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "snapshot":
            procs = table()
            if history:
                history.caught_up()
            reply({"t": time.monotonic(), "procs": list(procs.values())})
        elif words[0] == "sync":
            reply({"cpus": mark_cpus(int(words[1]))})
        elif words[0] == "wakeups":
            reply({"wakeups": wakeups(int(words[1]))})
        elif words[0] == "waited":
            reply({"waited": waited(int(words[1]))})
        elif words[0] == "cpu":
            times = os.times()
            reply({"cpu": times.user + times.system})
        elif words[0] == "last-pid":
            with open("/proc/sys/kernel/ns_last_pid") as f:
                reply({"last_pid": int(f.read())})
        elif words[0] == "read":
            reply({"text": read_file(words[2], int(words[1]))})
        elif words[0] == "watch":
            history = history or History(int(words[1]))
            reply({"watching": True})
        elif words[0] == "history":
            reply({"lives": history.lived() if history else [],
                   "failure": history and history.failure})
        else:
            reply({"error": f"unknown command {words[0]!r}"})


def main(argv):
    if argv[1:] == ["snapshot"]:
        reply({"t": time.monotonic(), "procs": list(table().values())})
    elif argv[1:] == ["serve"]:
        serve()
    elif argv[1:2] == ["details"] and all(a.isdigit() for a in argv[2:]):
        reply({"t": time.monotonic(), "details": [details(pid) for pid in argv[2:]]})
    else:
        sys.exit("usage: probe.py snapshot | serve | details PID...")


if __name__ == "__main__":
    main(sys.argv)
