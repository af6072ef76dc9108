"""web_kit.py - what the browser tests share: where the pages and Chromium are, a server with a platform and an agent for a test class, and running a page driver (web/test/*-driver.mjs) on a job.

A driver gets one JSON job file and prints one JSON report on stdout; every
report carries the Content-Security-Policy violations, page errors and console
errors it saw, which must all be empty.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import REPO, Server, World, run_cli

WEB = os.path.join(REPO, "web")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def browser_missing():
    """Why the browser tests cannot run here, or None."""
    if not os.path.exists(CHROMIUM):
        return "no Chromium at %s (scripts/deps.sh installs Debian's chromium)" % CHROMIUM
    if not os.path.isdir(os.path.join(WEB, "node_modules", "playwright-core")):
        return "web/node_modules has no playwright-core (make web-deps runs npm ci in web/)"
    if shutil.which("node") is None:
        return "no node"
    return None


class WebCase(unittest.TestCase):
    """A test class's own server (an API key per role of `keys`, `clock` when set) and scratch directory."""

    name = "web"                    # in the keys' labels and the scratch directory's name
    clock = None                    # a test clock's start (RFC 3339), or None for the real clock
    keys = ("platform", "agent")    # an API key for each role, as cls.<role>

    @classmethod
    def setUpClass(cls):
        cls.srv = srv = Server()
        try:
            for role in cls.keys:
                setattr(cls, role, srv.key_create(role, "%s %s" % (cls.name, role)))
            srv.start(args=["--test-clock=" + cls.clock] if cls.clock else None)
            cls.world = World(srv, cls.platform)
            cls.vkey = run_cli("log", "vkey", "--data", srv.data_dir).stdout.decode().strip()
            cls.tmp = tempfile.mkdtemp(prefix="disputed-%s-" % cls.name.replace(" ", "-"))
        except Exception:
            srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.srv.port

    def link(self, token):
        """The sign-in link the platform's app would give the holder of `token`."""
        return "%s/app/#token=%s" % (self.base, token)

    def write(self, name, data):
        """A scratch file `name` holding the bytes `data`; its path."""
        p = os.path.join(self.tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r.body)
        return r.body

    def api(self, path, token=None):
        """GET `path` as `token` (the platform by default), which must answer 200."""
        return self.ok(self.srv.request("GET", path, token=token or self.platform))

    def drive(self, driver, job, timeout):
        """Run web/test/`driver` on `job` and return its report, which must show a clean page."""
        jobfile = self.write("job.json", json.dumps(job).encode())
        p = subprocess.run(["node", os.path.join(WEB, "test", driver), jobfile],
                           capture_output=True, timeout=timeout, cwd=WEB)
        self.assertEqual(p.returncode, 0, p.stderr.decode()[-3000:])
        out = json.loads(p.stdout)
        self.assertEqual(out["csp"], [])
        self.assertEqual(out["page_errors"], [])
        self.assertEqual(out["console_errors"], [])
        return out
