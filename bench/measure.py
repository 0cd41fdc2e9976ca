"""What make bench measures with: wall time and the whole machine's CPU time of an action,
and the yardstick, a bare container start measured in the same run (absolute times move from
run to run on these machines; the ratios hold)."""
import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROUNDS = 3


@dataclass
class Cost:
    wall: float
    cpu: float   # the whole machine's, in CPU seconds

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(self.wall + other.wall, self.cpu + other.cpu)


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy since boot (/proc/stat: all but idle)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]   # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measured(action) -> tuple[Cost, object]:
    cpu, start = machine_cpu(), time.monotonic()
    result = action()
    return Cost(time.monotonic() - start, machine_cpu() - cpu), result


def bare_cost(image: str) -> Cost:
    """The median of a few `docker run --rm IMAGE true`."""
    def start():
        subprocess.run(["docker", "run", "--rm", "--network", "none", image, "true"],
                       check=True, stdout=subprocess.DEVNULL)
    runs = [measured(start)[0] for _ in range(ROUNDS)]
    return Cost(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs))
