"""test_readme.py - the README's integration walkthrough runs as written and shows what it says."""
import os
import re
import subprocess
import tempfile
import unittest

from harness import BIN, REPO, free_port


def walkthrough():
    """The shell blocks between the walkthrough markers of README.md, in order."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        text = f.read()
    part = text.split("<!-- walkthrough:begin -->", 1)[1].split("<!-- walkthrough:end -->", 1)[0]
    return re.findall(r"```sh\n(.*?)```", part, re.S)


class ReadmeWalkthroughTest(unittest.TestCase):
    def test_walkthrough_runs_as_written(self):
        blocks = walkthrough()
        self.assertGreaterEqual(len(blocks), 15)
        port = str(free_port())
        script = "set -euo pipefail\n" + "\n".join(blocks)
        # the walkthrough names build/disputed and port 8062; run the binary under
        # test on a port that is free here, and nothing else changes
        script = script.replace("build/disputed", BIN).replace("8062", port)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTED_")}
        with tempfile.TemporaryDirectory(prefix="disputed-readme-") as tmp:
            env["TMPDIR"] = tmp   # the walkthrough's mktemp -d lands here, and goes with it
            p = subprocess.run(["bash", "-c", script], cwd=REPO, env=env, timeout=60,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out = p.stdout
        self.assertEqual(p.returncode, 0, "walkthrough failed:\n%s\n%s" % (out, p.stderr))
        # the merchant was stored with its verified identity
        self.assertIn('"uscc": "91350100M000100Y43"', out)
        self.assertIn('"identity_complete": false', out)
        # the order id was printed, and the consumer's token lists that order
        orders = re.findall(r"^ord_[0-9a-f]{24}$", out, re.M)
        self.assertEqual(len(orders), 1, out)
        self.assertGreaterEqual(out.count('"id": "%s"' % orders[0]), 1, out)
        # the merchant's view of the consumer has a name and no phone
        self.assertIn('"name": "李娜"', out)
        self.assertNotIn("13800138000", out)
        # the bundle verified offline against the log's key
        self.assertIn("VALID:", out)
        self.assertNotIn("INVALID", out)
        # the court's path: released by an agent on the default basis, and verified
        self.assertIn('{"state":"released","basis":"pipl_13_1_3"}', out)
        self.assertEqual(out.count("VALID: "), 2, out)
        self.assertRegex(out, r"complete: the log holds \d+ leaves of order ord_[0-9a-f]{24} "
                              r"within the bundle's checkpoint, all of them in the bundle")
        # the dispute was opened and the merchant's counter-offer moved it on
        self.assertIn('"state": "awaiting_merchant"', out)
        self.assertIn('"state": "negotiating"', out)
        # the merchant's settlement was credited, the consumer accepted the offer, and the
        # agreed sum moved at once, visibly in the merchant's timeline and in both balances
        self.assertIn('{"account":"settlement","balance":29900}', out)
        self.assertIn('{"state":"resolved","outcome":"partial_refund","paid":15000}', out)
        self.assertRegex(out, r'\{"operation":"execute","legs":\[\{"owner":"mer_[0-9a-f]{24}",'
                              r'"account":"settlement","amount":-15000\},\{"owner":'
                              r'"cus_[0-9a-f]{24}","account":"payable","amount":15000\}\]\}')
        self.assertIn('{"account":"settlement","balance":14900}', out)
        self.assertIn('{"account":"payable","balance":15000}', out)
        # the bad USCC was refused, naming the field
        self.assertIn('"code": "invalid_checksum"', out)
        self.assertIn('"param": "uscc"', out)


if __name__ == "__main__":
    unittest.main()
