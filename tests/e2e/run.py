#!/usr/bin/env python3
"""run.py - run the end-to-end suite (tests/e2e/test_*.py) and print one summary line.

Usage: DISPUTED_BIN=build/disputed python3 tests/e2e/run.py [unittest name patterns…]
Exits 1 if any test failed or errored. The summary line starts "e2e-pg:" when
DISPUTED_TEST_BACKEND=postgres (harness.py), else "e2e:".
"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class CountingResult(unittest.TextTestResult):
    """Counts successes directly: a setUpClass error is an error but not a test run."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0
        self.module_s = {}  # module -> seconds, its classes' set-up and tear-down included
        self.mark = time.monotonic()

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1

    def stopTest(self, test):
        super().stopTest(test)
        # the time since the last test stopped: this one, and any class or
        # module set-up before it (tear-downs count to the test after them)
        now = time.monotonic()
        mod = type(test).__module__
        self.module_s[mod] = self.module_s.get(mod, 0.0) + now - self.mark
        self.mark = now

    def slowest(self, n):
        """The n modules that took longest, as one line each."""
        rows = sorted(((m, s) for m, s in self.module_s.items() if s >= 0.05),
                      key=lambda kv: -kv[1])[:n]
        return ["  %6.1f s  %s" % (s, mod) for mod, s in rows]


def main(argv):
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if len(argv) > 1:
        loader.testNamePatterns = ["*%s*" % p for p in argv[1:]]
    suite = loader.discover(start_dir=HERE, pattern="test_*.py", top_level_dir=HERE)
    runner = unittest.TextTestRunner(verbosity=2, stream=sys.stderr,
                                     resultclass=CountingResult)
    t0 = time.monotonic()
    result = runner.run(suite)
    took = time.monotonic() - t0
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.passed + len(result.expectedFailures)
    # the two backends' summaries side by side in `make check` say which is which
    name = "e2e-pg" if os.environ.get("DISPUTED_TEST_BACKEND") == "postgres" else "e2e"
    line = "%s: %d passed, %d failed" % (name, passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    # where the suite's time goes, for whoever keeps `make check` short
    print("%s took %.0f s; its slowest modules:\n%s"
          % (name, took, "\n".join(result.slowest(10))), file=sys.stderr)
    sys.stderr.flush()
    print(line)
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
