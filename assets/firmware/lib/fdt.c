/*
 * fdt.c - see fdt.h. The blob's structure block is a token stream (big-endian 32-bit words):
 *   FDT_BEGIN_NODE name\0 (padded to 4)   FDT_PROP len nameoff value (padded)   FDT_END_NODE
 *   FDT_NOP   FDT_END
 * Property names live in the strings block. A node's properties come before its children, and
 * a node's `reg` is decoded with its parent's #address-cells / #size-cells.
 */
#include <string.h>

#include "fdt.h"
#include "platform.h"

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u
#define FDT_MAX_DEPTH  16
#define FDT_MAX_SIZE   (1u << 20)  /* a virt tree is ~4 KiB; anything near 1 MiB is not a tree */

struct fdt_node {
    uint32_t address_cells;  /* #address-cells for this node's children */
    uint32_t size_cells;
    bool compatible;         /* `compatible` lists the string we look for */
    bool disabled;           /* `status` is present and not "okay" */
    uint32_t reg, reg_len;   /* offset and length of the `reg` value in the blob, 0 if none */
    uint32_t irq;
};

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Does the string list (NUL-separated) `list` of `len` bytes contain `s`? */
static bool list_contains(const char *list, uint32_t len, const char *s)
{
    size_t n = strlen(s);
    for (uint32_t i = 0; i < len;) {
        size_t item = strnlen(list + i, len - i);
        if (item == n && memcmp(list + i, s, n) == 0)
            return true;
        i += (uint32_t)item + 1;
    }
    return false;
}

/* A finished node: does it match, and what does its first `reg` entry say? */
static bool node_result(const uint8_t *blob, const struct fdt_node *node, const struct fdt_node *parent,
                        struct fdt_device *out)
{
    if (!node->compatible || node->disabled || node->reg_len == 0)
        return false;
    uint32_t acells = parent->address_cells;
    if (acells < 1 || acells > 2 || node->reg_len < 4 * acells)
        return false;
    const uint8_t *reg = blob + node->reg;
    if (acells == 2 && be32(reg) != 0)
        return false;  /* above 4 GiB: not reachable from RV32 */
    out->base = be32(reg + 4 * (acells - 1));
    out->irq = node->irq;
    return true;
}

bool fdt_find_compatible(uint32_t dtb, const char *compatible, struct fdt_device *out)
{
    if (dtb < RAM_BASE || (dtb & 3) != 0)
        return false;
    const uint8_t *blob = (const uint8_t *)(uintptr_t)dtb;
    if (be32(blob) != FDT_MAGIC)
        return false;
    uint32_t total = be32(blob + 4);
    uint32_t off_struct = be32(blob + 8);
    uint32_t off_strings = be32(blob + 12);
    if (total < 40 || total > FDT_MAX_SIZE || off_struct >= total || off_strings >= total || (off_struct & 3) != 0)
        return false;

    struct fdt_node stack[FDT_MAX_DEPTH + 1];
    int depth = 0;  /* stack[0] stands for the root's parent: 2 address cells, 1 size cell */
    stack[0] = (struct fdt_node){.address_cells = 2, .size_cells = 1};

    uint32_t p = off_struct;
    while (p + 4 <= total) {
        uint32_t token = be32(blob + p);
        p += 4;
        switch (token) {
        case FDT_BEGIN_NODE: {
            size_t name = strnlen((const char *)blob + p, total - p);
            p += ((uint32_t)name + 1 + 3) & ~3u;
            if (++depth > FDT_MAX_DEPTH)
                return false;
            stack[depth] = (struct fdt_node){.address_cells = 2, .size_cells = 1};
            break;
        }
        case FDT_END_NODE:
            if (depth < 1)
                return false;
            if (node_result(blob, &stack[depth], &stack[depth - 1], out))
                return true;
            depth--;
            break;
        case FDT_PROP: {
            if (p + 8 > total || depth < 1)
                return false;
            uint32_t len = be32(blob + p);
            uint32_t nameoff = be32(blob + p + 4);
            uint32_t value = p + 8;
            if (len > total - value || off_strings + nameoff >= total)
                return false;
            const char *name = (const char *)blob + off_strings + nameoff;
            struct fdt_node *node = &stack[depth];
            if (strcmp(name, "compatible") == 0)
                node->compatible = list_contains((const char *)blob + value, len, compatible);
            else if (strcmp(name, "status") == 0)
                node->disabled = strncmp((const char *)blob + value, "okay", len) != 0;
            else if (strcmp(name, "reg") == 0)
                node->reg = value, node->reg_len = len;
            else if (strcmp(name, "interrupts") == 0 && len >= 4)
                node->irq = be32(blob + value);
            else if (strcmp(name, "#address-cells") == 0 && len == 4)
                node->address_cells = be32(blob + value);
            else if (strcmp(name, "#size-cells") == 0 && len == 4)
                node->size_cells = be32(blob + value);
            p = value + ((len + 3) & ~3u);
            break;
        }
        case FDT_NOP:
            break;
        default:  /* FDT_END, or garbage */
            return false;
        }
    }
    return false;
}
