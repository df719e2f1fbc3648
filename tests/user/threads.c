/*
 * threads: POSIX threads on musl (clone with CLONE_THREAD|CLONE_SETTLS,
 * futex, set_tid_address). create/join with return values, a mutex-
 * protected counter (4 threads x 10000 increments), condition-variable
 * ping-pong, thread-local storage per thread, pthread_exit values, and a
 * detached thread.
 */
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#define THREADS 4
#define INCREMENTS 10000
#define ROUNDS 1000

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long tls_value = 5;
static __thread char tls_buffer[64];

static void *return_value(void *arg)
{
	return (void *)((intptr_t)arg * 3);
}

static void create_join(void)
{
	pthread_t threads[THREADS];

	for (intptr_t i = 0; i < THREADS; i++)
		CHECK(pthread_create(&threads[i], NULL, return_value, (void *)i) == 0);
	for (intptr_t i = 0; i < THREADS; i++) {
		void *result;
		CHECK(pthread_join(threads[i], &result) == 0);
		CHECK((intptr_t)result == i * 3);
	}
	printf("create/join: %d threads returned their values\n", THREADS);
}

static void *increment(void *arg)
{
	(void)arg;
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return NULL;
}

static void mutex_counter(void)
{
	pthread_t threads[THREADS];

	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&threads[i], NULL, increment, NULL) == 0);
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_join(threads[i], NULL) == 0);
	CHECK(counter == THREADS * INCREMENTS);
	printf("mutex counter: %ld\n", counter);
}

static pthread_mutex_t ball_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ball_moved = PTHREAD_COND_INITIALIZER;
static int ball;		/* 0: ping's turn, 1: pong's turn */
static int hits[2];

static void *player(void *arg)
{
	int me = (int)(intptr_t)arg;

	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&ball_lock);
		while (ball != me)
			pthread_cond_wait(&ball_moved, &ball_lock);
		hits[me]++;
		ball = !me;
		pthread_cond_signal(&ball_moved);
		pthread_mutex_unlock(&ball_lock);
	}
	return NULL;
}

static void ping_pong(void)
{
	pthread_t ping, pong;

	CHECK(pthread_create(&ping, NULL, player, (void *)0) == 0);
	CHECK(pthread_create(&pong, NULL, player, (void *)1) == 0);
	CHECK(pthread_join(ping, NULL) == 0);
	CHECK(pthread_join(pong, NULL) == 0);
	CHECK(hits[0] == ROUNDS && hits[1] == ROUNDS && ball == 0);
	printf("condvar ping-pong: %d + %d hits\n", hits[0], hits[1]);
}

static pthread_barrier_t tls_barrier;

static void *tls_worker(void *arg)
{
	long id = (long)(intptr_t)arg;

	if (tls_value != 5 || tls_buffer[0] != 0)
		return (void *)1;
	tls_value = id * 11;
	snprintf(tls_buffer, sizeof(tls_buffer), "thread %ld", id);
	/* Everyone has written its own copy before anyone checks. */
	pthread_barrier_wait(&tls_barrier);
	if (tls_value != id * 11)
		return (void *)2;
	char expected[64];
	snprintf(expected, sizeof(expected), "thread %ld", id);
	if (strcmp(tls_buffer, expected) != 0)
		return (void *)3;
	return NULL;
}

static void thread_local(void)
{
	pthread_t threads[THREADS];

	CHECK(pthread_barrier_init(&tls_barrier, NULL, THREADS) == 0);
	tls_value = 99;
	for (intptr_t i = 0; i < THREADS; i++)
		CHECK(pthread_create(&threads[i], NULL, tls_worker, (void *)(i + 1)) == 0);
	for (int i = 0; i < THREADS; i++) {
		void *result;
		CHECK(pthread_join(threads[i], &result) == 0);
		CHECK(result == NULL);
	}
	CHECK(tls_value == 99);
	pthread_barrier_destroy(&tls_barrier);
	printf("thread-local storage: each of %d threads kept its own\n", THREADS);
}

/* pthread_exit from a called function, not from the start routine. */
static __attribute__((noinline, noreturn)) void leave(intptr_t value)
{
	pthread_exit((void *)value);
}

static void *exiter(void *arg)
{
	leave((intptr_t)arg + 1000);
}

static void exit_values(void)
{
	pthread_t threads[THREADS];

	for (intptr_t i = 0; i < THREADS; i++)
		CHECK(pthread_create(&threads[i], NULL, exiter, (void *)i) == 0);
	for (intptr_t i = 0; i < THREADS; i++) {
		void *result;
		CHECK(pthread_join(threads[i], &result) == 0);
		CHECK((intptr_t)result == i + 1000);
		printf("pthread_exit value %ld\n", (long)(intptr_t)result);
	}
}

static volatile int detached_ran;

static void *detached(void *arg)
{
	(void)arg;
	detached_ran = 1;
	return NULL;
}

static void detach(void)
{
	pthread_t thread;
	pthread_attr_t attr;

	CHECK(pthread_attr_init(&attr) == 0);
	CHECK(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0);
	CHECK(pthread_create(&thread, &attr, detached, NULL) == 0);
	for (int i = 0; i < 100000 && !detached_ran; i++)
		sched_yield();
	CHECK(detached_ran);
	printf("detached thread ran\n");
}

int main(void)
{
	check_init("threads");
	create_join();
	mutex_counter();
	ping_pong();
	thread_local();
	exit_values();
	detach();
	printf("threads: all checks passed\n");
	return 0;
}
