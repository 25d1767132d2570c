"""What `meldingen run` needs of the operating system: children that die with it, and
who holds a port it wants.

Children die with the run through Linux's parent-death signal (prctl
PR_SET_PDEATHSIG), set between fork and exec. A pipe the child watches would work on
every OS, but nats-server is a Go binary that watches no pipe of ours: the signal
covers it and the services alike, in one place, with no helper process, and the
kernel sends it however the run ends (SIGKILL and the OOM killer included). Elsewhere
it is a no-op, and the port check below still names a leftover.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """For `Popen(preexec_fn=...)`, called in the run: the child gets SIGKILL when this
    process dies (None where the signal does not exist). A kill, not a SIGTERM: the
    run has already ended abnormally, the stores are crash-safe (the fault suite kills
    services with -9), and a graceful stop would wait up to 10 s for requests and 5 s
    for a NATS that is dying too, while the ports stay taken."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork

    def arm() -> None:  # in the child, between fork and exec
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the run died before the signal was armed
            os._exit(1)

    return arm


def port_taken(host: str, port: int) -> bool:
    """Whether a listener holds `host:port` (bound as uvicorn and nats-server bind)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def port_holder(port: int) -> str:
    """The process listening on `port`, as "pid 123 (command line)", from /proc; or a
    plain phrase where it cannot be seen (another user's process, not Linux)."""
    inodes = _listening_inodes(port)
    proc = Path("/proc")
    if inodes and proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
            except OSError:
                continue  # gone meanwhile, or not ours to see
            if any(f"socket:[{inode}]" in links for inode in inodes):
                return f"pid {entry.name} ({_command(entry)})"
    return "a process this user cannot see"


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # local address "0100007F:1F90", state 0A = LISTEN, inode in field 9
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def _command(entry: Path) -> str:
    try:
        words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace").split()
    except OSError:
        return "command unknown"
    command = " ".join(words)
    return command if len(command) <= 160 else command[:157] + "..."
