/* config.h - server settings from defaults, a config file and DISPUTED_* environment variables. */
#ifndef DISPUTED_CONFIG_H
#define DISPUTED_CONFIG_H

#include <stdint.h>

#include "core/err.h"

#define CONFIG_DEFAULT_LISTEN "127.0.0.1:8061"
/* Most witnesses the evidence log can be given. */
#define CONFIG_MAX_WITNESSES 16
/* Defaults of the connection limits (etc/disputed.conf says why). */
#define CONFIG_DEFAULT_MAX_CONNECTIONS 512
#define CONFIG_DEFAULT_MAX_CONNECTIONS_PER_IP 64
#define CONFIG_DEFAULT_IDLE_TIMEOUT_SECONDS 10
/* Defaults of the optional language model (etc/disputed.conf, [llm]). */
#define CONFIG_DEFAULT_LLM_TIMEOUT_MS 10000
#define CONFIG_DEFAULT_LLM_MAX_TOKENS 400
/* Days after which a merchant's identity is due to be verified again (E-Commerce Law art. 27). */
#define CONFIG_DEFAULT_MERCHANT_REVERIFY_DAYS 365

struct config {
	char listen[128];         /* ADDR:PORT to listen on */
	char data_dir[4096];      /* the data directory */
	char db[4096];            /* "sqlite:PATH" or "postgres://…"; empty means DATA/disputed.db */
	int threads;              /* HTTP worker threads */
	int64_t max_body_bytes;   /* cap on a JSON request body */
	int64_t max_blob_bytes;   /* cap on an uploaded blob */
	int max_connections;      /* open HTTP connections, all clients together (at least `threads`) */
	int max_connections_per_ip; /* open HTTP connections from one client address */
	int idle_timeout_seconds; /* a connection silent this long is closed, mid-request or not */
	int64_t idempotency_ttl_s; /* how long an Idempotency-Key's reply is replayed, seconds */
	int log_level;            /* enum log_level */
	char rules_path[4096];    /* the published rules file (etc/rules.ini) */
	char calendar_dir[4096];  /* the statutory calendar's files (etc/calendar) */
	char focus_model[4096];   /* the dispute-focus model assessments use (etc/focus.model) */
	int log_batch_max;        /* evidence log: entries that close a batch; 0 = the log's default */
	int log_batch_ms;         /* evidence log: ms after its first entry that close a batch; 0 = default */
	int nwitness_url;         /* witness_url entries in use */
	char witness_url[CONFIG_MAX_WITNESSES][1024]; /* witness base URLs (POST <url>/add-checkpoint) */
	int nwitness_vkey;        /* witness_vkey entries in use; equal to nwitness_url once loaded */
	char witness_vkey[CONFIG_MAX_WITNESSES][512]; /* the witnesses' cosigner keys, same order */
	int webhook_allow_private; /* webhooks may go to loopback and private addresses */
	char llm_url[1024];       /* the language model's base URL (http or https); empty: none */
	char llm_model[128];      /* the model to ask for; empty: the server's default */
	char llm_api_key_env[128]; /* NAME of the environment variable holding the API key; empty: none */
	int llm_timeout_ms;       /* whole request to the language model, ms */
	int llm_max_tokens;       /* most tokens of an answer */
	double llm_temperature;   /* sampling temperature, 0 to 2 */
	int retention_years;      /* personal data kept this many years after an order's last
				   * activity (3 to 100; E-Commerce Law art. 31: at least 3) */
	int merchant_reverify_days; /* [merchants] reverify_days: a merchant's identity is due
				       to be verified again this many days after the last time */
	char web_dir[4096];       /* [server] web: the pages' files served under /app/ (web) */
};

/* Fill `c` with the built-in defaults. */
void config_defaults(struct config *c);

/*
 * Read settings from the key file at `path` (sections [server], [store],
 * [log], [cases], [witness], [webhook], [llm], [retention], [merchants]; see
 * etc/disputed.conf). Booleans are
 * true/false, yes/no, on/off or 1/0. A missing file is an error only
 * if `must_exist`. Unknown keys and bad values are errors naming the key.
 * The witness settings are lists separated by ';' (GLib's list syntax).
 */
int config_load_file(struct config *c, const char *path, int must_exist,
		     struct err *e) WARN_UNUSED;

/*
 * Apply DISPUTED_LISTEN, DISPUTED_DATA, DISPUTED_DB, DISPUTED_THREADS,
 * DISPUTED_MAX_BODY_BYTES, DISPUTED_MAX_BLOB_BYTES, DISPUTED_MAX_CONNECTIONS,
 * DISPUTED_MAX_CONNECTIONS_PER_IP, DISPUTED_IDLE_TIMEOUT_SECONDS,
 * DISPUTED_IDEMPOTENCY_TTL_SECONDS, DISPUTED_LOG_LEVEL, DISPUTED_FOCUS_MODEL,
 * DISPUTED_LOG_BATCH_MAX, DISPUTED_LOG_BATCH_MS, DISPUTED_WITNESS_URL,
 * DISPUTED_WITNESS_VKEY, DISPUTED_WEBHOOK_ALLOW_PRIVATE, DISPUTED_RULES,
 * DISPUTED_CALENDAR, DISPUTED_LLM_URL, DISPUTED_LLM_MODEL,
 * DISPUTED_LLM_API_KEY_ENV, DISPUTED_LLM_TIMEOUT_MS, DISPUTED_LLM_MAX_TOKENS,
 * DISPUTED_LLM_TEMPERATURE, DISPUTED_RETENTION_YEARS and
 * DISPUTED_MERCHANTS_REVERIFY_DAYS and DISPUTED_WEB; then check that the witness URLs and keys
 * pair up (call it after config_load_file). A variable set to the empty
 * string counts as set: DISPUTED_LLM_URL= turns the language model off.
 */
int config_load_env(struct config *c, struct err *e) WARN_UNUSED;

/* Split "ADDR:PORT" (ADDR may be "[v6]") into its parts. */
int config_split_listen(const char *listen, char *addr, int addrlen, int *port) WARN_UNUSED;

#endif
