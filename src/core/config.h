/* config.h - server settings from defaults, a config file and DISPUTED_* environment variables. */
#ifndef DISPUTED_CONFIG_H
#define DISPUTED_CONFIG_H

#include <stdint.h>

#include "core/err.h"

#define CONFIG_DEFAULT_LISTEN "127.0.0.1:8061"

struct config {
	char listen[128];         /* ADDR:PORT to listen on */
	char data_dir[4096];      /* the data directory */
	char db[4096];            /* "sqlite:PATH"; empty means DATA/disputed.db */
	int threads;              /* HTTP worker threads */
	int64_t max_body_bytes;   /* cap on a JSON request body */
	int64_t max_blob_bytes;   /* cap on an uploaded blob */
	int log_level;            /* enum log_level */
};

/* Fill `c` with the built-in defaults. */
void config_defaults(struct config *c);

/*
 * Read settings from the key file at `path` (sections [server], [store],
 * [log]; see etc/disputed.conf). A missing file is an error only if
 * `must_exist`. Unknown keys and bad values are errors naming the key.
 */
int config_load_file(struct config *c, const char *path, int must_exist,
		     struct err *e) WARN_UNUSED;

/* Apply DISPUTED_LISTEN, DISPUTED_DATA, DISPUTED_DB, DISPUTED_THREADS,
 * DISPUTED_MAX_BODY_BYTES, DISPUTED_MAX_BLOB_BYTES and DISPUTED_LOG_LEVEL. */
int config_load_env(struct config *c, struct err *e) WARN_UNUSED;

/* Split "ADDR:PORT" (ADDR may be "[v6]") into its parts. */
int config_split_listen(const char *listen, char *addr, int addrlen, int *port) WARN_UNUSED;

#endif
