/* The gc-latency ring on the Boehm collector, mirroring benches/latency.rs and
 * examples/peer_latency.rs: 200,000 slots (GC_MALLOC); push 1,000,000 fresh 1 KiB buffers
 * (GC_MALLOC_ATOMIC: they hold no pointers), buffer i into slot i % 200,000, byte j of buffer i
 * being (uint8_t)(i + j). Each push is timed with CLOCK_MONOTONIC. The checksum sums, over the
 * slots, the first plus the last byte of the buffer there. Usage: latency [pushes].
 * Build: gcc -O2 latency.c -lgc */
#include <gc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SLOTS 200000
#define BUFFER 1024

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    size_t pushes = 1000000;
    if (argc > 1) {
        long n = atol(argv[1]);
        if (n < 1) { fputs("usage: latency [pushes >= 1]\n", stderr); return 2; }
        pushes = (size_t)n;
    }
    GC_INIT();
    uint8_t **ring = GC_MALLOC(sizeof(uint8_t *) * SLOTS);
    uint64_t *times = malloc(sizeof(uint64_t) * pushes); /* not GC memory: no pointers */
    if (!ring || !times) { fputs("out of memory\n", stderr); return 1; }
    for (size_t i = 0; i < pushes; i++) {
        uint64_t t = now_ns();
        uint8_t *buf = GC_MALLOC_ATOMIC(BUFFER);
        if (!buf) { fputs("out of memory\n", stderr); return 1; }
        for (size_t j = 0; j < BUFFER; j++) buf[j] = (uint8_t)(i + j);
        ring[i % SLOTS] = buf;
        times[i] = now_ns() - t;
    }
    uint64_t sum = 0;
    for (size_t s = 0; s < SLOTS; s++)
        if (ring[s]) sum += (uint64_t)ring[s][0] + ring[s][BUFFER - 1];
    qsort(times, pushes, sizeof(uint64_t), cmp_u64);
    size_t p999 = (size_t)((double)(pushes - 1) * 0.999 + 0.5);
    printf("checksum %llu\n", (unsigned long long)sum);
    printf("worst_push_ns %llu\n", (unsigned long long)times[pushes - 1]);
    printf("p999_push_ns %llu\n", (unsigned long long)times[p999]);
    return 0;
}
