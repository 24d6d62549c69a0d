/*
 * fdt.h - just enough of a flattened device tree reader (Devicetree Specification 0.4, chapter 5)
 * to find a device: the firmware asks the tree handed over in a1 instead of assuming an address.
 *
 * This is how the shell finds the USB host controller. Hindsight's virt board has a
 * "generic-ohci" node at 0x10010000; QEMU's virt has none, and touching 0x10010000 there would
 * raise an access fault - so "no node" means "no USB", quietly.
 */
#ifndef HS_FDT_H
#define HS_FDT_H

#include <stdbool.h>
#include <stdint.h>

struct fdt_device {
    uint32_t base;  /* first address of the node's first `reg` entry (must fit in 32 bits) */
    uint32_t irq;   /* first cell of `interrupts`, 0 if the node has none */
};

/*
 * Finds the first node whose `compatible` list contains `compatible` and whose `status` is
 * absent or "okay". Every read is bounds-checked against the blob's header: a malformed or
 * missing tree gives false, never a fault.
 */
bool fdt_find_compatible(uint32_t dtb, const char *compatible, struct fdt_device *out);

#endif
