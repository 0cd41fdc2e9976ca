"""What the probe reads from /proc and the cgroup files, parsed from text as the kernel writes
it: signal masks, the counters of what ran into a limit (cgroup v1 and v2), and /proc/PID/stat
as probe.py reads it, here from this host's own processes."""
import os
import shutil
import subprocess

import pytest

from grader import probe
from grader.proc import Probe, SignalMasks, counter, signal_masks_of

STATUS = """Name:\tmini_init
State:\tS (sleeping)
Pid:\t1
SigQ:\t0/63693
SigPnd:\t0000000000000000
ShdPnd:\t0000000000000000
SigBlk:\t0000000000010000
SigIgn:\t0000000000001006
SigCgt:\t0000000180004002
"""
PIDS_EVENTS = "max 3\n"
OOM_CONTROL_V1 = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"
MEMORY_EVENTS_V2 = "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n"


def test_signal_masks_bit_n_minus_1_is_signal_n():
    masks = signal_masks_of(STATUS)
    assert masks == SignalMasks(ignored=0x1006, blocked=0x10000, caught=0x180004002)
    assert masks.ignored & (1 << (13 - 1)), "SIGPIPE (13) is ignored"
    assert masks.blocked == 1 << (17 - 1), "SIGCHLD (17) is blocked"
    assert signal_masks_of("Name:\tx\n") == SignalMasks(0, 0, 0)


def test_counters_read_their_own_key_only():
    assert counter(MEMORY_EVENTS_V2, "oom_kill") == 1
    assert counter(MEMORY_EVENTS_V2, "max") == 5
    assert counter(PIDS_EVENTS, "max") == 3
    assert counter(MEMORY_EVENTS_V2, "oom_group") is None


class FilesProbe(Probe):
    """A probe whose container holds these files and nothing else."""

    def __init__(self, files: dict[str, str]):
        self.files = files

    def read_file(self, path: str, limit: int) -> str | None:
        return self.files.get(path)


@pytest.mark.parametrize("files, counts", [
    ({"/sys/fs/cgroup/pids/pids.events": PIDS_EVENTS,
      "/sys/fs/cgroup/memory/memory.oom_control": OOM_CONTROL_V1},
     {"refused_forks": 3, "oom_kills": 2}),
    ({"/sys/fs/cgroup/pids.events": PIDS_EVENTS, "/sys/fs/cgroup/memory.events": MEMORY_EVENTS_V2},
     {"refused_forks": 3, "oom_kills": 1}),
    ({"/sys/fs/cgroup/pids.events": "max 0\n"}, {"refused_forks": 0}),
    ({}, {}),
], ids=["cgroup-v1", "cgroup-v2", "no-memory-controller", "no-cgroup-files"])
def test_limit_counters_under_either_cgroup_version(files, counts):
    assert FilesProbe(files).limit_counters() == counts


def test_cgroup_file_prefers_v1s_folder_then_v2s():
    both = FilesProbe({"/sys/fs/cgroup/memory/memory.oom_control": "v1",
                       "/sys/fs/cgroup/memory.events": "v2"})
    assert both.cgroup_file("memory", "memory.oom_control", "memory.events") == \
        ("/sys/fs/cgroup/memory/memory.oom_control", "v1")
    assert FilesProbe({}).cgroup_file("memory", "memory.events") is None


def test_signal_masks_of_a_process_that_is_gone():
    assert FilesProbe({}).signal_masks(7) is None
    assert FilesProbe({"/proc/7/status": STATUS}).signal_masks(7).caught == 0x180004002


def test_read_stat_of_this_process():
    stat = probe.read_stat(os.getpid())
    assert (stat["pid"], stat["ppid"], stat["pgrp"]) == (os.getpid(), os.getppid(), os.getpgrp())
    assert stat["state"] == "R" and stat["uid"] == os.getuid()


def test_read_stat_of_a_command_whose_name_holds_parentheses(tmp_path):
    """comm may hold spaces and ')': the fields after it are found from its last ')'."""
    odd = tmp_path / "a) (b c"
    shutil.copy(shutil.which("sleep"), odd)
    with subprocess.Popen([odd, "30"]) as child:
        try:
            stat = probe.read_stat(child.pid)
        finally:
            child.kill()
    assert (stat["comm"], stat["ppid"], stat["pgrp"]) == ("a) (b c", os.getpid(), os.getpgrp())


def test_read_stat_of_a_process_that_is_gone():
    with subprocess.Popen(["true"]) as child:
        child.wait()
    assert probe.read_stat(child.pid) is None
