/* clock.c - real or test time for everything the server records. */
#include "core/clock.h"

#include <pthread.h>
#include <time.h>

#include "core/timeutil.h"

static pthread_mutex_t clock_lock = PTHREAD_MUTEX_INITIALIZER;
static int test_mode;
static int64_t test_now;

int64_t clock_now_ms(void)
{
	int64_t t;

	pthread_mutex_lock(&clock_lock);
	t = test_mode ? test_now : time_now_ms();
	pthread_mutex_unlock(&clock_lock);
	return t;
}

void clock_use_test(int64_t start_ms)
{
	pthread_mutex_lock(&clock_lock);
	test_mode = 1;
	test_now = start_ms;
	pthread_mutex_unlock(&clock_lock);
}

int clock_is_test(void)
{
	int t;

	pthread_mutex_lock(&clock_lock);
	t = test_mode;
	pthread_mutex_unlock(&clock_lock);
	return t;
}

int64_t clock_advance(int64_t ms)
{
	int64_t t;

	pthread_mutex_lock(&clock_lock);
	if (test_mode && ms > 0)
		test_now += ms;
	t = test_mode ? test_now : time_now_ms();
	pthread_mutex_unlock(&clock_lock);
	return t;
}

int64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
