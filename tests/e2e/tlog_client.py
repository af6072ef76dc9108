"""tlog_client.py - the evidence log read as an outside client reads it, from the specifications alone: RFC 9162 hashes, C2SP tlog-tiles paths and entry bundles, over HTTP or from a data directory's files."""
import hashlib
import os


def leaf_hash(entry):
    """RFC 9162 2.1.1: the hash of one leaf's bytes."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """RFC 9162 2.1.1: the root of a list of leaf hashes, straight from its recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def tile_index(n):
    """N in tlog-tiles path form: 1234067 -> x001/x234/067."""
    digits = "%d" % n
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


def tile_path(kind, n, width):
    """The path of tile `n` of `kind` ("0", "1", … or "entries") holding `width` of 256."""
    return "/tile/%s/%s%s" % (kind, tile_index(n), "" if width == 256 else ".p/%d" % width)


def bundle_entries(data):
    """The entries of an entry bundle: each a big-endian 2-byte length and its bytes."""
    entries = []
    while data:
        length = int.from_bytes(data[:2], "big")
        entries.append(data[2:2 + length])
        data = data[2 + length:]
    return entries


def _entries(size, read):
    """The first `size` entries, each bundle's bytes from read(path)."""
    entries = []
    for n in range((size + 255) // 256):
        width = min(256, size - 256 * n)
        got = bundle_entries(read(tile_path("entries", n, width)))
        assert len(got) == width, (n, width, len(got))
        entries += got
    return entries


def served_entries(srv, size=None):
    """The log's first `size` entries (all of the served checkpoint's by default), read from
    the entry bundles the server serves."""
    def read(path):
        r = srv.request("GET", path, raw_reply=True)
        assert r.status == 200, (path, r.status)
        return r.body

    if size is None:
        r = srv.request("GET", "/checkpoint", raw_reply=True)
        assert r.status == 200, r
        size = int(r.body.decode().split("\n")[1])
    return _entries(size, read)


def stored_size(data_dir):
    """The tree size of the data directory's stored checkpoint (its second line)."""
    with open(os.path.join(data_dir, "checkpoint"), encoding="utf-8") as f:
        return int(f.read().split("\n")[1])


def stored_entries(data_dir):
    """Every entry of the stored checkpoint's tree, read from the data directory's files."""
    def read(path):
        with open(os.path.join(data_dir, path.lstrip("/")), "rb") as f:
            return f.read()

    return _entries(stored_size(data_dir), read)
