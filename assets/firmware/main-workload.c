/*
 * workload - the CPU + memory benchmark used to measure the emulator's speed.
 *
 * Five kernels, each run WORKLOAD_ROUNDS times with a round-dependent seed so nothing can be
 * hoisted out of the loop, and each folded into a checksum that is printed at the end:
 *   crc32    bitwise (no table) CRC-32 of a PRNG-filled buffer: shifts, xors, branches
 *   sort     heap sort of a PRNG-filled array: data-dependent branches and loads
 *   matmul   integer matrix multiply: mul + sequential and strided loads
 *   memcpy   picolibc memcpy of a large buffer: streaming loads and stores
 *   list     walk of a linked list whose nodes were shuffled: dependent, cache-hostile loads
 * The last line is minstret=<instructions retired since reset>, 64-bit, in decimal.
 *
 * WORKLOAD_ROUNDS (a -D define, see the Makefile) scales the run: 14 rounds is about 0.65 G
 * instructions (`workload`), 48 about 2.2 G (`workload-long`); each round is about 46 M.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "csr.h"

#ifndef WORKLOAD_ROUNDS
#define WORKLOAD_ROUNDS 14
#endif

#define CRC_BYTES   (128 * 1024)
#define SORT_COUNT  (32 * 1024)
#define MAT_N       112
#define COPY_BYTES  (1024 * 1024)
#define COPY_TIMES  8
#define LIST_NODES  (64 * 1024)
#define LIST_WALKS  16

/* xorshift32 (Marsaglia): small, fast, and the same on every machine. */
static uint32_t rng_state;
static void rng_seed(uint32_t seed) { rng_state = seed ? seed : 0x9e3779b9u; }
static uint32_t rng_next(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* ---- crc32 ------------------------------------------------------------------------------ */

static uint8_t crc_buf[CRC_BYTES];

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n-- > 0) {
        crc ^= *p++;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1u));
    }
    return ~crc;
}

static uint32_t run_crc(uint32_t seed)
{
    rng_seed(seed);
    for (size_t i = 0; i < CRC_BYTES; i += 4) {
        uint32_t r = rng_next();
        memcpy(&crc_buf[i], &r, 4);
    }
    return crc32_bitwise(crc_buf, CRC_BYTES);
}

/* ---- heap sort ------------------------------------------------------------------------- */

static uint32_t sort_buf[SORT_COUNT];

static void sift_down(uint32_t *a, size_t root, size_t end)
{
    uint32_t v = a[root];
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= end)
            break;
        if (child + 1 < end && a[child + 1] > a[child])
            child++;
        if (a[child] <= v)
            break;
        a[root] = a[child];
        root = child;
    }
    a[root] = v;
}

static void heap_sort(uint32_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

static uint32_t run_sort(uint32_t seed)
{
    rng_seed(seed);
    for (size_t i = 0; i < SORT_COUNT; i++)
        sort_buf[i] = rng_next();
    heap_sort(sort_buf, SORT_COUNT);
    uint32_t sum = 0;
    for (size_t i = 0; i < SORT_COUNT; i++) {
        if (i > 0 && sort_buf[i - 1] > sort_buf[i])
            return 0xbad5047u;  /* never: the sort is broken */
        sum = sum * 31u + sort_buf[i];
    }
    return sum;
}

/* ---- matrix multiply ------------------------------------------------------------------- */

static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

static uint32_t run_matmul(uint32_t seed)
{
    rng_seed(seed);
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            mat_a[i][j] = (int32_t)(rng_next() % 2001u) - 1000;
            mat_b[i][j] = (int32_t)(rng_next() % 2001u) - 1000;
        }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t acc = 0;
            for (int k = 0; k < MAT_N; k++)
                acc += mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = acc;
        }
    uint32_t sum = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++)
            sum = (sum ^ (uint32_t)mat_c[i][j]) * 0x01000193u;  /* FNV-1 style fold */
    return sum;
}

/* ---- memcpy ----------------------------------------------------------------------------- */

static uint32_t copy_src[COPY_BYTES / 4], copy_dst[COPY_BYTES / 4];

static uint32_t run_memcpy(uint32_t seed)
{
    rng_seed(seed);
    for (size_t i = 0; i < COPY_BYTES / 4; i++)
        copy_src[i] = rng_next();
    uint32_t sum = 0;
    for (int t = 0; t < COPY_TIMES; t++) {
        /* Word-aligned, shifting source and destination a little each time. */
        size_t off = 4 * (size_t)t;
        memcpy((uint8_t *)copy_dst + off, (const uint8_t *)copy_src + 2 * off, COPY_BYTES - 64);
        for (size_t i = 0; i < COPY_BYTES / 4; i += 61)
            sum = sum * 33u + copy_dst[i];
    }
    return sum;
}

/* ---- linked list walk ------------------------------------------------------------------- */

struct node {
    struct node *next;
    uint32_t value;
};

static struct node nodes[LIST_NODES];
static uint32_t order[LIST_NODES];

static uint32_t run_list(uint32_t seed)
{
    rng_seed(seed);
    /* A random permutation (Fisher-Yates) decides the order the nodes are linked in. */
    for (uint32_t i = 0; i < LIST_NODES; i++)
        order[i] = i;
    for (uint32_t i = LIST_NODES - 1; i > 0; i--) {
        uint32_t j = rng_next() % (i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (uint32_t i = 0; i < LIST_NODES; i++) {
        struct node *n = &nodes[order[i]];
        n->next = i + 1 < LIST_NODES ? &nodes[order[i + 1]] : NULL;
        n->value = rng_next();
    }
    uint32_t sum = 0;
    for (int w = 0; w < LIST_WALKS; w++)
        for (const struct node *n = &nodes[order[0]]; n != NULL; n = n->next)
            sum = (sum + n->value) ^ (uint32_t)w;
    return sum;
}

int main(void)
{
    uint32_t crc = 0, sort = 0, mat = 0, copy = 0, list = 0;

    printf("workload: %d rounds\n", WORKLOAD_ROUNDS);
    for (uint32_t round = 0; round < WORKLOAD_ROUNDS; round++) {
        uint32_t seed = 0x12345678u + round * 0x9e3779b9u;
        crc ^= run_crc(seed);
        sort ^= run_sort(seed + 1);
        mat ^= run_matmul(seed + 2);
        copy ^= run_memcpy(seed + 3);
        list ^= run_list(seed + 4);
    }
    printf("crc32  %08lx\n", (unsigned long)crc);
    printf("sort   %08lx\n", (unsigned long)sort);
    printf("matmul %08lx\n", (unsigned long)mat);
    printf("memcpy %08lx\n", (unsigned long)copy);
    printf("list   %08lx\n", (unsigned long)list);
    printf("minstret=%llu\n", (unsigned long long)read_minstret64());
    return 0;
}
