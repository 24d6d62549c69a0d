/* plic.c - see plic.h. */
#include "plic.h"

void plic_enable_m(uint32_t src)
{
    mmio_write32(PLIC_PRIORITY(src), 1);
    uintptr_t enable = PLIC_ENABLE(PLIC_CTX_HART0_M) + 4u * (src / 32u);
    mmio_write32(enable, mmio_read32(enable) | (1u << (src % 32u)));
    mmio_write32(PLIC_THRESHOLD(PLIC_CTX_HART0_M), 0);
}
