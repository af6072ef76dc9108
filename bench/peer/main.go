// Command tlog_peer is the peer of bench_log's tree and proof figures: Go's
// golang.org/x/mod/sumdb/tlog, in memory, on the same leaves (leaf i is the
// decimal text of i, hashed as tlog.RecordHash: SHA-256 of 0x00 and the text).
//
// Usage: tlog_peer LEAVES PROOFS
//
// It builds the tree of LEAVES leaves with tlog.StoredHashes, keeping every
// stored hash in a slice (the package's in-memory storage), then makes PROOFS
// inclusion proofs of random leaves with tlog.ProveRecord against the whole
// tree untimed and as many again timed, checks a sample with tlog.CheckRecord, and prints one line:
//
//	leaves=N build_s=S leaves_per_s=R proofs=P proof_us=U proofs_per_s=Q root=HEX
package main

import (
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// hashStore is the in-memory storage of the stored hashes.
type hashStore []tlog.Hash

func (s *hashStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = (*s)[x]
	}
	return out, nil
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "tlog_peer: %s: %v\n", what, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tlog_peer LEAVES PROOFS")
		os.Exit(2)
	}
	n, err1 := strconv.ParseInt(os.Args[1], 10, 64)
	proofs, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || n < 2 || proofs < 1 {
		fmt.Fprintln(os.Stderr, "tlog_peer: LEAVES (at least 2) and PROOFS are numbers")
		os.Exit(2)
	}

	store := make(hashStore, 0, 2*n)
	buf := make([]byte, 0, 24)
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		buf = strconv.AppendInt(buf[:0], i, 10)
		hashes, err := tlog.StoredHashes(i, buf, &store)
		if err != nil {
			fail("StoredHashes", err)
		}
		store = append(store, hashes...)
	}
	build := time.Since(t0).Seconds()
	root, err := tlog.TreeHash(n, &store)
	if err != nil {
		fail("TreeHash", err)
	}

	rng := rand.New(rand.NewSource(1))
	picks := make([]int64, proofs)
	for i := range picks {
		picks[i] = rng.Int63n(n)
	}
	// as many proofs untimed first, as the C side makes before timing its own
	for i := 0; i < proofs; i++ {
		if _, err := tlog.ProveRecord(n, rng.Int63n(n), &store); err != nil {
			fail("ProveRecord", err)
		}
	}
	t0 = time.Now()
	for _, x := range picks {
		if _, err := tlog.ProveRecord(n, x, &store); err != nil {
			fail("ProveRecord", err)
		}
	}
	prove := time.Since(t0).Seconds()
	for i := 0; i < 100 && i < proofs; i++ {
		x := picks[i]
		p, err := tlog.ProveRecord(n, x, &store)
		if err != nil {
			fail("ProveRecord", err)
		}
		buf = strconv.AppendInt(buf[:0], x, 10)
		if err := tlog.CheckRecord(p, n, root, x, tlog.RecordHash(buf)); err != nil {
			fail("CheckRecord", err)
		}
	}
	fmt.Printf("leaves=%d build_s=%.3f leaves_per_s=%.0f proofs=%d proof_us=%.3f proofs_per_s=%.0f root=%s\n",
		n, build, float64(n)/build, proofs, prove/float64(proofs)*1e6,
		float64(proofs)/prove, hex.EncodeToString(root[:]))
}
