/* The monotonic clock (monotime.h). */
#include "monotime.h"

struct timespec mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

int64_t mono_now_ms(void)
{
	struct timespec ts = mono_now();

	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long mono_ms_since(const struct timespec *t0)
{
	struct timespec t = mono_now();

	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

double mono_elapsed_ms(const struct timespec *t0)
{
	struct timespec now = mono_now();

	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

struct timespec mono_after_ms(int64_t ms)
{
	struct timespec t = mono_now();

	t.tv_sec += (time_t)(ms / 1000);
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}
