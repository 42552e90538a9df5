/* binary-trees (Computer Language Benchmarks Game) on the Boehm collector, mirroring
 * benches/binary_trees.rs and examples/peer_binary_trees.rs: one thread, trees built
 * bottom-up with GC_MALLOC, the checksum is the sum of every tree's node count.
 * Usage: binary_trees [max_depth] (default 18). Build: gcc -O2 binary_trees.c -lgc */
#include <gc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MIN_DEPTH 4

typedef struct Node {
    struct Node *left, *right;
} Node;

static Node *bottom_up(unsigned depth) {
    Node *n = GC_MALLOC(sizeof(Node));
    if (!n) { fputs("out of memory\n", stderr); exit(1); }
    if (depth > 0) {
        n->left = bottom_up(depth - 1);
        n->right = bottom_up(depth - 1);
    }
    return n;
}

static uint64_t check(const Node *n) {
    uint64_t c = 1;
    if (n->left) c += check(n->left);
    if (n->right) c += check(n->right);
    return c;
}

int main(int argc, char **argv) {
    unsigned max = 18;
    if (argc > 1) {
        int d = atoi(argv[1]);
        if (d < MIN_DEPTH) { fputs("usage: binary_trees [max_depth >= 4]\n", stderr); return 2; }
        max = (unsigned)d;
    }
    GC_INIT();
    uint64_t sum = check(bottom_up(max + 1));
    Node *long_lived = bottom_up(max);
    for (unsigned d = MIN_DEPTH; d <= max; d += 2) {
        uint64_t iters = (uint64_t)1 << (max - d + MIN_DEPTH);
        for (uint64_t i = 0; i < iters; i++) sum += check(bottom_up(d));
    }
    sum += check(long_lived);
    printf("checksum %llu\n", (unsigned long long)sum);
    return 0;
}
