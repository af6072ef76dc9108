"""web_kit.py - what the browser tests share: where the pages and Chromium are, a server with a platform and an agent for a test class, and running a page driver (web/test/*-driver.mjs) on a job.

A driver gets one JSON job file and prints one JSON report on stdout; every
report carries the Content-Security-Policy violations, page errors and console
errors it saw, which must all be empty.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BACKEND, REPO, Server, World, pg_database, run_cli

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
        cls.srv = None
        try:
            cls.srv = cls.start_server()
            cls.world = World(cls.srv, cls.platform)
            cls.vkey = run_cli("log", "vkey", "--data", cls.srv.data_dir).stdout.decode().strip()
            cls.tmp = tempfile.mkdtemp(prefix="disputed-%s-" % cls.name.replace(" ", "-"))
        except Exception:
            if cls.srv:
                cls.srv.cleanup()
            raise

    @classmethod
    def start_server(cls):
        """The class's started server, with cls.<role> set for each of `keys`."""
        srv = Server()
        try:
            for role in cls.keys:
                setattr(cls, role, srv.key_create(role, "%s %s" % (cls.name, role)))
            return srv.start(args=["--test-clock=" + cls.clock] if cls.clock else None)
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
        # every page a driver showed (browser.mjs shoot) has text legible against its background
        self.assertEqual(out.get("contrast", []), [])
        return out


class Demo(Server):
    """`disputed demo` on a data directory of its own, on this run's backend, as `make demo` runs it:
    .keys and .tokens hold the API keys and the links' tokens it printed, by role."""

    def __init__(self):
        super().__init__(init=False)
        self.keys, self.tokens = {}, {}

    def start(self):
        printed = os.path.join(self.tmp, "printed.txt")
        with open(printed, "w") as out:
            super().start(args=["--db", pg_database()] if BACKEND == "postgres" else None,
                          command="demo", stdout=out, timeout=120)
        with open(printed) as f:
            self.printed = f.read()
        self.keys = dict(re.findall(r"^(\w+) key: (\S+)$", self.printed, re.M))
        self.tokens = dict(re.findall(r"^(\w+) link: http://\S+/app/#token=(\S+)$", self.printed, re.M))
        return self


class DemoCase(WebCase):
    """A browser test class on `disputed demo`'s server, its data and its printed links (cls.demo)."""

    @classmethod
    def start_server(cls):
        cls.demo = Demo()
        try:
            cls.demo.start()
        except Exception:
            cls.demo.cleanup()
            raise
        cls.platform, cls.agent = cls.demo.keys["platform"], cls.demo.keys["agent"]
        return cls.demo
