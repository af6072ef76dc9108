# Makefile - the one build of disputed: the server binary, its tests, benchmarks and fuzzers.

CC      ?= cc
PKGS    := libmicrohttpd jansson libsodium sqlite3 libpq glib-2.0 libcurl zlib cairo cairo-pdf pangocairo libjpeg vips
# SHA-256 from OpenSSL's libcrypto (the default) or, with `make SHA256=sodium`,
# from libsodium (src/core/sha256.c); the libsodium build lives in its own
# directory (build/sodium) so the two never share objects.
SHA256  ?= openssl
ifeq ($(SHA256),openssl)
PKGS    += libcrypto
SHA256_DEF :=
else ifeq ($(SHA256),sodium)
SHA256_DEF := -DDISPUTED_SHA256_SODIUM
else
$(error SHA256 must be openssl or sodium, not $(SHA256))
endif

CFLAGS_WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wsign-compare
CFLAGS  ?= -O2 -g
CPPFLAGS_ALL := -D_DEFAULT_SOURCE -D_GNU_SOURCE $(SHA256_DEF) -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -llinear -lpthread -lm

ifeq ($(SANITIZE),1)
BUILD   := build/san
# the font and glyph caches of fontconfig and cairo live as long as the process
export LSAN_OPTIONS := suppressions=$(abspath scripts/lsan.supp):print_suppressions=0
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := build
endif
ifeq ($(SHA256),sodium)
BUILD   := $(BUILD)/sodium
endif

WERROR  ?= -Werror
ALLCFLAGS = $(CFLAGS_WARN) $(WERROR) $(CFLAGS) $(CPPFLAGS_ALL) -MMD -MP

LIB_SRC := $(sort $(wildcard src/core/*.c src/store/*.c src/evidence/*.c src/ingest/*.c src/tlog/*.c \
                             src/cases/*.c src/funds/*.c src/http/*.c src/cli/*.c src/notify/*.c \
                             src/report/*.c src/disclose/*.c src/assist/*.c src/risk/*.c))
LIB_SRC := $(filter-out src/cli/main.c,$(LIB_SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/src/cli/main.o
LIBA    := $(BUILD)/libdisputed.a
BIN     := $(BUILD)/disputed

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Helpers the tests run (tests/tools/*.c), built only for them: build/tools/<name>.
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all check unit e2e e2e-pg openapi demo demo-pg-stop deps bench fuzz fuzz-run soak clean model web-deps web-unit screenshots
all: $(BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALLCFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBA) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS) -lcmocka

$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

# Benchmarks: bench/bench_<name>.c, built against the archive. `make bench`
# runs the log's benchmark (about 3 minutes) and writes docs/benchmarks.md,
# then SHA-256 against libsodium (about 20 s), HTTP writes beside /healthz
# (about 70 s), the same writes at 64 connections on SQLite and on a durable
# throwaway PostgreSQL with one node and with three (about 60 s), the log's
# sequencer on PostgreSQL sealing a backlog of 40,000 seals (about 40 s),
# `disputed import` of 10^5 orders beside a plain SQLite floor
# (a few minutes; BENCH_GROWTH=1 adds the growth to 10^6 and 10^7 records,
# hours), the ledger's (about 40 s) and the photo comparison against
# ImageMagick (about 4 minutes, nearly all ImageMagick's) and the bytes on
# disk per imported order (about a minute; DISK_ORDERS sets how many) add
# their sections.
# Each script says which BENCH_* variables shorten it.
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

bench: $(BUILD)/bench/bench_log $(BUILD)/bench/bench_funds $(BUILD)/bench/bench_sha256 $(BIN)
	scripts/deps.sh bench
	$(MAKE) $(BUILD)/bench/tlog_peer
	BENCH_COMMIT="$$(git rev-parse --short HEAD 2>/dev/null)$$(git diff --quiet HEAD 2>/dev/null || echo +changes)" \
		$(BUILD)/bench/bench_log --out docs/benchmarks.md --dir $(BUILD)/bench/tmp
	BENCH_COMMIT="$$(git rev-parse --short HEAD 2>/dev/null)$$(git diff --quiet HEAD 2>/dev/null || echo +changes)" \
		$(BUILD)/bench/bench_sha256 --out docs/benchmarks.md
	bench/bench_http.sh $(BIN) docs/benchmarks.md
	bench/bench_http_pg.sh $(BIN) docs/benchmarks.md
	bench/bench_sequencer_pg.py $(BIN) docs/benchmarks.md
	bench/bench_import.sh $(BIN) docs/benchmarks.md
	BENCH_COMMIT="$$(git rev-parse --short HEAD 2>/dev/null)$$(git diff --quiet HEAD 2>/dev/null || echo +changes)" \
		$(BUILD)/bench/bench_funds --out docs/benchmarks.md --dir $(BUILD)/bench/tmp
	bench/bench_image.sh $(BIN) docs/benchmarks.md
	python3 bench/disk_per_order.py --bin $(BIN) --out docs/benchmarks.md

# The Go peer of the log's tree and proof figures (bench/peer), built offline
# against Debian's golang-golang-x-mod-dev under /usr/share/gocode.
$(BUILD)/bench/tlog_peer: bench/peer/main.go
	@mkdir -p $(dir $@)
	GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE=$(abspath $(BUILD)/gocache) \
		go build -o $@ ./bench/peer

deps:
	scripts/deps.sh

# The whole suite: unit tests, end-to-end tests over HTTP (the pages' in
# Debian's Chromium among them) on SQLite and again on PostgreSQL, the pages'
# own unit tests, the API spec. Built with a job per core, then the suites
# run side by side, each one's output shown whole when it ends (-O): they
# spend most of their time waiting (for servers' timers, fsyncs, the browser),
# not on a core. Measured on this project's 2-core machines (2026-12-08):
# one after the other, unit took 3.3 minutes, e2e 5.7 and e2e-pg 9.6; side by
# side 3.9, 7.8 and 10.3, and the whole of `make check` from a clean clone
# 11.8 (25 to 28 before, with a serial build). JOBS sets the build's jobs
# (here and in `make demo`).
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
check: deps
	$(MAKE) -j$(JOBS) $(BIN) $(UNIT_BIN) $(TOOL_BIN) web-deps
	$(MAKE) -j5 -Otarget unit web-unit e2e e2e-pg openapi

# The PostgreSQL store's tests (test_store_pg) get a throwaway cluster of
# their own for the run: DISPUTED_TEST_PG names it.
unit: $(UNIT_BIN)
	python3 tests/e2e/pg_cluster.py run -- scripts/run-unit.sh $(UNIT_BIN)

e2e: $(BIN) $(TOOL_BIN)
	DISPUTED_BIN=$(abspath $(BIN)) CKPT_TOOL=$(abspath $(BUILD)/tools/ckpt_tool) \
		python3 tests/e2e/run.py

# The e2e suite on PostgreSQL, all of it, browser tests too: every
# harness.Server inits its data directory with --db on a fresh database of one
# throwaway cluster for the whole run (DISPUTED_TEST_BACKEND=postgres,
# docs/postgres.md); tests that read or tamper with the database do it through
# harness.sql(). Each Server's database is a copy of one this run's first
# `disputed init` migrated (harness.pg_database): copying it costs a fraction
# of migrating each anew.
e2e-pg: $(BIN) $(TOOL_BIN)
	DISPUTED_TEST_BACKEND=postgres DISPUTED_BIN=$(abspath $(BIN)) \
		CKPT_TOOL=$(abspath $(BUILD)/tools/ckpt_tool) python3 tests/e2e/run.py

openapi: $(BIN)
	scripts/check-openapi.sh $(BIN)

# The pages (web/) are plain ES modules served as they are: nothing to build.
# Their tests' one npm package, playwright-core (which drives the system's
# chromium and downloads no browser), comes from web/package-lock.json.
web-deps: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web-unit:
	cd web && node --test test/*.test.mjs

# Screenshots of the pages at a phone's (360 px) and a desktop's width, in
# both languages, taken by the browser tests into docs/screenshots/ as
# PARTY-PAGE-{phone,desktop}-{zh,en}.png (the drivers' shoot(), browser.mjs
# shootNamed), then listed in docs/screenshots/README.md
# (scripts/screenshots-index.sh). Each test that takes them is one line here:
# add a party's pages by adding its test.
SCREENSHOT_TESTS := WebVerifyTest.test_the_page_and_the_command_agree
SCREENSHOT_TESTS += WebConsumerTest.test_a_consumer_signs_in_by_link
SCREENSHOT_TESTS += WebStaffTest.test_the_merchant_counters_and_the_agent_decides
SCREENSHOT_TESTS += WebCourtTest.test_a_court_requests_downloads_and_verifies
SCREENSHOT_TESTS += WebConsumerCourtTest.test_counter_offer_appeal_disclosure_desk_and_a_court
SCREENSHOT_TESTS += WebStaffBadPathsTest.test_bad_paths_are_said_on_the_page_and_change_nothing
SCREENSHOT_TESTS += WebRegulatorTest.test_the_regulator_reads_the_report_as_charts_tables_and_csv
screenshots: $(BIN) $(TOOL_BIN) web-deps
	DISPUTED_SCREENSHOTS=$(abspath docs/screenshots) DISPUTED_BIN=$(abspath $(BIN)) \
		python3 tests/e2e/run.py $(SCREENSHOT_TESTS)
	scripts/screenshots-index.sh docs/screenshots > docs/screenshots/README.md

# The crash loop of `make check` (tests/e2e/test_crash_loop.py) for many more
# rounds: SIGKILL the server under concurrent writers, restart, and check.
SOAK_ROUNDS ?= 200
soak: $(BIN)
	DISPUTED_BIN=$(abspath $(BIN)) python3 tests/e2e/crashloop.py --rounds $(SOAK_ROUNDS)

# The dispute-focus model: retrain etc/focus.model from the labelled texts
# committed under data/focus/ (scripts/focus-model.sh says which). Training is
# deterministic, and an e2e test fails while the committed model is not what
# the committed data give: run this after changing the data or the trainer.
model: $(BIN)
	scripts/focus-model.sh $(BIN) etc/focus.model

# `make demo DB=postgres`: the demo's records in PostgreSQL, $DISPUTED_DB if it is set,
# else a fresh database in a local cluster of the demo's own under build/demo-pg/
# (scripts/demo-pg.sh starts it, or reuses it; `make demo-pg-stop` stops it).
DB ?= sqlite
demo: deps
	$(MAKE) -j$(JOBS) $(BIN)
ifeq ($(DB),postgres)
	scripts/demo-pg.sh run $(BIN)
else
	$(BIN) demo
endif

demo-pg-stop:
	scripts/demo-pg.sh stop

clean:
	rm -rf build

# Fuzzing: each fuzz/fuzz_<target>.c is built with clang and libFuzzer from the
# sources themselves (not the archive, which another compiler may have built),
# then run for FUZZ_SECONDS on a scratch copy of fuzz/corpus/<target> (with
# fuzz/<target>.dict if there is one). Crashes are saved under build/fuzz/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_SRC     := $(sort $(wildcard src/core/*.c src/store/*.c src/evidence/*.c src/ingest/*.c src/tlog/*.c \
                                         src/funds/*.c src/notify/*.c src/assist/llm*.c \
                                         src/assist/image*.c))
FUZZ_NAMES   := $(patsubst fuzz/%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_BIN     := $(FUZZ_NAMES:%=build/fuzz/%)
FUZZ_CFLAGS  := $(CFLAGS_WARN) $(WERROR) -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

build/fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_SRC) $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CPPFLAGS_ALL) -o $@ $< $(FUZZ_SRC) $(LIBS)

fuzz:
	scripts/deps.sh fuzz
	$(MAKE) fuzz-run

fuzz-run: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_NAMES); do \
		rm -rf build/fuzz/corpus/$$t && mkdir -p build/fuzz/corpus/$$t; \
		cp fuzz/corpus/$$t/* build/fuzz/corpus/$$t/; \
		echo "== $$t ($(FUZZ_SECONDS) s)"; \
		dict=; [ ! -f fuzz/$$t.dict ] || dict=-dict=fuzz/$$t.dict; \
		build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$dict \
			-artifact_prefix=build/fuzz/$$t- build/fuzz/corpus/$$t; \
	done

-include $(BUILD)/obj/bench/bench_log.d $(BUILD)/obj/bench/bench_funds.d $(BUILD)/obj/bench/bench_sha256.d
-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_SRC:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d) \
	$(TOOL_SRC:tests/tools/%.c=$(BUILD)/obj/tests/tools/%.d)
