/* log.h - structured log lines, one JSON object per line on stderr. */
#ifndef DISPUTED_LOG_H
#define DISPUTED_LOG_H

#include <jansson.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Lines below `level` are dropped. The default is LOG_INFO. */
void log_set_level(enum log_level level);

/* Parse "debug", "info", "warn" or "error"; -1 if none of them. */
int log_level_parse(const char *s);

/*
 * Write {"ts":…,"level":…,"msg":msg, …fields} as one line on stderr.
 * `fields` is an object or NULL; this function takes its reference.
 * Safe to call from several threads.
 */
void log_event(enum log_level level, const char *msg, json_t *fields);

#endif
