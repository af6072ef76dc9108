/* log.c - JSON log lines on stderr. */
#include "core/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

static enum log_level log_min = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
	log_min = level;
}

int log_level_parse(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

void log_event(enum log_level level, const char *msg, json_t *fields)
{
	char ts[TIME_TEXT_MAX];
	json_t *line;
	char *text;

	if (level < log_min) {
		json_decref(fields);
		return;
	}
	time_format(time_now_ms(), ts);
	line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level_names[level],
			 "msg", msg);
	if (!line) {
		json_decref(fields);
		return;
	}
	if (fields && json_is_object(fields))
		json_object_update_missing(line, fields);
	json_decref(fields);
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(line);
	if (!text)
		return;
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s\n", text);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
	free(text);
}
