/* F1/X2 (threads at work): musl's pthreads run on clone(CLONE_THREAD...),
   futex WAIT/WAKE (private), CLONE_CHILD_CLEARTID for join and
   set_robust_list. A mutex-protected counter, a condition-variable queue
   (signal and broadcast), a barrier, a rwlock, semaphores, pthread_once,
   join return values and a detached thread all give exact results. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>

#define T 4
#define ITER 3000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *adder(void *a)
{
    for (int i = 0; i < ITER; i++) {
        pthread_mutex_lock(&lock);
        long v = counter;
        if ((i & 63) == 0) sched_yield();      /* make the critical section long */
        counter = v + 1;
        pthread_mutex_unlock(&lock);
    }
    return (void *)((long)a * 10);
}

/* bounded queue with two condition variables */
#define QN 4
#define ITEMS 200
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static int q[QN], qhead, qcount;
static long consumed_sum;
static int consumed_n;

static void *producer(void *a)
{
    (void)a;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (qcount == QN) pthread_cond_wait(&not_full, &qlock);
        q[(qhead + qcount++) % QN] = i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qlock);
    }
    return 0;
}

static void *consumer(void *a)
{
    (void)a;
    for (;;) {
        pthread_mutex_lock(&qlock);
        while (qcount == 0 && consumed_n < ITEMS) pthread_cond_wait(&not_empty, &qlock);
        if (consumed_n == ITEMS) {
            pthread_mutex_unlock(&qlock);
            return 0;
        }
        int v = q[qhead];
        qhead = (qhead + 1) % QN;
        qcount--;
        consumed_sum += v;
        if (++consumed_n == ITEMS) pthread_cond_broadcast(&not_empty);   /* release the others */
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&qlock);
    }
}

static pthread_barrier_t barrier;
static int serial_count;
static int phase_seen[T];
static int phase;
static void *barrier_user(void *a)
{
    long id = (long)a;
    for (int round = 0; round < 3; round++) {
        if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) {
            __atomic_add_fetch(&serial_count, 1, __ATOMIC_SEQ_CST);
            __atomic_add_fetch(&phase, 1, __ATOMIC_SEQ_CST);
        }
        pthread_barrier_wait(&barrier);
        phase_seen[id] += __atomic_load_n(&phase, __ATOMIC_SEQ_CST) == round + 1;
    }
    return 0;
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int rw_value;
static void *rw_user(void *a)
{
    (void)a;
    long sum = 0;
    for (int i = 0; i < 500; i++) {
        if (i % 5 == 0) {
            pthread_rwlock_wrlock(&rw);
            rw_value++;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            sum += rw_value >= 0;
            pthread_rwlock_unlock(&rw);
        }
    }
    return (void *)sum;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void init_once(void) { once_runs++; }
static sem_t ping, pong;
static void *pinger(void *a)
{
    (void)a;
    pthread_once(&once, init_once);
    for (int i = 0; i < 100; i++) {
        sem_wait(&ping);
        sem_post(&pong);
    }
    return 0;
}

static sem_t detached_done;
static void *detached(void *a)
{
    *(int *)a = 42;
    sem_post(&detached_done);
    return 0;
}

int main(void)
{
    pthread_t t[T];
    long rets = 0;
    for (long i = 0; i < T; i++) pthread_create(&t[i], 0, adder, (void *)i);
    for (int i = 0; i < T; i++) {
        void *r;
        pthread_join(t[i], &r);
        rets += (long)r;
    }
    printf("mutex: counter %ld (expected %d), join values sum %ld\n", counter, T * ITER, rets);

    pthread_t prod, cons[3];
    pthread_create(&prod, 0, producer, 0);
    for (int i = 0; i < 3; i++) pthread_create(&cons[i], 0, consumer, 0);
    pthread_join(prod, 0);
    for (int i = 0; i < 3; i++) pthread_join(cons[i], 0);
    printf("cond: consumed %d items, sum %ld\n", consumed_n, consumed_sum);

    pthread_barrier_init(&barrier, 0, T);
    for (long i = 0; i < T; i++) pthread_create(&t[i], 0, barrier_user, (void *)i);
    for (int i = 0; i < T; i++) pthread_join(t[i], 0);
    int all = 1;
    for (int i = 0; i < T; i++) all &= phase_seen[i] == 3;
    printf("barrier: one serial thread per round %d, every thread saw every round %d\n", serial_count == 3, all);

    long reads = 0;
    for (long i = 0; i < T; i++) pthread_create(&t[i], 0, rw_user, (void *)i);
    for (int i = 0; i < T; i++) {
        void *r;
        pthread_join(t[i], &r);
        reads += (long)r;
    }
    printf("rwlock: writes %d, reads %ld\n", rw_value, reads);

    sem_init(&ping, 0, 0);
    sem_init(&pong, 0, 0);
    pthread_t pg[2];
    pthread_create(&pg[0], 0, pinger, 0);
    pthread_create(&pg[1], 0, pinger, 0);
    int pongs = 0;
    for (int i = 0; i < 200; i++) {
        sem_post(&ping);
        sem_wait(&pong);
        pongs++;
    }
    pthread_join(pg[0], 0);
    pthread_join(pg[1], 0);
    printf("semaphores: %d round trips, once ran %d time\n", pongs, once_runs);

    int value = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sem_init(&detached_done, 0, 0);
    pthread_t d;
    pthread_create(&d, &attr, detached, &value);
    sem_wait(&detached_done);
    printf("detached thread: wrote %d\n", value);
    return 0;
}
