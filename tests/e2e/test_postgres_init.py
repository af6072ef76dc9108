"""test_postgres_init.py - `disputed init --db postgres://…` against a throwaway PostgreSQL cluster of the test's own."""
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import run_cli
from pg_cluster import PgCluster

_n = [0]


def fresh_name(prefix):
    _n[0] += 1
    return "%s_%d_%d" % (prefix, os.getpid(), _n[0])


class PostgresInitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgCluster().start()
        cls.tmp = tempfile.mkdtemp(prefix="disputed-pginit-")

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def data_dir(self):
        return os.path.join(self.tmp, fresh_name("data"))

    def psql(self, url, sql):
        res = subprocess.run(["psql", url, "-Atc", sql], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        return res.stdout.decode().strip()

    def test_init_migrates_the_database_and_the_directory_names_it(self):
        url = self.pg.create_database(fresh_name("init"))
        data = self.data_dir()
        res = run_cli("init", "--data", data, "--origin", "shop.example/disputed", "--db", url)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        conf = os.path.join(data, "disputed.conf")
        self.assertEqual(stat.S_IMODE(os.stat(conf).st_mode), 0o600)
        with open(conf) as f:
            text = f.read()
        self.assertIn("[store]", text)
        self.assertIn("db=" + url, text)
        self.assertTrue(os.path.isdir(os.path.join(data, "keys")))
        self.assertTrue(os.path.isdir(os.path.join(data, "blobs")))
        self.assertFalse(os.path.exists(os.path.join(data, "disputed.db")))
        self.assertEqual(self.psql(url, "SELECT value FROM meta WHERE key = 'origin'"),
                         "shop.example/disputed")
        version = int(self.psql(url, "SELECT max(version) FROM schema_migrations"))
        self.assertGreaterEqual(version, 19)  # every migration of migrations.c, in order
        self.assertEqual(self.psql(url, "SELECT count(*) FROM schema_migrations"), str(version))

        # a second deployment on the same database is refused, and makes no directory
        other = self.data_dir()
        res = run_cli("init", "--data", other, "--db", url)
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"already holds a disputed deployment", res.stderr)
        self.assertFalse(os.path.exists(other))

        # the directory's commands open its database: keys live there
        res = run_cli("key", "create", "--data", data, "--role", "platform", "--name", "ops")
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        self.assertTrue(res.stdout.startswith(b"dsk_"))
        self.assertEqual(self.psql(url, "SELECT name FROM api_keys"), "ops")
        res = run_cli("key", "list", "--data", data)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        self.assertIn(b"ops", res.stdout)

        # the audit of the new directory reads its records and seals from PostgreSQL
        res = run_cli("audit", "--data", data)
        self.assertEqual(res.returncode, 0, res.stdout.decode() + res.stderr.decode())
        self.assertTrue(res.stdout.decode().rstrip().endswith(": 0 problems"), res.stdout)

    def test_a_password_in_the_url_is_refused_and_never_shown(self):
        data = self.data_dir()
        url = "postgres://postgres:hunter2-secret@127.0.0.1:%d/disputed" % self.pg.port
        res = run_cli("init", "--data", data, "--db", url)
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"PGPASSFILE", res.stderr)
        self.assertNotIn(b"hunter2-secret", res.stderr + res.stdout)
        self.assertFalse(os.path.exists(data))

    def test_an_unreachable_server_is_named_and_leaves_nothing(self):
        data = self.data_dir()
        res = run_cli("init", "--data", data, "--db", "postgres://nobody@127.0.0.1:1/nothing")
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"cannot connect to PostgreSQL nobody@127.0.0.1:1/nothing", res.stderr)
        self.assertFalse(os.path.exists(data))

    def test_disputed_db_overrides_the_directory(self):
        # an SQLite directory works as before, and DISPUTED_DB points it elsewhere
        data = self.data_dir()
        self.assertEqual(run_cli("init", "--data", data).returncode, 0)
        res = run_cli("key", "create", "--data", data, "--role", "platform", "--name", "ops")
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        other = self.pg.create_database(fresh_name("over"))
        res = run_cli("key", "create", "--data", data, "--role", "platform", "--name", "elsewhere",
                      env={"DISPUTED_DB": other})
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        self.assertEqual(self.psql(other, "SELECT name FROM api_keys"), "elsewhere")

        # and init takes the URL from DISPUTED_DB when --db is not given
        url = self.pg.create_database(fresh_name("env"))
        data2 = self.data_dir()
        res = run_cli("init", "--data", data2, env={"DISPUTED_DB": url})
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        self.assertIn(b"on PostgreSQL", res.stdout)
        self.assertEqual(self.psql(url, "SELECT count(*) FROM meta WHERE key = 'origin'"), "1")


if __name__ == "__main__":
    unittest.main()
