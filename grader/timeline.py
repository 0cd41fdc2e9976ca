"""The story of one run's processes, for the learner: who forked whom, which were stopped,
orphaned and adopted, how long each stayed a zombie and who reaped it, and what the grader did
to them meanwhile. Drawn from the kernel's record (grader.recorder.Record) as a Timeline, told
as lines of text under a failed check (story) and as a chart on the feedback page (svg).

Pure code: a Record in, strings out."""
from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass, field

from .recorder import Life, Record


@dataclass
class Action:
    """What the grader did to the processes, in CLOCK_MONOTONIC seconds (relative to the start
    once in a Timeline)."""
    t: float
    what: str            # "SIGSTOP", "Ctrl-C", "SIGTERM from outside (docker kill)", ...
    pids: list[int]      # the container PIDs it went to ([] = the terminal's foreground group)


@dataclass
class Row:
    """One process of the timeline, times relative to Timeline.start."""
    pid: int
    program: str         # basename of its last exec, else what its creator ran when it forked
    creator: int | None  # who forked it (0 or None: started from outside the container)
    parent: int | None   # the parent the kernel gave it at birth
    born: float | None
    ended: float | None
    ending: str          # "exited with 0", "was killed by SIGKILL", "had not exited"
    # When it left the process table: reaped by a wait, or freed by the kernel without one (at
    # its exit if its parent ignored SIGCHLD). None: it had not, by the end.
    reaped: float | None
    reaped_by: int | None
    gone: str            # Life.fate: "reaped by PID 1", "reaped by nobody", ...
    stops: list[list]    # [[stopped, continued or None]]
    adopted: list[list]  # [[t, new parent or None]]: its parent exited first, at t
    programs: list[list] = field(default_factory=list)  # [[since, program]]: each change of it

    @property
    def label(self) -> str:
        return f"PID {self.pid} {self.program}".rstrip()


@dataclass
class Timeline:
    title: str           # which run, e.g. "zombie.py, in the noinit container"
    start: float         # absolute: the root's birth (the learner's program start)
    end: float           # absolute: when the record was taken (rows still alive run to here)
    rows: list[Row]
    actions: list[Action]   # relative times, like rows
    more: int = 0        # processes left out between the first and the last rows kept

    @classmethod
    def of(cls, record: Record, root: int, now: float, title: str,
           actions: list[Action] = (), most_rows: int = 40) -> "Timeline":
        """The run of the program whose first process is PID `root` (its newest life in the
        record): it and its descendants, in birth order. A fork bomb's thousands are cut to
        the first and last most_rows//2. A root missing from the record gives no rows."""
        first = record.life(root)
        if first is None or first.born is None:
            return cls(title, now, now, [], [])
        start, half = first.born, most_rows // 2
        lives = _descendants(record, first)
        more = max(0, len(lives) - 2 * half)
        if more:
            lives = lives[:half] + lives[len(lives) - half:]
        running = _born_running(record)
        rows = [_row(record, life, start, running.get(id(life))) for life in lives]
        kept = sorted((Action(a.t - start, a.what, list(a.pids)) for a in actions
                       if a.t >= start), key=lambda a: a.t)
        return cls(title, start, now, rows, kept, more)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Timeline":
        return cls(**{**data, "rows": [Row(**row) for row in data["rows"]],
                      "actions": [Action(**action) for action in data["actions"]]})


# --- from the record ---------------------------------------------------------------------------

def _descendants(record: Record, root: Life) -> list[Life]:
    """The root and every process descended from it, in birth order: forked by one of them, or
    (CLONE_PARENT) given one of them as its parent. PIDs are used again, so a PID counts as one
    of ours only while the process holding it is."""
    ours, held = [root], {root.pid}
    for life in record.processes(after=root.born):
        if life is root:
            continue
        if life.creator in held or life.parent in held:
            ours.append(life)
            held.add(life.pid)
        else:
            held.discard(life.pid)
    return ours


def _born_running(record: Record) -> dict[int, str]:
    """id(life) -> the program each process was born running: what its creator ran when it
    forked (a fork copies the program; only an exec changes it)."""
    running: dict[int, str] = {}
    latest: dict[int, Life] = {}
    for life in record.processes():
        creator = latest.get(life.creator)
        if creator is not None:
            program = _program_at(creator, life.born, running.get(id(creator)))
            if program is not None:
                running[id(life)] = program
        latest[life.pid] = life
    return running


def _program_at(life: Life, t: float, born_running: str | None) -> str | None:
    execs = [path for at, path in life.execs if at <= t]
    return _basename(execs[-1]) if execs else born_running


def _basename(path: str) -> str:
    # Program names come from learner code: nothing unprintable reaches a terminal or a page.
    name = path.rstrip("/").rpartition("/")[2] or path
    return "".join(c if c.isprintable() else "?" for c in name)


def _process_at(record: Record, pid: int, t: float) -> Life | None:
    """The process that had this PID at time t."""
    return next((life for life in reversed(record.lives) if life.pid == pid and not life.thread
                 and life.born is not None and life.born <= t), None)


def _adoptions(record: Record, life: Life) -> list[list]:
    """[[t, new parent]] each time its parent exited while it was still in the process table
    (alive, or a zombie): the kernel gave it a new parent, which getppid() answered after t,
    or else the one that reaped it (None if neither tells)."""
    out = life.zombie[1] if life.zombie else life.ended
    adopted, parent_pid, since = [], life.parent, life.born
    while parent_pid:   # 0: a parent outside the container, which the record does not follow
        parent = _process_at(record, parent_pid, since)
        if parent is None or parent.ended is None or \
                not since < parent.ended < (math.inf if out is None else out):
            break
        t = parent.ended
        new = next((answer for at, answer in life.asked if at > t and answer != parent_pid), None)
        if new is None and life.reaped is not None:
            new = life.reaped_by
        adopted.append([t, new])
        parent_pid, since = new, t
    return adopted


def _row(record: Record, life: Life, start: float, born_running: str | None) -> Row:
    def rel(t: float | None) -> float | None:
        return None if t is None else round(t - start, 9)   # the record's nanoseconds

    programs = [[rel(life.born), born_running]] if born_running is not None else []
    for t, path in life.execs:
        if not programs or programs[-1][1] != _basename(path):
            programs.append([rel(t), _basename(path)])
    out = life.zombie[1] if life.zombie else life.ended
    return Row(life.pid, programs[-1][1] if programs else "", life.creator, life.parent,
               rel(life.born), rel(life.ended), life.ending, rel(out), life.reaped_by,
               life.fate, [[rel(s), rel(c)] for s, c in life.stops],
               [[rel(t), new] for t, new in _adoptions(record, life)], programs)


# --- as text -----------------------------------------------------------------------------------

# At one moment: the grader's action first (it is the cause), then births, execs, stops, exits.
ACTION, BIRTH, EXEC, STOP, EXIT, ORPHAN, LEFT = range(7)


@dataclass
class _Event:
    t: float
    rank: int
    text: str
    rows: tuple[int, ...] = ()   # the rows whose story it is part of


def story(timeline: Timeline, most: int = 14) -> list[str]:
    """The run's events in time order, one line each ("+0.013 s  PID 7 forked PID 8"); more
    than `most` are cut to the first and last most//2, with a line counting the rest."""
    lines = [f"{_at(e.t)}  {e.text}" for e in _events(timeline)]
    half = most // 2
    if len(lines) <= most:
        return lines
    return (lines[:half] + [f"   ... {len(lines) - 2 * half} more events ..."]
            + lines[len(lines) - half:])


def _events(tl: Timeline) -> list[_Event]:
    orphans, events = _orphanings(tl)
    if tl.more:
        first_after = tl.rows[len(tl.rows) // 2].born
        events.append(_Event(first_after, BIRTH, f"({tl.more} more processes started by now, "
                             "not shown)"))
    events += [_Event(a.t, ACTION, "grader: " + a.what + _to(a.pids)) for a in tl.actions]
    for i, row in enumerate(tl.rows):
        if row.born is not None:
            events.append(_Event(row.born, BIRTH, _birth(tl, row), (i,)))
        events += [_Event(t, EXEC, f"PID {row.pid} now runs {program} (exec)", (i,))
                   for t, program in row.programs[1:]]
        for stopped, continued in row.stops:
            events.append(_Event(stopped, STOP, f"PID {row.pid} stopped", (i,)))
            if continued is not None:
                events.append(_Event(continued, STOP, f"PID {row.pid} continued", (i,)))
        if row.ended is not None:
            children = orphans.get(i, [])
            text = f"PID {row.pid} {row.ending}{_fate(tl, row)}" + "".join(
                f"; {_pids(pids)} orphaned, adopted by {_who(new)}"
                for new, pids in _by_new_parent(tl, children).items())
            events.append(_Event(row.ended, EXIT, text, (i, *(c for c, _ in children))))
        else:
            still = " (stopped)" if row.stops and row.stops[-1][1] is None else ""
            events.append(_Event(tl.end - tl.start, LEFT, f"{_name(row)} {row.ending}{still}",
                                 (i,)))
    return sorted(events, key=lambda e: (e.t, e.rank, e.rows))


def _orphanings(tl: Timeline) -> tuple[dict[int, list[tuple[int, int]]], list[_Event]]:
    """Who each exit orphaned, told with that exit: row -> [(child row, which of its
    adoptions)]; and, as events of their own, the orphanings whose parent has no row here."""
    exits = {(row.pid, row.ended): i for i, row in enumerate(tl.rows) if row.ended is not None}
    orphans: dict[int, list[tuple[int, int]]] = {}
    alone = []
    for c, row in enumerate(tl.rows):
        for k, (t, new) in enumerate(row.adopted):
            old = row.parent if k == 0 else row.adopted[k - 1][1]
            if (old, t) in exits:
                orphans.setdefault(exits[old, t], []).append((c, k))
            else:
                alone.append(_Event(t, ORPHAN, f"PID {row.pid} orphaned (its parent PID {old} "
                                    f"exited), adopted by {_who(new)}", (c,)))
    return orphans, alone


def _by_new_parent(tl: Timeline, children: list[tuple[int, int]]) -> dict[int | None, list[int]]:
    grouped: dict[int | None, list[int]] = {}
    for c, k in children:
        grouped.setdefault(tl.rows[c].adopted[k][1], []).append(tl.rows[c].pid)
    return grouped


def _birth(tl: Timeline, row: Row) -> str:
    creator = _row_at(tl, row.creator, row.born)
    if creator is None:
        by = f" by PID {row.creator}" if row.creator else ""
        return f"{_name(row, first=True)} started{by}"
    also = f", with PID {row.parent} as its parent" if row.parent not in (row.creator, None) else ""
    return f"PID {creator.pid} forked PID {row.pid}{also}"


def _fate(tl: Timeline, row: Row) -> str:
    """After "PID 8 exited with 0": how long it was a zombie, and who reaped it."""
    if row.reaped is None and _parent_outside(row):
        return ""   # the grader's docker exec (or the engine) collects it, unseen by the record
    if row.reaped is None:
        return f" and stayed a zombie ({row.gone} by {_at(tl.end - tl.start)})"
    if row.reaped == row.ended:   # never a zombie: its parent ignored SIGCHLD
        return f"; {row.gone}"
    zombie = row.reaped - row.ended
    if zombie < 0.0005:
        return f", {_reaper(row)} within 1 ms"
    return f": a zombie until {_at(row.reaped)} ({zombie:.3f} s), {_reaper(row)}"


def _parent_outside(row: Row) -> bool:
    """Its parent is outside the container: the program the grader started, or a PID 1."""
    return (row.adopted[-1][1] if row.adopted else row.parent) in (0, None)


def _reaper(row: Row) -> str:
    if row.reaped_by is not None:
        return f"reaped by PID {row.reaped_by}"
    # The grader's docker exec is the parent of the program's first process: its wait is made
    # outside the container, where the record does not see it.
    parent = row.adopted[-1][1] if row.adopted else row.parent
    return "reaped from outside the container" if parent == 0 else "removed without a wait"


def _row_at(tl: Timeline, pid: int | None, t: float | None) -> Row | None:
    """The row that had this PID at time t (PIDs are used again)."""
    return next((row for row in reversed(tl.rows) if row.pid == pid and row.born is not None
                 and t is not None and row.born <= t), None)


def _name(row: Row, first: bool = False) -> str:
    program = row.programs[0][1] if first and row.programs else row.program
    return f"PID {row.pid} ({program})" if program else f"PID {row.pid}"


def _to(pids: list[int]) -> str:
    return f" to {_pids(pids)}" if pids else " at the terminal"


def _pids(pids: list[int]) -> str:
    if len(pids) == 1:
        return f"PID {pids[0]}"
    if len(pids) > 4:
        return f"PIDs {', '.join(map(str, pids[:3]))} and {len(pids) - 3} more"
    return f"PIDs {', '.join(map(str, pids[:-1]))} and {pids[-1]}"


def _who(pid: int | None) -> str:
    if pid is None:
        return "an unknown process"
    return "a process outside the container" if pid == 0 else f"PID {pid}"


def _at(t: float) -> str:
    return f"+{t:.3f} s"


# --- as a chart --------------------------------------------------------------------------------

# Okabe and Ito's colours, told apart with any colour vision, and by lightness in grey.
STATES = {"alive": ("#0072B2", "alive (running or sleeping)"),
          "stopped": ("#E69F00", "stopped (until SIGCONT)"),
          "zombie": ("#999999", "zombie (exited, not yet reaped)")}
INK, GRID = "#222222", "#DDDDDD"
LABEL_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 150, 30, 12
TOP = 12                 # room for the first line of the grader's action labels
GAP = 24                 # between the first and the last rows, where processes are left out
ACTION_LEVEL = 14        # one line of the grader's action labels, above the rows
FONT = 11
CHAR = 6.2               # a character's width at FONT, for laying labels out


def svg(timeline: Timeline, width: int = 900) -> str:
    """The timeline as a self-contained inline <svg>: one row per process, its bar coloured by
    state, with forks, adoptions, reapings and the grader's actions marked. No <style>: in a
    page, an inline SVG's styles would apply to the whole page."""
    chart = _Chart(timeline, width)
    # Titled by whoever shows it (the page's caption, PrairieLearn's label); <title> is for
    # screen readers.
    parts = [f'<title>{_esc(timeline.title)}</title>']
    if timeline.rows:
        drawing, height = chart.drawing()
        parts += drawing
    else:
        parts.append('<text x="4" y="20">No process of this run was recorded.</text>')
        height = 30
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
            f'viewBox="0 0 {width} {height:.0f}" role="img" font-family="sans-serif" '
            f'font-size="{FONT}" fill="{INK}">\n' + "\n".join(parts) + "\n</svg>")


class _Chart:
    """Where everything goes: the grader's action labels under the title, the rows (with a gap
    where processes were left out), the time axis, a note on what was left out, the legend."""

    def __init__(self, tl: Timeline, width: int):
        self.tl, self.width = tl, width
        self.span = max([tl.end - tl.start, 1e-3] + [a.t for a in tl.actions])
        self.left, self.right = LABEL_WIDTH, width - 20
        self.levels = self._action_levels()
        self.top = TOP + ACTION_LEVEL * (max(self.levels, default=-1) + 1) + 4
        self.half = len(tl.rows) // 2 if tl.more else len(tl.rows)
        self.axis = self.row_y(len(tl.rows)) + 4

    def x(self, t: float) -> float:
        return self.left + (self.right - self.left) * min(max(t, 0.0), self.span) / self.span

    def row_y(self, i: int) -> float:
        return self.top + ROW_HEIGHT * i + (GAP if i >= self.half and self.tl.more else 0)

    def drawing(self) -> tuple[list[str], float]:
        """The chart's parts below the title, and its height."""
        told = _events(self.tl)
        parts = self._axis() + [self._process(i, told) for i in range(len(self.tl.rows))]
        parts += [self._action(a, TOP + ACTION_LEVEL * level + 10)
                  for a, level in zip(self.tl.actions, self.levels)]
        below = self.axis + 54
        if self.tl.more:
            gap = self.row_y(self.half) - GAP
            parts.append(f'<text x="{self.left - 8}" y="{gap + 18:.1f}" text-anchor="end" '
                         f'font-style="italic">⋮ {self.tl.more} more</text>')
            parts.append(f'<text x="{self.left}" y="{below:.1f}" font-style="italic">'
                         f'{self.tl.more} more processes are not drawn: only the first '
                         f'{self.half} and the last {self.half} are.</text>')
            below += 18
        legend, height = _legend(below, self.width)
        return parts + legend, height

    def _action_levels(self) -> list[int]:
        """The line of labels each action's goes on, so that labels close in time do not
        overlap."""
        ends: list[float] = []   # each line's rightmost label end
        levels = []
        for a in self.tl.actions:
            start, end = self._label_span(a)
            level = next((n for n, taken in enumerate(ends) if taken < start), len(ends))
            if level == len(ends):
                ends.append(0.0)
            ends[level] = end
            levels.append(level)
        return levels

    def _label_span(self, action: Action) -> tuple[float, float]:
        """Where an action's label goes: after its line, or before it near the right edge."""
        at, wide = self.x(action.t), 4 + CHAR * len(action.what)
        return (at - wide, at) if at + wide > self.width else (at, at + wide)

    def _axis(self) -> list[str]:
        step = _tick_step(self.span)
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        axis = self.axis
        parts = [f'<line x1="{self.left}" y1="{axis:.1f}" x2="{self.right}" y2="{axis:.1f}" '
                 f'stroke="{INK}"/>']
        for n in range(int(self.span / step + 1e-9) + 1):
            at = self.x(n * step)
            parts.append(f'<line x1="{at:.1f}" y1="{self.top:.1f}" x2="{at:.1f}" '
                         f'y2="{axis + 4:.1f}" stroke="{GRID}"/>')
            parts.append(f'<text x="{at:.1f}" y="{axis + 16:.1f}" text-anchor="middle">'
                         f'{n * step:.{decimals}f} s</text>')
        parts.append(f'<text x="{(self.left + self.right) / 2:.1f}" y="{axis + 32:.1f}" '
                     'text-anchor="middle">seconds since the program started</text>')
        return parts

    def _process(self, i: int, told: list[_Event]) -> str:
        row, x = self.tl.rows[i], self.x
        y = self.row_y(i)
        bar, mid = y + 14, y + 14 + BAR_HEIGHT / 2
        tell = "\n".join([_name(row)] + [f"{_at(e.t)}  {e.text}" for e in told if i in e.rows])
        reaped_told = False
        parts = [f'<g class="process" data-pid="{row.pid}"><title>{_esc(tell)}</title>',
                 f'<text x="{self.left - 8}" y="{bar + 10:.1f}" text-anchor="end">'
                 f'{_esc(_short(row.label))}</text>']
        for state, since, until in _states(row, self.tl.end - self.tl.start):
            parts.append(f'<rect class="{state}" x="{x(since):.1f}" y="{bar:.1f}" '
                         f'width="{max(x(until) - x(since), 1):.1f}" height="{BAR_HEIGHT}" '
                         f'fill="{STATES[state][0]}"/>')
        creator = _row_at(self.tl, row.creator, row.born)
        if creator is not None:
            above = self.row_y(self.tl.rows.index(creator)) + 14 + BAR_HEIGHT / 2
            parts.append(f'<line class="fork" x1="{x(row.born):.1f}" y1="{above:.1f}" '
                         f'x2="{x(row.born):.1f}" y2="{mid:.1f}" stroke="{INK}"/>')
        reaped = row.reaped is not None and row.reaped != row.ended
        for n, (t, new) in enumerate(row.adopted):
            parts.append(f'<path class="adopt" d="M{x(t):.1f} {mid - 5:.1f} l5 5 l-5 5 l-5 -5 z" '
                         f'fill="white" stroke="{INK}"/>')
            adopted = "adopted" + (f" by {new}" if new is not None else "")
            if reaped and n == len(row.adopted) - 1 and x(row.reaped) - x(t) < CHAR * len(adopted):
                adopted += f", reaped by {row.reaped_by}"   # too close for two labels
                reaped_told = True
            parts.append(self._note(adopted, x(t), y + 10, before=True))
        if reaped:
            parts.append(f'<circle class="reap" cx="{x(row.reaped):.1f}" cy="{mid:.1f}" r="4" '
                         f'fill="{INK}"/>')
            if row.reaped_by is not None and not reaped_told:
                parts.append(self._note(f"reaped by {row.reaped_by}", x(row.reaped), y + 10))
        elif row.ended is not None and row.reaped is None and not _parent_outside(row):
            parts.append(self._note("not reaped", self.right, y + 10, before=True))
        return "\n".join(parts + ["</g>"])

    def _note(self, text: str, at: float, y: float, before: bool = False) -> str:
        """A small label beside a marker: after it, or before it (where there is room)."""
        wide = CHAR * 0.85 * len(text)
        end = (before and at - wide > self.left) or at + wide > self.right
        return (f'<text x="{at - 6 if end else at + 6:.1f}" y="{y:.1f}" font-size="9" '
                f'text-anchor="{"end" if end else "start"}">{_esc(text)}</text>')

    def _action(self, action: Action, label_y: float) -> str:
        at = self.x(action.t)
        tell = f"{_at(action.t)}  grader: {action.what}{_to(action.pids)}"
        before = self._label_span(action)[1] == at
        return (f'<g class="action"><title>{_esc(tell)}</title>'
                f'<line x1="{at:.1f}" y1="{label_y + 3:.1f}" x2="{at:.1f}" y2="{self.axis:.1f}" '
                f'stroke="{INK}" stroke-dasharray="4 3"/>'
                f'<text x="{at - 3 if before else at + 3:.1f}" y="{label_y:.1f}" '
                f'text-anchor="{"end" if before else "start"}">{_esc(action.what)}</text></g>')


def _tick_step(span: float) -> float:
    """1, 2 or 5 times a power of ten: five to ten ticks over the span."""
    rough = span / 6
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def _states(row: Row, end: float) -> list[tuple[str, float, float]]:
    """(state, since, until) along the row: alive, stopped from a stop to its continue, a
    zombie from its exit until it was reaped (or until the end)."""
    if row.born is None:
        return []
    last = end if row.ended is None else row.ended
    spans, t = [], row.born
    for stopped, continued in row.stops:
        stopped = min(max(stopped, t), last)
        continued = last if continued is None else min(continued, last)
        spans += [("alive", t, stopped), ("stopped", stopped, continued)]
        t = continued
    spans.append(("alive", t, last))
    if row.ended is not None and not (row.reaped is None and _parent_outside(row)):
        spans.append(("zombie", row.ended, end if row.reaped is None else row.reaped))
    return [span for span in spans if span[2] > span[1]]


def _legend(y: float, width: int) -> tuple[list[str], float]:
    """The legend's items in lines as wide as the chart; returns them and the chart's height."""
    swatches = [(f'<rect x="0" y="-9" width="16" height="{BAR_HEIGHT}" fill="{colour}"/>', text)
                for colour, text in STATES.values()]
    swatches += [
        (f'<line x1="8" y1="-12" x2="8" y2="4" stroke="{INK}"/>',
         "fork (from the forking process)"),
        (f'<path d="M8 -8 l5 5 l-5 5 l-5 -5 z" fill="white" stroke="{INK}"/>',
         "adopted: its parent had exited"),
        (f'<circle cx="8" cy="-3" r="4" fill="{INK}"/>', "reaped by a wait"),
        (f'<line x1="8" y1="-12" x2="8" y2="4" stroke="{INK}" stroke-dasharray="4 3"/>',
         "what the grader did")]
    parts, at = [], 10.0
    for mark, text in swatches:
        wide = 24 + CHAR * len(text) + 18
        if at + wide > width and at > 10:
            at, y = 10.0, y + 20
        parts.append(f'<g class="legend" transform="translate({at:.1f} {y:.1f})">{mark}'
                     f'<text x="22" y="0">{_esc(text)}</text></g>')
        at += wide
    return parts, y + 14


def _short(text: str, most: int = 22) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def _esc(text: str) -> str:
    """Text for the SVG: escaped, and without the characters XML cannot hold at all."""
    return html.escape("".join(c if c.isprintable() or c == "\n" else "?" for c in text))
