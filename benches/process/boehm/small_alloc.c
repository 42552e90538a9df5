/* Small-object allocation on the Boehm collector, mirroring examples/peer_small_alloc.rs and
 * the small_alloc group of benches/peers/. For each object size in turn (16, 32, 64 bytes:
 * 2, 4 or 8 uint64_t words), allocate n objects with GC_MALLOC_ATOMIC (pointer-free, like the
 * Rust and Go objects: the collector never scans them), object i with word k set to i + k, each
 * stored into slot i % 1024 of a ring of 1024 pointers, so the object it displaces dies. The
 * ring is a static array: the collector scans the data segment, so it is a root. When an object
 * leaves the ring (displaced, or at the end) it adds its first plus its last word to the
 * checksum.
 *
 * Each size's loop is timed with CLOCK_MONOTONIC. Prints "checksum N" (the three sizes'
 * checksums added) and "alloc_ns_16 X", "alloc_ns_32 X", "alloc_ns_64 X" (nanoseconds per
 * allocation). Usage: small_alloc [n] (default 20000000).
 * Build: gcc -O2 small_alloc.c -lgc */
#include <gc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RING 1024

static uint64_t *ring[RING];

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One size's loop: n objects of `words` words; returns the checksum. Always inlined, so each
 * call site gets a copy with `words` a constant, as the Rust and Go loops have. */
static inline __attribute__((always_inline)) uint64_t run(size_t words, uint64_t n) {
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t *o = GC_MALLOC_ATOMIC(words * sizeof(uint64_t));
        if (!o) { fputs("out of memory\n", stderr); exit(1); }
        for (size_t k = 0; k < words; k++) o[k] = i + k;
        uint64_t **slot = &ring[i % RING];
        if (*slot) sum += (*slot)[0] + (*slot)[words - 1];
        *slot = o;
    }
    for (size_t s = 0; s < RING; s++) {
        if (ring[s]) sum += ring[s][0] + ring[s][words - 1];
        ring[s] = NULL;
    }
    return sum;
}

int main(int argc, char **argv) {
    uint64_t n = 20000000;
    if (argc > 1) {
        long long v = atoll(argv[1]);
        if (v < 1) { fputs("usage: small_alloc [allocations >= 1]\n", stderr); return 2; }
        n = (uint64_t)v;
    }
    GC_INIT();
    uint64_t t = now_ns();
    uint64_t sum = run(2, n);
    double ns16 = (double)(now_ns() - t) / (double)n;
    t = now_ns();
    sum += run(4, n);
    double ns32 = (double)(now_ns() - t) / (double)n;
    t = now_ns();
    sum += run(8, n);
    double ns64 = (double)(now_ns() - t) / (double)n;
    printf("checksum %llu\n", (unsigned long long)sum);
    printf("alloc_ns_16 %.2f\n", ns16);
    printf("alloc_ns_32 %.2f\n", ns32);
    printf("alloc_ns_64 %.2f\n", ns64);
    return 0;
}
