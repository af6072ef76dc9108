/* log_fds.c - the open packed hash files, bounded and direct-mapped, that proofs pread. */
#include "tlog/log_int.h"

#include <assert.h>
#include <unistd.h>

/* Consecutive packs take consecutive slots: up to LOG_FDS_MAX of them never collide. */
static struct log_fd *fd_slot(struct log_fds *f, uint64_t pack)
{
	return &f->slot[pack % LOG_FDS_MAX];
}

void log_fds_init(struct log_fds *f)
{
	size_t i;

	for (i = 0; i < LOG_FDS_MAX; i++) {
		f->slot[i].key = 0;
		f->slot[i].fd = -1;
		f->slot[i].refs = 0;
		f->slot[i].stale = 0;
	}
	f->hits = f->misses = 0;
}

void log_fds_release(struct log_fds *f)
{
	size_t i;

	for (i = 0; i < LOG_FDS_MAX; i++)
		if (f->slot[i].fd >= 0)
			close(f->slot[i].fd);
	log_fds_init(f);
}

int log_fds_get(struct log_cache *c, uint64_t key)
{
	struct log_fd *s;
	int fd = -1;

	if (!c->ready)
		return -1;
	pthread_mutex_lock(&c->mu);
	s = fd_slot(&c->fds, key);
	if (s->fd >= 0 && s->key == key && !s->stale) {
		s->refs++;
		fd = s->fd;
		c->fds.hits++;
	} else {
		c->fds.misses++;
	}
	pthread_mutex_unlock(&c->mu);
	return fd;
}

int log_fds_add(struct log_cache *c, uint64_t key, int fd, int *drop)
{
	struct log_fd *s;
	int kept = 0;

	*drop = -1;
	if (!c->ready)
		return 0;
	pthread_mutex_lock(&c->mu);
	s = fd_slot(&c->fds, key);
	if (s->refs == 0 && !(s->fd >= 0 && s->key == key && !s->stale)) {
		*drop = s->fd;
		s->key = key;
		s->fd = fd;
		s->refs = 1;
		s->stale = 0;
		kept = 1;
	}
	pthread_mutex_unlock(&c->mu);
	return kept;
}

void log_fds_put(struct log_cache *c, uint64_t key, int fd, int stale)
{
	struct log_fd *s;
	int drop = -1;

	pthread_mutex_lock(&c->mu);
	s = fd_slot(&c->fds, key);
	assert(s->fd == fd && s->key == key && s->refs > 0);
	s->refs--;
	if (stale)
		s->stale = 1;
	if (s->stale && s->refs == 0) {
		drop = s->fd;
		s->fd = -1;
		s->key = 0;
		s->stale = 0;
	}
	pthread_mutex_unlock(&c->mu);
	if (drop >= 0)
		close(drop);
}
