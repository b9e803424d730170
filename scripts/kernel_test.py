"""Tests that the GoNB kernel, as the project's kernel spec starts it (through
scripts/gonb_kernel.py), shuts down cleanly: no "panic:" in its log, nothing
it started left running, and no SIGTERM needed; and that interrupting a
running cell still works, by message (as JupyterLab does) and by SIGINT.

    source scripts/env.sh && python3 scripts/kernel_test.py     (about 15 s)

Needs the set-up (scripts/setup.sh). Every process the kernels start carries
the variable WORKBOOK_KERNEL_TEST with a value of this run, which is how the
ones left behind are found.
"""

import os
import secrets
import signal
import sys
import tempfile
import time
import unittest

from jupyter_client import BlockingKernelClient, KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.session import Session

MARK = "WORKBOOK_KERNEL_TEST=" + secrets.token_hex(8)
os.environ[MARK.split("=")[0]] = MARK.split("=")[1]
# jupyter_client sends SIGTERM this long after shutdown_request, SIGKILL at twice that.
SIGTERM_AFTER = KernelManager().shutdown_wait_time / 2


def left_behind():
    """The processes still running that carry this run's marker."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if MARK.encode() not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                found.append(f"{pid}: " + f.read().replace(b"\0", b" ").decode(errors="replace")[:120])
        except OSError:
            pass
    return found


class Kernel:
    """One kernel from the project's spec, its log in a file."""

    def __init__(self, env=None):
        self.log = tempfile.NamedTemporaryFile(prefix="kernel-", suffix=".log", delete=False)
        self.km = KernelManager(kernel_name="gonb")
        self.km.start_kernel(stderr=self.log, stdout=self.log, env={**os.environ, **(env or {})})
        self.client = None

    def connect(self):
        """A client with a session of its own, as JupyterLab's server makes
        one per browser connection (not the manager's)."""
        km = self.km
        self.client = BlockingKernelClient(session=Session(key=km.session.key, signature_scheme=km.session.signature_scheme))
        self.client.load_connection_info(km.get_connection_info())
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)
        return self.client

    def run(self, code, timeout=180):
        """Runs a cell; returns its reply status and its printed text."""
        out = []
        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=lambda m: out.append(m["content"].get("text", "")))
        return reply["content"]["status"], "".join(out)

    def wait_for_gopls(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any("gopls" in p for p in left_behind()):
                return
            time.sleep(0.2)
        raise AssertionError("gopls did not start:\n" + "\n".join(left_behind()))

    def shutdown(self):
        """Shuts the kernel down as JupyterLab does; returns the seconds it took."""
        start = time.monotonic()
        self.km.shutdown_kernel(now=False)
        took = time.monotonic() - start
        if self.client:
            self.client.stop_channels()
        return took

    def text(self):
        self.log.close()
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def cleanup(self):
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        os.unlink(self.log.name)


class KernelTest(unittest.TestCase):
    def setUp(self):
        self.assertEqual(left_behind(), [], "processes of an earlier kernel are still running")

    def tearDown(self):
        for _ in range(20):  # a moment for the last ones to go
            if not left_behind():
                break
            time.sleep(0.1)
        left = left_behind()
        for line in left:
            try:
                os.kill(int(line.split(":")[0]), signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.assertEqual(left, [], "processes left behind by the kernel")

    def kernel(self, env=None):
        k = Kernel(env)
        self.addCleanup(k.cleanup)
        return k

    def assert_clean_log(self, k):
        log = k.text()
        self.assertNotIn("panic:", log, "the kernel's log")
        return log

    def test_spec_uses_the_launcher(self):
        argv = KernelSpecManager().get_kernel_spec("gonb").argv
        self.assertTrue(any(a.endswith("scripts/gonb_kernel.py") for a in argv), argv)

    def test_cell_interrupt_and_shutdown(self):
        k = self.kernel()
        k.connect()
        self.assertEqual(k.run('%%\nfmt.Println("hello")'), ("ok", "hello\n"))
        k.wait_for_gopls()

        # Interrupts: by message (the spec's interrupt_mode, what JupyterLab
        # sends), then by SIGINT (what Jupyter sends a kernel whose spec asks
        # for signals; the launcher passes it on to gonb).
        for how in ("message", "signal"):
            with self.subTest(interrupt=how):
                msg_id = k.client.execute('%%\nfmt.Println("started")\n'
                                          'for i := 0; i < 600; i++ { time.Sleep(100 * time.Millisecond) }\n'
                                          'fmt.Println("finished")')
                printed = ""
                deadline = time.monotonic() + 120
                while "started" not in printed:
                    msg = k.client.get_iopub_msg(timeout=max(1, deadline - time.monotonic()))
                    if msg["parent_header"].get("msg_id") == msg_id:
                        printed += msg["content"].get("text", "")
                start = time.monotonic()
                if how == "message":
                    k.km.interrupt_kernel()
                else:
                    k.km.signal_kernel(signal.SIGINT)
                while True:
                    reply = k.client.get_shell_msg(timeout=15)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        break
                self.assertLess(time.monotonic() - start, 10, "the interrupted cell stopped in time")
                self.assertNotEqual(reply["content"]["status"], "ok", "the interrupted cell's reply")
                self.assertTrue(k.km.is_alive(), "the kernel survives an interrupt")
                self.assertEqual(k.run('%%\nfmt.Println("after")'), ("ok", "after\n"), "a cell after the interrupt")

        took = k.shutdown()
        self.assertLess(took, SIGTERM_AFTER, "the kernel stopped on shutdown_request, without SIGTERM")
        self.assert_clean_log(k)

    def test_shutdown_with_no_client(self):
        # The case that made GoNB v0.11.5 hang until SIGTERM and then panic
        # about half of the time: no client ever connected on shell.
        for _ in range(3):
            k = self.kernel()
            k.wait_for_gopls()
            took = k.shutdown()
            self.assertLess(took, SIGTERM_AFTER, "the kernel stopped on shutdown_request, without SIGTERM")
            self.assert_clean_log(k)
            self.assertEqual(left_behind(), [])

    def test_stopped_by_sigterm(self):
        # The launcher's clean-up for kernels stopped the hard way: without its
        # idle shell peer the upstream bug is back (SIGTERM after 2.5 s, then a
        # panic about half of the time); the log must still show no panic and
        # nothing may be left running.
        notes = 0
        for _ in range(4):
            k = self.kernel({"WORKBOOK_GONB_NO_SHELL_PEER": "1"})
            k.wait_for_gopls()
            k.shutdown()
            log = self.assert_clean_log(k)
            notes += "known shutdown panic" in log
            for _ in range(20):
                if not left_behind():
                    break
                time.sleep(0.1)
            self.assertEqual(left_behind(), [])
        print(f"\n  (GoNB's shutdown panic happened and was handled in {notes} of 4 SIGTERM stops)", file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
