"""Starts the GoNB kernel for Jupyter and makes it shut down cleanly.

The kernel spec that scripts/setup.sh writes runs this with the project's venv
Python, the gonb binary and gonb's own arguments:

    python scripts/gonb_kernel.py /path/to/gonb --kernel {connection_file} [flags]

It works around two bugs of GoNB v0.11.5 (docs/kernel.md says more):

1. GoNB sends every reply on its shell socket, replies to requests that came
   on the control socket (interrupt_request, shutdown_request) included. Its
   ZeroMQ library (go-zeromq/zmq4) blocks a send on a ROUTER socket that has
   never had a peer, so a kernel that no client has connected to on shell
   (jupyter_client's KernelManager talks to it on control only) hangs in its
   interrupt_reply and never acts on the shutdown_request behind it. After
   2.5 s jupyter_client sends SIGTERM; GoNB's signal handler calls
   Kernel.Stop, the queued shutdown_request then calls it again, and Stop
   closes its channel a second time: "panic: close of closed channel"
   (kernel.go:152). GoNB dies before it stops gopls, which it starts in a
   process group of its own, so gopls and its telemetry child are orphaned.
   This launcher connects one idle peer to the shell socket as soon as the
   kernel listens, so those replies go nowhere at once, as ZeroMQ replies to
   an unknown peer should, and shutdown_request is handled in milliseconds.

2. For whatever still ends the kernel the hard way (a signal, a crash), the
   launcher runs gonb in its own process group with an environment variable
   that every process it starts inherits (gopls, the cell programs, go
   build), and when gonb exits it ends every process that still carries the
   variable and removes the temporary folder a crashed gonb left. The known
   shutdown panic is kept out of the log (one line says it happened) and the
   exit status is then 0; any other panic is passed on as it is.

SIGINT is passed on to gonb (an interrupt: it stops the running cell), and so
are SIGTERM and SIGHUP (a stop). Jupyter interrupts GoNB by message
(interrupt_mode "message" in the kernel spec), which this leaves alone.
"""

import ctypes
import os
import secrets
import signal
import subprocess
import sys
import threading
import time

MARKER = "WORKBOOK_GONB_KERNEL"  # carried by gonb and everything it starts
PR_SET_PDEATHSIG = 1
# How long gonb has to stop after SIGTERM before it is killed. jupyter_client
# kills the whole kernel 2.5 s after its SIGTERM: stay below that, so that the
# clean-up below still runs.
STOP_GRACE = 1.5


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gonb_kernel.py GONB [gonb flags...]")
    gonb, args = sys.argv[1], sys.argv[2:]
    mark = f"{os.getpid()}-{secrets.token_hex(6)}"
    parent = os.getpid()
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # Linux only
    proc = None
    pending = []  # signals that came before gonb started
    stopping = threading.Event()

    def child_setup():
        os.setpgid(0, 0)  # signals for the kernel reach gonb only through us
        # gonb dies with this launcher, should the launcher be killed (SIGKILL).
        if prctl:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the launcher died before prctl
            os._exit(1)

    def forward(signum, _frame):
        if signum != signal.SIGINT:
            if stopping.is_set():
                return  # once is enough: a second SIGTERM could race in gonb too
            stopping.set()
        if proc is None:
            pending.append(signum)
            return
        if signum != signal.SIGINT:
            threading.Thread(target=kill_after, args=(proc, STOP_GRACE), daemon=True).start()
        try:
            os.kill(proc.pid, signum)
        except ProcessLookupError:
            pass

    # Handlers before the start, so that no signal is lost; gonb starts with
    # the default dispositions (exec resets handled signals).
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, forward)
    proc = subprocess.Popen([gonb, *args], env={**os.environ, MARKER: mark},
                            stderr=subprocess.PIPE, preexec_fn=child_setup)
    known_panic = threading.Event()
    log = threading.Thread(target=copy_log, args=(proc.stderr, sys.stderr.buffer, known_panic), daemon=True)
    log.start()
    peer = ShellPeer(connection_file(args))
    if pending:
        stopping.clear()
        for signum in pending:
            forward(signum, None)

    rc = proc.wait()
    peer.close()
    # gonb stops gopls and removes its folder when it stops cleanly; whatever
    # it left (it crashed, or was killed) goes now.
    tmp = end_processes(mark)
    log.join(5)
    if tmp and rc != 0:
        remove_gonb_tmp(tmp)
    if known_panic.is_set():
        rc = 0
    sys.exit(rc if rc >= 0 else 128 - rc)


def kill_after(proc, seconds):
    """Kills gonb if it has not stopped after the given time."""
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def copy_log(src, dst, known_panic):
    """Copies gonb's stderr (its log) line by line. From a "panic:" line on, the
    lines are held back until gonb exits: the known shutdown panic becomes one
    line (and known_panic is set), anything else is written out in full."""
    held = []
    for line in iter(src.readline, b""):
        if held or line.startswith(b"panic: "):
            held.append(line)
            continue
        dst.write(line)
        dst.flush()
    text = b"".join(held)
    if held and held[0].startswith(b"panic: close of closed channel") and \
            b"gonb/internal/kernel.(*Kernel).Stop(" in text:
        known_panic.set()
        dst.write(b"gonb_kernel.py: GoNB stopped twice (its known shutdown panic, "
                  b"close of closed channel in Kernel.Stop); its processes are ended here\n")
        dst.flush()
    elif held:
        dst.write(text)
        dst.flush()


def connection_file(args):
    """The connection file named by gonb's --kernel flag."""
    for i, a in enumerate(args):
        if a in ("--kernel", "-kernel") and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(("--kernel=", "-kernel=")):
            return a.split("=", 1)[1]
    return None


class ShellPeer:
    """One idle ZeroMQ DEALER connected to the kernel's shell socket (see bug 1
    above). ZeroMQ connects in the background and retries until the kernel
    listens. Set WORKBOOK_GONB_NO_SHELL_PEER=1 to leave it out (the kernel
    test uses that to check the clean-up that is left for the hard way)."""

    def __init__(self, path):
        self.ctx = self.sock = None
        if not path or os.environ.get("WORKBOOK_GONB_NO_SHELL_PEER"):
            return
        try:
            import json
            import zmq
            info = json.load(open(path))
            if info.get("transport", "tcp") == "ipc":
                url = f"ipc://{info['ip']}-{info['shell_port']}"
            else:
                url = f"tcp://{info['ip']}:{info['shell_port']}"
            self.ctx = zmq.Context()
            self.sock = self.ctx.socket(zmq.DEALER)
            self.sock.linger = 0
            self.sock.connect(url)
        except Exception as e:  # the kernel still works; only its shutdown may be slow
            print(f"gonb_kernel.py: no idle shell peer ({e}); shutdown may take 2.5 s", file=sys.stderr)

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.ctx.term()


def end_processes(mark):
    """Ends every process that carries the marker: SIGTERM, then SIGKILL for
    those still there after a second. Returns the GoNB temporary folder one
    of them names (GONB_TMP_DIR), if any."""
    tmp = None
    pids = marked(mark)
    for pid, env in pids.items():
        tmp = tmp or env.get(b"GONB_TMP_DIR")
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 1
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = marked(mark)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return tmp.decode(errors="replace") if tmp else None


def marked(mark):
    """The processes (pid: environment) whose environment holds the marker."""
    want = f"{MARKER}={mark}".encode()
    found = {}
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:  # no /proc: not Linux
        return found
    for pid in pids:
        if pid == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if want in env:
            found[pid] = dict(v.split(b"=", 1) for v in env if b"=" in v)
    return found


def remove_gonb_tmp(path):
    """Removes the temporary folder of a gonb that died without removing it,
    if it looks like one (TMPDIR/gonb_<id>)."""
    import shutil
    import tempfile
    path = os.path.realpath(path)
    if os.path.basename(path).startswith("gonb_") and \
            os.path.dirname(path) == os.path.realpath(tempfile.gettempdir()):
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
