/* Hans Boehm's GCBench on the Boehm collector, mirroring benches/gcbench.rs and
 * examples/peer_gcbench.rs: stretch tree of depth 18, long-lived tree of depth 16 (top-down)
 * and array of 500,000 doubles (GC_MALLOC_ATOMIC, as in the original), then for each depth
 * 4..=16 step 2, NumIters(d) trees built top-down (Populate) and as many bottom-up (MakeTree).
 * The checksum adds the nodes each construction made, the long-lived tree's node count (walked
 * at the end) and round(array[1000] * 1e9). Build: gcc -O2 gcbench.c -lgc -lm */
#include <gc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define STRETCH_TREE_DEPTH 18
#define LONG_LIVED_TREE_DEPTH 16
#define ARRAY_SIZE 500000
#define MIN_TREE_DEPTH 4
#define MAX_TREE_DEPTH 16

typedef struct Node {
    struct Node *left, *right;
    int32_t i, j;
} Node;

static uint64_t tree_size(unsigned depth) { return ((uint64_t)1 << (depth + 1)) - 1; }

static uint64_t num_iters(unsigned depth) {
    return 2 * tree_size(STRETCH_TREE_DEPTH) / tree_size(depth);
}

static Node *new_node(Node *left, Node *right) {
    Node *n = GC_MALLOC(sizeof(Node));
    if (!n) { fputs("out of memory\n", stderr); exit(1); }
    n->left = left;
    n->right = right;
    return n;
}

/* Builds a tree top-down below node; returns the nodes allocated. */
static uint64_t populate(unsigned depth, Node *node) {
    if (depth == 0) return 0;
    node->left = new_node(NULL, NULL);
    node->right = new_node(NULL, NULL);
    return 2 + populate(depth - 1, node->left) + populate(depth - 1, node->right);
}

/* Builds a tree bottom-up; returns it and stores the nodes allocated in *made. */
static Node *make_tree(unsigned depth, uint64_t *made) {
    if (depth == 0) { *made = 1; return new_node(NULL, NULL); }
    uint64_t l, r;
    Node *left = make_tree(depth - 1, &l);
    Node *right = make_tree(depth - 1, &r);
    *made = 1 + l + r;
    return new_node(left, right);
}

static uint64_t count(const Node *n) {
    uint64_t c = 1 + (uint64_t)n->i + (uint64_t)n->j;
    if (n->left) c += count(n->left);
    if (n->right) c += count(n->right);
    return c;
}

int main(void) {
    GC_INIT();
    uint64_t sum, made;
    make_tree(STRETCH_TREE_DEPTH, &sum);
    Node *long_lived = new_node(NULL, NULL);
    sum += 1 + populate(LONG_LIVED_TREE_DEPTH, long_lived);
    double *array = GC_MALLOC_ATOMIC(sizeof(double) * ARRAY_SIZE);
    if (!array) { fputs("out of memory\n", stderr); return 1; }
    for (int i = 0; i < ARRAY_SIZE; i++) array[i] = i < ARRAY_SIZE / 2 ? 1.0 / i : 0.0;
    for (unsigned depth = MIN_TREE_DEPTH; depth <= MAX_TREE_DEPTH; depth += 2) {
        uint64_t iters = num_iters(depth);
        for (uint64_t k = 0; k < iters; k++) {
            Node *tree = new_node(NULL, NULL);
            sum += 1 + populate(depth, tree);
        }
        for (uint64_t k = 0; k < iters; k++) {
            make_tree(depth, &made);
            sum += made;
        }
    }
    if (array[1000] != 1.0 / 1000.0) {
        fputs("the long-lived array was corrupted\n", stderr);
        return 1;
    }
    sum += count(long_lived) + (uint64_t)llround(array[1000] * 1e9);
    printf("checksum %llu\n", (unsigned long long)sum);
    return 0;
}
