# Writes everywhere it can until each place is full or refuses (ENOSPC, EROFS, EACCES), then
# exits 1 without printing: on the host's disk this would go on until the exercise's time ran out.
import os

BLOCK = b"x" * 2**20
for folder in (".", os.path.expanduser("~"), "/var/tmp", "/run/lock", "/tmp"):
    try:
        with open(os.path.join(folder, "filler"), "wb", buffering=0) as f:
            while True:
                f.write(BLOCK)
    except OSError:
        pass
raise SystemExit(1)
