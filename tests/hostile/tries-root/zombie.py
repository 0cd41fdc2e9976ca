# Tries to become root, to rewrite the grader's probe and to set host-wide sysctls; reports
# what worked, then claims a zombie it never made.
import os
import subprocess

for attempt in (lambda: os.setuid(0),
                lambda: subprocess.run(["su", "-c", "id"], input=b"", timeout=5, check=True),
                lambda: subprocess.run(["sudo", "-n", "id"], timeout=5, check=True),
                lambda: open("/opt/zombielab/probe.py", "a").write("# mine\n"),
                lambda: open("/proc/sys/kernel/core_pattern", "w").write("|/tmp/x\n"),
                lambda: open("/proc/sys/kernel/pid_max", "w").write("400\n")):
    try:
        attempt()
        print("it worked")
    except Exception as exc:
        print("refused:", type(exc).__name__)
print("zombie 1")
input()
