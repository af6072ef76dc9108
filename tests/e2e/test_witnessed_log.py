"""test_witnessed_log.py - a server configured with a witness: its checkpoints come back cosigned, and bundles verify with the witness's key."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import BIN, Server, World, run_cli
from test_witness import Witness


class WitnessedLogTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="disputed-witnessed-")
        cls.srv = Server(data_dir=os.path.join(cls.tmp, "data"),
                         init_args=["--origin", "shop.example.test/disputed"])
        cls.log_vkey = run_cli("log", "vkey", "--data", cls.srv.data_dir).stdout.decode().strip()
        cls.witness = Witness(cls.tmp, [cls.log_vkey]).start()
        cls.platform = cls.srv.key_create("platform", "e2e platform")
        cls.srv.start(env={"DISPUTED_WITNESS_URL": "http://127.0.0.1:%d" % cls.witness.port,
                           "DISPUTED_WITNESS_VKEY": cls.witness.vkey})
        cls.world = World(cls.srv, cls.platform)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.witness.stop()
            cls.srv.cleanup()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def cosigned_checkpoint(self, at_least):
        """Wait (bounded) for /checkpoint to carry a cosignature over a tree of at_least leaves."""
        deadline = time.time() + 15
        while time.time() < deadline:
            r = self.srv.request("GET", "/checkpoint")
            text = r.body.decode()
            lines = text.split("\n")
            if int(lines[1]) >= at_least and ("— %s " % self.witness.vkey.split("+")[0]) in text:
                return text
            time.sleep(0.1)
        self.fail("no cosigned checkpoint of size >= %d: %s" % (at_least, text))

    def verify(self, data, *args):
        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(data)
        try:
            return subprocess.run([BIN, "verify", "--vkey", self.log_vkey] + list(args) + [f.name],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        finally:
            os.unlink(f.name)

    def test_checkpoints_come_back_cosigned_and_verify_with_the_witness_key(self):
        m, lst, o = self.world.shop()
        size = o["payment"]["sealed"]["leaf_index"] + 1
        text = self.cosigned_checkpoint(size).encode()
        ok = self.verify(text, "--witness", self.witness.vkey)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn(b"cosigned by witness", ok.stdout)
        # a witness the checkpoint does not carry makes it fail
        other = os.path.join(self.tmp, "other-witness")
        k = run_cli("witness", "init", "--data", other, "--name", "other.witness.test")
        bad = self.verify(text, "--witness", k.stdout.decode().strip())
        self.assertEqual(bad.returncode, 1, bad.stdout)

    def test_bundle_lists_the_witness_and_verifies_with_it(self):
        m, lst, o = self.world.shop()
        self.cosigned_checkpoint(o["payment"]["sealed"]["leaf_index"] + 1)
        r = self.srv.request("GET", "/v1/orders/%s/bundle" % o["id"], token=self.platform,
                             raw_reply=True)
        self.assertEqual(r.status, 200)
        b = json.loads(r.body)
        self.assertEqual(b["witnesses"], [self.witness.vkey])
        ok = self.verify(r.body, "--witness", self.witness.vkey)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        # without --witness the listed witness is still checked, from the bundle's key
        ok = self.verify(r.body)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn(b"key listed in the bundle", ok.stdout)
        # a flipped byte in the cosignature line fails
        raw = bytearray(r.body)
        i = raw.index(("— %s " % self.witness.vkey.split("+")[0]).encode()) + 30
        raw[i] ^= 1
        bad = self.verify(bytes(raw))
        self.assertEqual(bad.returncode, 1, bad.stdout)


if __name__ == "__main__":
    unittest.main()
