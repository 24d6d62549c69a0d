/*
 * hello - the smallest useful program: who am I, where is my device tree, how long did it take.
 *
 * Prints the hart id and DTB address the reset ROM passed in a0/a1 (saved by crt0), the DTB's
 * magic word as read from memory (big-endian 0xd00dfeed), and the instructions retired so far.
 */
#include <stdio.h>

#include "csr.h"
#include "platform.h"

/* The flattened device tree header starts with the big-endian magic 0xd00dfeed. */
static uint32_t read_be32(uintptr_t addr)
{
    const volatile uint8_t *p = (const volatile uint8_t *)addr;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int main(void)
{
    printf("hello from hart %lu\n", (unsigned long)hs_boot_hartid);
    printf("dtb at 0x%08lx\n", (unsigned long)hs_boot_dtb);
    printf("dtb magic 0x%08lx\n", (unsigned long)read_be32(hs_boot_dtb));
    printf("minstret=%llu\n", (unsigned long long)read_minstret64());
    return 0;
}
