#ifndef MONOTIME_H
#define MONOTIME_H

/*
 * The monotonic clock, for ages, deadlines and latencies: one reading of it
 * and one way of counting its milliseconds for every module. Never for
 * dates (log.c stamps lines with the wall clock) nor for
 * pthread_cond_timedwait() on a default condition variable, which waits on
 * CLOCK_REALTIME. Thread-safe; nothing is owned.
 */

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC now: the origin to pass to the functions below. */
struct timespec mono_now(void);
/* Now in whole ms; the origin is arbitrary, only differences mean something. */
int64_t mono_now_ms(void);
/* Whole ms from t0 to now, cut toward zero: ages against a TTL, polling deadlines. */
long mono_ms_since(const struct timespec *t0);
/* ms from t0 to now with their fraction: latencies shown to people. */
double mono_elapsed_ms(const struct timespec *t0);
/* The monotonic time ms from now (ms >= 0), for waits to an absolute time (EINTR-proof). */
struct timespec mono_after_ms(int64_t ms);

#endif
