/* bench_sha256.c - `make bench`: one-shot SHA-256 hashes per second, disputed's sha256() (OpenSSL's libcrypto as built) beside libsodium's, appended to docs/benchmarks.md. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/sha256.h"
#include "tlog/merkle.h"

/* Timed runs of each side; the fastest counts (the machine is shared). */
#define REPEATS 5
/* Hashes per run unless BENCH_SHA256_N says otherwise. */
#define DEFAULT_N 2000000

/* How a message is hashed: whole, or as the log hashes a leaf (a 0x00 byte, then the entry). */
enum way { WAY_ONE_SHOT, WAY_LEAF };

struct side_result {
	double per_sec;    /* fastest run */
	double ns_per;     /* its time per hash */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The leaf hash as libsodium computed it before disputed took SHA-256 from
 * OpenSSL: SHA-256(0x00 || entry) through its streaming state.
 */
static void sodium_leaf(const uint8_t *in, size_t len, uint8_t out[32])
{
	static const uint8_t prefix = 0x00;
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, in, len);
	crypto_hash_sha256_final(&st, out);
}

/* One timed run of `n` hashes; each message differs in its first bytes. */
static double run(int ours, enum way way, uint8_t *in, size_t len, long n, uint8_t *sink)
{
	uint8_t out[32];
	int64_t t0, t1;
	long i;

	t0 = mono_ns();
	for (i = 0; i < n; i++) {
		memcpy(in, &i, sizeof(i));
		if (way == WAY_ONE_SHOT && ours)
			sha256(out, in, len);
		else if (way == WAY_ONE_SHOT)
			crypto_hash_sha256(out, in, len);
		else if (ours)
			tlog_leaf_hash(in, len, out);
		else
			sodium_leaf(in, len, out);
		*sink ^= out[0];
	}
	t1 = mono_ns();
	return (double)(t1 - t0);
}

/* Both sides, their runs interleaved so both see the same machine; the fastest of each. */
static void measure(enum way way, size_t len, long n, struct side_result *ours,
		    struct side_result *sodium)
{
	uint8_t *in = malloc(len), sink = 0;
	double best[2] = {0, 0};
	int r, side;

	if (!in) {
		fprintf(stderr, "bench_sha256: out of memory\n");
		exit(1);
	}
	randombytes_buf(in, len);
	(void)run(1, way, in, len, n / 10 + 1, &sink); /* warm-up */
	(void)run(0, way, in, len, n / 10 + 1, &sink);
	for (r = 0; r < REPEATS; r++)
		for (side = 0; side < 2; side++) {
			double ns = run(side == 0, way, in, len, n, &sink);

			if (best[side] == 0 || ns < best[side])
				best[side] = ns;
		}
	ours->ns_per = best[0] / (double)n;
	ours->per_sec = 1e9 / ours->ns_per;
	sodium->ns_per = best[1] / (double)n;
	sodium->per_sec = 1e9 / sodium->ns_per;
	fprintf(stderr, "sha256 %s %zu bytes: %s %.0f/s, libsodium %.0f/s (sink %u)\n",
		way == WAY_LEAF ? "leaf" : "one-shot", len, sha256_backend(), ours->per_sec,
		sodium->per_sec, sink);
	free(in);
}

/* The two must agree before their speed means anything. */
static void check_same_bytes(void)
{
	uint8_t in[300], a[32], b[32];
	size_t len;

	randombytes_buf(in, sizeof(in));
	for (len = 0; len <= sizeof(in); len++) {
		sha256(a, in, len);
		crypto_hash_sha256(b, in, len);
		if (memcmp(a, b, 32) != 0) {
			fprintf(stderr, "bench_sha256: sha256() and libsodium differ at %zu bytes\n",
				len);
			exit(1);
		}
		tlog_leaf_hash(in, len, a);
		sodium_leaf(in, len, b);
		if (memcmp(a, b, 32) != 0) {
			fprintf(stderr, "bench_sha256: leaf hashes differ at %zu bytes\n", len);
			exit(1);
		}
	}
}

static void cpu_model(char *out, size_t cap)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	int sha_ni = 0;

	snprintf(out, cap, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) == 0 && strchr(line, ':') &&
		    strcmp(out, "unknown CPU") == 0) {
			snprintf(out, cap, "%s", strchr(line, ':') + 2);
			out[strcspn(out, "\n")] = '\0';
		}
		if (strncmp(line, "flags", 5) == 0 && strstr(line, " sha_ni"))
			sha_ni = 1;
	}
	fclose(f);
	if (strlen(out) + 40 < cap)
		strcat(out, sha_ni ? " (with the SHA extensions, sha_ni)"
				   : " (without the SHA extensions)");
}

int main(int argc, char **argv)
{
	static const struct {
		enum way way;
		size_t len;
		const char *what;
	} rows[] = {
		{WAY_ONE_SHOT, 64, "one-shot, 64 bytes"},
		{WAY_ONE_SHOT, 300, "one-shot, 300 bytes"},
		{WAY_LEAF, 300, "log leaf hash: 0x00 and a 300-byte entry"},
	};
	enum { NROWS = sizeof(rows) / sizeof(rows[0]) };
	struct side_result ours[NROWS], sodium[NROWS];
	const char *out = NULL, *commit = getenv("BENCH_COMMIT"), *env_n = getenv("BENCH_SHA256_N");
	long n = env_n && atol(env_n) > 0 ? atol(env_n) : DEFAULT_N;
	char date[32], cpu[300];
	time_t now = time(NULL);
	size_t i;
	FILE *f;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < (size_t)argc) {
			out = argv[++i];
		} else {
			fprintf(stderr, "usage: bench_sha256 [--out FILE.md]   "
					"(BENCH_SHA256_N: hashes per run, default %d)\n",
				DEFAULT_N);
			return 2;
		}
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bench_sha256: libsodium cannot start\n");
		return 1;
	}
	check_same_bytes();
	for (i = 0; i < NROWS; i++)
		measure(rows[i].way, rows[i].len, n, &ours[i], &sodium[i]);

	cpu_model(cpu, sizeof(cpu));
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	f = out ? fopen(out, "a") : stdout;
	if (!f) {
		fprintf(stderr, "bench_sha256: cannot write %s\n", out);
		return 1;
	}
	fprintf(f, "\n## SHA-256\n\n"
		   "Every hash disputed computes (log leaves and nodes, field commitments, blob "
		   "digests, token hashes) goes through `sha256()` (src/core/sha256.c), built here "
		   "with **%s**%s. Beside it, libsodium's `crypto_hash_sha256`, which computed them "
		   "before. One thread hashes %ld messages per run, each differing from the last; "
		   "the two sides' runs alternate, %d of each, and the fastest of each counts. "
		   "Both give the same bytes (checked first, at every length up to 300). CPU: %s. "
		   "Written by `bench/bench_sha256.c` on %s, at commit %s.\n\n"
		   "| message | sha256() (%s) hashes/s | libsodium hashes/s | ratio | time per hash, "
		   "%s / libsodium |\n|---|---:|---:|---:|---:|\n",
		sha256_backend(),
		strcmp(sha256_backend(), "openssl") == 0
			? " (OpenSSL's libcrypto through EVP: the digest fetched once, one context "
			  "per thread)"
			: " (`make SHA256=sodium`: both sides are libsodium)",
		n, REPEATS, cpu, date, commit && *commit ? commit : "unknown", sha256_backend(),
		sha256_backend());
	for (i = 0; i < NROWS; i++)
		fprintf(f, "| %s | %.0f | %.0f | %.2f× | %.0f / %.0f ns |\n", rows[i].what,
			ours[i].per_sec, sodium[i].per_sec, ours[i].per_sec / sodium[i].per_sec,
			ours[i].ns_per, sodium[i].ns_per);
	fprintf(f, "\nThe ratio is sha256()'s rate over libsodium's, in the same run. libsodium's "
		   "SHA-256 is portable C; OpenSSL picks, at run time, the fastest code the CPU "
		   "allows (the SHA extensions where there are any, else SIMD). The leaf row is "
		   "`tlog_leaf_hash` against libsodium's streaming state fed the same two parts.\n");
	if (out && fclose(f) != 0) {
		fprintf(stderr, "bench_sha256: cannot write %s\n", out);
		return 1;
	}
	return 0;
}
