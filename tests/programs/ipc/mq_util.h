/* Helpers for the POSIX message queue tests (issue 15).

   The queues have names of their own (/proclab_mq_...), removed before use
   in case a crashed run left one behind and removed again at the end, so a
   host run leaves nothing behind. Only values, counts and errno names are
   printed -- never descriptors, pids or times. */
#ifndef MQ_UTIL_H
#define MQ_UTIL_H
#include "ipc_util.h"
#include <mqueue.h>
#include <poll.h>
#include <time.h>

static inline const char *mq_ename(int e)
{
    switch (e) {
    case EMSGSIZE: return "EMSGSIZE";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENOTSOCK: return "ENOTSOCK";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    default: return ename(e);
    }
}

/* "label: ret" or "label: -1 ENAME", errno cleared first */
#define MQSHOW(label, call)                                                \
    do {                                                                   \
        errno = 0;                                                         \
        long r_ = (long)(call);                                            \
        if (r_ < 0)                                                        \
            printf("%s: -1 %s\n", (label), mq_ename(errno));               \
        else                                                               \
            printf("%s: %ld\n", (label), r_);                              \
    } while (0)

/* "label: OK" or "label: ENAME" for calls whose value is a descriptor */
#define MQSHOW_OK(label, call)                                             \
    do {                                                                   \
        errno = 0;                                                         \
        long r_ = (long)(call);                                            \
        printf("%s: %s\n", (label), r_ < 0 ? mq_ename(errno) : "OK");      \
    } while (0)

/* Receive one message and print it as "label: N 'text' prio P". */
static inline void mq_show_receive(const char *label, mqd_t q, size_t len)
{
    char buf[16384];
    unsigned prio = 99;
    errno = 0;
    ssize_t n = mq_receive(q, buf, len, &prio);
    if (n < 0)
        printf("%s: -1 %s\n", label, mq_ename(errno));
    else
        printf("%s: %ld '%.*s' prio %u\n", label, (long)n, (int)n, buf, prio);
}

/* An absolute CLOCK_REALTIME time `ms` milliseconds from now. */
static inline struct timespec mq_in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}
#endif
