/* config.c - settings from defaults, a GLib key file and the environment. */
#include "core/config.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/num.h"

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "%s", CONFIG_DEFAULT_LISTEN);
	c->threads = 4;
	c->max_body_bytes = 1 << 20;
	c->max_blob_bytes = 20 << 20;
	c->max_connections = CONFIG_DEFAULT_MAX_CONNECTIONS;
	c->max_connections_per_ip = CONFIG_DEFAULT_MAX_CONNECTIONS_PER_IP;
	c->idle_timeout_seconds = CONFIG_DEFAULT_IDLE_TIMEOUT_SECONDS;
	c->idempotency_ttl_s = 24 * 3600;
	c->log_level = LOG_INFO;
	snprintf(c->rules_path, sizeof(c->rules_path), "%s", "etc/rules.ini");
	snprintf(c->calendar_dir, sizeof(c->calendar_dir), "%s", "etc/calendar");
	snprintf(c->focus_model, sizeof(c->focus_model), "%s", "etc/focus.model");
	c->llm_timeout_ms = CONFIG_DEFAULT_LLM_TIMEOUT_MS;
	c->llm_max_tokens = CONFIG_DEFAULT_LLM_MAX_TOKENS;
	c->llm_temperature = 0;
	c->retention_years = 3;
	c->merchant_reverify_days = CONFIG_DEFAULT_MERCHANT_REVERIFY_DAYS;
	snprintf(c->web_dir, sizeof(c->web_dir), "%s", "web");
}

/*
 * Split a ';'-separated list (GLib's list syntax; a trailing ';' and
 * spaces around items are ignored) into `out`, `n` items of `size` bytes.
 */
static int config_list(const char *val, char *out, size_t size, int *n, const char *name,
		       struct err *e)
{
	const char *p = val, *end;
	size_t len;

	*n = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len) {
			if (*n == CONFIG_MAX_WITNESSES)
				return err_set(e, RC_INVAL, "invalid_setting", name,
					       "%s lists more than %d items", name,
					       CONFIG_MAX_WITNESSES);
			if (len >= size)
				return err_set(e, RC_INVAL, "invalid_setting", name,
					       "an item of %s is too long", name);
			memcpy(out + (size_t)*n * size, p, len);
			out[(size_t)*n * size + len] = '\0';
			(*n)++;
		}
		p = *end ? end + 1 : end;
	}
	return RC_OK;
}

/* True if `s` could name an environment variable: [A-Za-z_][A-Za-z0-9_]*. */
static int config_env_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* Set one setting of the [llm] group from its text; `name` is used in error messages. */
static int config_set_llm(struct config *c, const char *key, const char *val,
			  const char *name, struct err *e)
{
	const unsigned char *p;
	int64_t n;

	if (strcmp(key, "url") == 0) {
		/* empty: no language model; else http(s)://HOST… in printable ASCII */
		size_t scheme = g_ascii_strncasecmp(val, "https://", 8) == 0  ? 8
				: g_ascii_strncasecmp(val, "http://", 7) == 0 ? 7
									      : 0;

		for (p = (const unsigned char *)val; *p; p++)
			if (*p <= ' ' || *p >= 0x7f)
				break;
		if (*val && (!scheme || !val[scheme] || val[scheme] == '/' || *p))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an http:// or https:// URL without spaces "
				       "(printable ASCII), or empty for none", name);
		if ((size_t)snprintf(c->llm_url, sizeof(c->llm_url), "%s", val) >=
		    sizeof(c->llm_url))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s is too long", name);
	} else if (strcmp(key, "model") == 0) {
		for (p = (const unsigned char *)val; *p; p++)
			if (*p < ' ' || *p == 0x7f)
				break;
		if (*p || !g_utf8_validate(val, -1, NULL))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be UTF-8 text without control characters", name);
		if ((size_t)snprintf(c->llm_model, sizeof(c->llm_model), "%s", val) >=
		    sizeof(c->llm_model))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s is too long", name);
	} else if (strcmp(key, "api_key_env") == 0) {
		/* the name of a variable, never the key: a key such as sk-… fails here */
		if (*val && !config_env_name(val))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must name the environment variable that holds the "
				       "API key (such as DEEPSEEK_API_KEY), not hold the key",
				       name);
		if ((size_t)snprintf(c->llm_api_key_env, sizeof(c->llm_api_key_env), "%s", val) >=
		    sizeof(c->llm_api_key_env))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s is too long", name);
	} else if (strcmp(key, "timeout_ms") == 0) {
		if (num_parse_i64(val, 100, 600000, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 100 to 600000", name);
		c->llm_timeout_ms = (int)n;
	} else if (strcmp(key, "max_tokens") == 0) {
		if (num_parse_i64(val, 1, 65536, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 65536", name);
		c->llm_max_tokens = (int)n;
	} else if (strcmp(key, "temperature") == 0) {
		char *end = NULL;
		double t = *val ? g_ascii_strtod(val, &end) : -1;

		/* also refuses nan, inf and trailing junk */
		if (!end || *end || !(t >= 0 && t <= 2))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be a number from 0 to 2", name);
		c->llm_temperature = t;
	} else {
		return err_set(e, RC_INVAL, "unknown_setting", name,
			       "unknown setting %s", name);
	}
	return RC_OK;
}

/* Set one setting of `group` from its text; `name` is used in error messages. */
static int config_set(struct config *c, const char *group, const char *key, const char *val,
		      const char *name, struct err *e)
{
	int64_t n;
	int lvl;

	if (strcmp(group, "llm") == 0)
		return config_set_llm(c, key, val, name, e);
	if (strcmp(group, "merchants") == 0 && strcmp(key, "reverify_days") == 0) {
		if (num_parse_i64(val, 1, 3650, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 3650", name);
		c->merchant_reverify_days = (int)n;
		return RC_OK;
	}
	if (strcmp(group, "server") == 0 && strcmp(key, "web") == 0) {
		if (!*val || (size_t)snprintf(c->web_dir, sizeof(c->web_dir), "%s", val) >=
				     sizeof(c->web_dir))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be a path of at most 4095 bytes", name);
		return RC_OK;
	}
	if (strcmp(key, "listen") == 0) {
		char addr[128];
		int port;

		if (config_split_listen(val, addr, sizeof(addr), &port))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be ADDR:PORT", name);
		if (strlen(val) >= sizeof(c->listen))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s is too long", name);
		snprintf(c->listen, sizeof(c->listen), "%s", val);
	} else if (strcmp(key, "data") == 0) {
		if ((size_t)snprintf(c->data_dir, sizeof(c->data_dir), "%s", val) >=
		    sizeof(c->data_dir))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s is too long", name);
	} else if (strcmp(key, "db") == 0) {
		if (strncmp(val, "sqlite:", 7) != 0 && strncmp(val, "postgres://", 11) != 0 &&
		    strncmp(val, "postgresql://", 13) != 0)
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE",
				       name);
		if ((size_t)snprintf(c->db, sizeof(c->db), "%s", val) >= sizeof(c->db))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s is too long", name);
	} else if (strcmp(key, "rules") == 0 || strcmp(key, "calendar") == 0 ||
		   strcmp(key, "focus_model") == 0) {
		char *dst = key[0] == 'r' ? c->rules_path
			    : key[0] == 'c' ? c->calendar_dir
					    : c->focus_model;

		if (!*val || (size_t)snprintf(dst, sizeof(c->rules_path), "%s", val) >=
				     sizeof(c->rules_path))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be a path of at most 4095 bytes", name);
	} else if (strcmp(key, "threads") == 0) {
		if (num_parse_i64(val, 1, 256, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 256", name);
		c->threads = (int)n;
	} else if (strcmp(key, "max_body_bytes") == 0) {
		if (num_parse_i64(val, 1024, (int64_t)1 << 30, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1024 to 2^30", name);
		c->max_body_bytes = n;
	} else if (strcmp(key, "max_blob_bytes") == 0) {
		if (num_parse_i64(val, 1024, (int64_t)1 << 32, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1024 to 2^32", name);
		c->max_blob_bytes = n;
	} else if (strcmp(key, "max_connections") == 0) {
		if (num_parse_i64(val, 1, 65536, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 65536", name);
		c->max_connections = (int)n;
	} else if (strcmp(key, "max_connections_per_ip") == 0) {
		if (num_parse_i64(val, 1, 65536, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 65536", name);
		c->max_connections_per_ip = (int)n;
	} else if (strcmp(key, "idle_timeout_seconds") == 0) {
		if (num_parse_i64(val, 1, 3600, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 3600", name);
		c->idle_timeout_seconds = (int)n;
	} else if (strcmp(key, "idempotency_ttl_seconds") == 0) {
		if (num_parse_i64(val, 1, 30 * 24 * 3600, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 2592000 (30 days)", name);
		c->idempotency_ttl_s = n;
	} else if (strcmp(key, "batch_max") == 0) {
		if (num_parse_i64(val, 1, 1 << 20, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 1048576", name);
		c->log_batch_max = (int)n;
	} else if (strcmp(key, "batch_ms") == 0) {
		if (num_parse_i64(val, 1, 10000, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 1 to 10000", name);
		c->log_batch_ms = (int)n;
	} else if (strcmp(key, "url") == 0) {
		return config_list(val, c->witness_url[0], sizeof(c->witness_url[0]),
				   &c->nwitness_url, name, e);
	} else if (strcmp(key, "vkey") == 0) {
		return config_list(val, c->witness_vkey[0], sizeof(c->witness_vkey[0]),
				   &c->nwitness_vkey, name, e);
	} else if (strcmp(key, "allow_private") == 0) {
		if (strcmp(val, "1") == 0 || strcmp(val, "true") == 0 || strcmp(val, "yes") == 0 ||
		    strcmp(val, "on") == 0)
			c->webhook_allow_private = 1;
		else if (strcmp(val, "0") == 0 || strcmp(val, "false") == 0 ||
			 strcmp(val, "no") == 0 || strcmp(val, "off") == 0)
			c->webhook_allow_private = 0;
		else
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be true or false", name);
	} else if (strcmp(key, "years") == 0) {
		/* E-Commerce Law art. 31: kept at least three years; less is refused */
		if (num_parse_i64(val, 3, 100, &n))
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be an integer from 3 (E-Commerce Law art. 31: at "
				       "least three years) to 100", name);
		c->retention_years = (int)n;
	} else if (strcmp(key, "level") == 0) {
		lvl = log_level_parse(val);
		if (lvl < 0)
			return err_set(e, RC_INVAL, "invalid_setting", name,
				       "%s must be debug, info, warn or error", name);
		c->log_level = lvl;
	} else {
		return err_set(e, RC_INVAL, "unknown_setting", name,
			       "unknown setting %s", name);
	}
	return RC_OK;
}

static const struct {
	const char *group;
	const char *key;
	const char *env;
} config_keys[] = {
	{"server", "listen", "DISPUTED_LISTEN"},
	{"server", "threads", "DISPUTED_THREADS"},
	{"server", "max_body_bytes", "DISPUTED_MAX_BODY_BYTES"},
	{"server", "max_blob_bytes", "DISPUTED_MAX_BLOB_BYTES"},
	{"server", "max_connections", "DISPUTED_MAX_CONNECTIONS"},
	{"server", "max_connections_per_ip", "DISPUTED_MAX_CONNECTIONS_PER_IP"},
	{"server", "idle_timeout_seconds", "DISPUTED_IDLE_TIMEOUT_SECONDS"},
	{"server", "idempotency_ttl_seconds", "DISPUTED_IDEMPOTENCY_TTL_SECONDS"},
	{"store", "data", "DISPUTED_DATA"},
	{"store", "db", "DISPUTED_DB"},
	{"log", "level", "DISPUTED_LOG_LEVEL"},
	{"cases", "rules", "DISPUTED_RULES"},
	{"cases", "calendar", "DISPUTED_CALENDAR"},
	{"cases", "focus_model", "DISPUTED_FOCUS_MODEL"},
	{"log", "batch_max", "DISPUTED_LOG_BATCH_MAX"},
	{"log", "batch_ms", "DISPUTED_LOG_BATCH_MS"},
	{"witness", "url", "DISPUTED_WITNESS_URL"},
	{"witness", "vkey", "DISPUTED_WITNESS_VKEY"},
	{"webhook", "allow_private", "DISPUTED_WEBHOOK_ALLOW_PRIVATE"},
	{"llm", "url", "DISPUTED_LLM_URL"},
	{"llm", "model", "DISPUTED_LLM_MODEL"},
	{"llm", "api_key_env", "DISPUTED_LLM_API_KEY_ENV"},
	{"llm", "timeout_ms", "DISPUTED_LLM_TIMEOUT_MS"},
	{"llm", "max_tokens", "DISPUTED_LLM_MAX_TOKENS"},
	{"llm", "temperature", "DISPUTED_LLM_TEMPERATURE"},
	{"retention", "years", "DISPUTED_RETENTION_YEARS"},
	{"merchants", "reverify_days", "DISPUTED_MERCHANTS_REVERIFY_DAYS"},
	{"server", "web", "DISPUTED_WEB"},
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static int config_known(const char *group, const char *key)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(config_keys[i].group, group) == 0 &&
		    strcmp(config_keys[i].key, key) == 0)
			return 1;
	return 0;
}

int config_load_file(struct config *c, const char *path, int must_exist,
		     struct err *e)
{
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	gchar **groups = NULL, **keys = NULL;
	char name[256];
	int rc = RC_OK;
	gsize i, j;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr)) {
		if (!must_exist && g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			goto out;
		rc = err_set(e, RC_INVAL, "invalid_config", path, "cannot read %s: %s",
			     path, gerr->message);
		goto out;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (i = 0; groups[i] && !rc; i++) {
		keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
		for (j = 0; keys && keys[j] && !rc; j++) {
			gchar *val;

			snprintf(name, sizeof(name), "%s.%s", groups[i], keys[j]);
			if (!config_known(groups[i], keys[j])) {
				rc = err_set(e, RC_INVAL, "unknown_setting", name,
					     "%s: unknown setting %s", path, name);
				break;
			}
			/* NULL for a value that is not UTF-8: an error, not an empty value */
			val = g_key_file_get_string(kf, groups[i], keys[j], &gerr);
			if (!val) {
				rc = err_set(e, RC_INVAL, "invalid_setting", name,
					     "%s: %s is not UTF-8 text", path, name);
				break;
			}
			rc = config_set(c, groups[i], keys[j], val, name, e);
			g_free(val);
		}
		g_strfreev(keys);
		keys = NULL;
	}
out:
	g_strfreev(groups);
	if (gerr)
		g_error_free(gerr);
	g_key_file_free(kf);
	return rc;
}

int config_load_env(struct config *c, struct err *e)
{
	const char *v;
	size_t i;
	int rc;

	for (i = 0; i < N_KEYS; i++) {
		v = getenv(config_keys[i].env);
		if (!v)
			continue;
		rc = config_set(c, config_keys[i].group, config_keys[i].key, v,
				config_keys[i].env, e);
		if (rc)
			return rc;
	}
	if (c->nwitness_url != c->nwitness_vkey)
		return err_set(e, RC_INVAL, "invalid_setting", "witness.vkey",
			       "witness.url lists %d URLs but witness.vkey lists %d keys: give "
			       "each witness's URL and key in the same order",
			       c->nwitness_url, c->nwitness_vkey);
	return RC_OK;
}

int config_split_listen(const char *listen, char *addr, int addrlen, int *port)
{
	const char *colon = strrchr(listen, ':');
	int64_t p;
	size_t n;

	if (!colon || colon == listen)
		return RC_INVAL;
	if (num_parse_i64(colon + 1, 0, 65535, &p))
		return RC_INVAL;
	n = (size_t)(colon - listen);
	if (listen[0] == '[' && n >= 2 && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n + 1 > (size_t)addrlen)
		return RC_INVAL;
	memcpy(addr, listen, n);
	addr[n] = '\0';
	*port = (int)p;
	return RC_OK;
}
