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

It reads /proc only when asked: the history of every process (births, exits, stops, reaping)
is the kernel's own record, kept by the grader's process recorder outside the container.

CLOCK_MONOTONIC is not namespaced by Docker, so the grader on the host can compare these
times with when it read a line from the program.
"""
import hashlib
import json
import os
import re
import stat
import sys
import time

def read_stat(pid):
    """One process's /proc/PID/stat fields we care about, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("utf-8", "replace")
        uid = os.stat(f"/proc/{pid}").st_uid
    except (FileNotFoundError, ProcessLookupError):
        return None
    # comm is in parentheses and may itself contain spaces or ')': split at the last ')'.
    head, _, tail = raw.rpartition(")")
    comm = head.partition("(")[2]
    fields = tail.split()
    return {
        "pid": int(pid),
        "comm": comm,
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
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "snapshot":
            reply({"t": time.monotonic(), "procs": list(table().values())})
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
