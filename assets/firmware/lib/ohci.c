/*
 * ohci.c - see ohci.h for the data structures. This file: controller bring-up (OHCI 1.0a 5.1.1),
 * the root hub ports (7.4), the periodic tree (5.2.7.2), queueing TDs (5.2.8), the done queue
 * (6.4.4), cancelling (5.2.7.1.2: sKip, wait a frame, take the TDs back) and halted EDs (6.4.4.3).
 *
 * Interrupts. The controller is PLIC source `irq` at priority 2, the UART is at priority 1. While
 * the driver waits for the controller it raises the PLIC threshold to 1, so typed characters do
 * not wake it (they stay in the UART for the shell); a wait that should also end on a key press
 * (ohci_sleep(..., true)) leaves the threshold at 0. mstatus.MIE stays clear throughout: an
 * interrupt only ends a WFI, it never traps, and the driver looks at the controller afterwards.
 *
 * Memory ordering. The controller reads descriptors from RAM on its own schedule, so every
 * descriptor is complete before the word that makes it visible (TailP, a NextED, a list head)
 * is written, with a full fence in between; likewise after an interrupt, before reading what
 * the controller wrote.
 */
#include <stdio.h>
#include <string.h>

#include "clint.h"
#include "csr.h"
#include "ohci.h"
#include "platform.h"
#include "plic.h"

#define OHCI_MAX_EDS       16
#define OHCI_MAX_TDS       64
#define OHCI_TD_MAX_BYTES  4096u  /* per TD: then a buffer crosses at most one 4 KiB page boundary */
#define OHCI_IRQ_PRIORITY  2u     /* above the UART's 1: see the threshold trick above */
#define OHCI_RESET_POLLS   1000   /* HCR clears within 10 us (7.1.3) */

/* Periodic tree (5.2.7.2): levels for polling intervals 32, 16, 8, 4, 2 and 1 ms. Node k of the
 * level with n nodes is tree[64 - 2n + k]; HccaInterruptTable[i] points at tree[i] (level 32) and
 * node (n, k) continues at node (n/2, k mod n/2), so frame f walks (32, f%32), (16, f%16), ...,
 * (1, 0). An endpoint polled every n ms hangs after one node of level n. The nodes themselves are
 * skipped EDs (sKip set, empty queue): placeholders the controller passes by. */
#define OHCI_TREE_NODES 63
#define TREE_NODE(n, k) (&tree[64 - 2 * (n) + (k)])

static struct ohci_info hc;
static bool hc_ready;  /* ohci_init succeeded */
static bool hc_dead;   /* the controller reported UnrecoverableError */

static struct ohci_hcca hcca;
static struct ohci_ed_hw tree[OHCI_TREE_NODES];
static unsigned tree_next_branch[6];  /* round-robin branch per level, to spread endpoints */
static struct ohci_ed eds[OHCI_MAX_EDS];
static unsigned eds_used;
static struct ohci_td tds[OHCI_MAX_TDS];

static inline uint32_t reg_read(uint32_t off) { return mmio_read32(hc.base + off); }
static inline void reg_write(uint32_t off, uint32_t v) { mmio_write32(hc.base + off, v); }
/* RAM is identity-mapped: a pointer is the bus address the controller uses. */
static inline uint32_t bus_addr(const volatile void *p) { return (uint32_t)(uintptr_t)p; }
/* Everything before (RAM and MMIO, reads and writes) happens before everything after. */
static inline void dma_fence(void) { __asm__ volatile("fence iorw, iorw" ::: "memory"); }

static inline void plic_threshold(uint32_t t) { mmio_write32(PLIC_THRESHOLD(PLIC_CTX_HART0_M), t); }

static const char *const status_names[] = {
    [USB_OK] = "ok",
    [USB_STALL] = "stall",
    [USB_TIMEOUT] = "timeout",
    [USB_NOT_RESPONDING] = "device not responding",
    [USB_OVERRUN] = "babble",
    [USB_ERROR] = "transfer error",
    [USB_NO_CONTROLLER] = "host controller unavailable",
};

const char *usb_status_name(enum usb_status s)
{
    return (unsigned)s < sizeof status_names / sizeof status_names[0] ? status_names[s] : "?";
}

/* ---- TD pool ---------------------------------------------------------------------------------- */

static struct ohci_td *td_alloc(struct ohci_ed *owner)
{
    for (unsigned i = 0; i < OHCI_MAX_TDS; i++) {
        if (tds[i].ed == NULL) {
            memset(&tds[i], 0, sizeof tds[i]);
            tds[i].ed = owner;
            return &tds[i];
        }
    }
    return NULL;
}

static void td_free(struct ohci_td *td)
{
    td->ed = NULL;
}

/* The TD at bus address `addr`, or NULL if it is not one of ours (a corrupted pointer). */
static struct ohci_td *td_at(uint32_t addr)
{
    uint32_t first = bus_addr(&tds[0]);
    if (addr < first || (addr - first) % sizeof(struct ohci_td) != 0 || (addr - first) / sizeof(struct ohci_td) >= OHCI_MAX_TDS)
        return NULL;
    return &tds[(addr - first) / sizeof(struct ohci_td)];
}

/* Bytes of a retired TD's buffer that did not move (4.3.1.3.1: CBP is 0 when all of them did). */
static uint32_t td_remaining(const struct ohci_td *td)
{
    uint32_t cbp = td->cbp, be = td->be;
    if (cbp == 0)
        return 0;
    if (((cbp ^ be) & ~0xfffu) != 0)  /* CBP still in the first page, BE in the next */
        return (be & 0xfffu) + 0x1001u - (cbp & 0xfffu);
    return be - cbp + 1;
}

static void td_fill(struct ohci_td *td, struct ohci_ed *ed, uint32_t flags, const void *buf, uint32_t length,
                    const struct ohci_td *next, bool counts)
{
    td->ed = ed;
    td->gen = ed->gen;
    td->length = length;
    td->counts = counts;
    /* DelayInterrupt 0: the done queue comes back at the end of the frame that retired the TD. */
    td->flags = flags | OHCI_TD_DI(0) | OHCI_TD_CC_NOT_ACCESSED;
    td->cbp = length ? bus_addr(buf) : 0;
    td->be = length ? bus_addr(buf) + length - 1 : 0;
    td->next = bus_addr(next);
}

/* ---- done queue ------------------------------------------------------------------------------- */

/* A TD came back from the controller: account for it in its endpoint's transfer, free it. */
static void td_retired(struct ohci_td *td)
{
    struct ohci_ed *ed = td->ed;
    /* A TD of a transfer that was cancelled (busy clear) or superseded (gen moved on) is just freed. */
    if (ed != NULL && ed->busy && td->gen == ed->gen) {
        uint32_t cc = OHCI_TD_CC(td->flags);
        if (td->counts)
            ed->actual += td->length - td_remaining(td);
        if (ed->tds_left > 0)
            ed->tds_left--;
        if (cc != OHCI_CC_NO_ERROR && ed->cc == 0)
            ed->cc = (uint8_t)cc;
        /* An error halts the ED (4.2.2): the TDs after this one will not come back by themselves. */
        if (cc != OHCI_CC_NO_ERROR || ed->tds_left == 0)
            ed->done = 1;
    }
    td_free(td);
}

void ohci_poll(void)
{
    if (!hc_ready)
        return;
    uint32_t status = reg_read(OHCI_INT_STATUS);
    if (status & OHCI_INT_WDH) {
        dma_fence();
        uint32_t head = hcca.done_head & ~0xfu;
        hcca.done_head = 0;
        dma_fence();
        /* Clearing WDH hands HccaDoneHead back: the controller may write the next queue now. */
        reg_write(OHCI_INT_STATUS, OHCI_INT_WDH);
        /* The queue is newest first, linked through NextTD. Bounded: at most every TD we own. */
        for (unsigned n = 0; head != 0 && n < OHCI_MAX_TDS; n++) {
            struct ohci_td *td = td_at(head);
            if (td == NULL) {
                printf("ohci: done queue entry 0x%08lx is not a TD of ours; rest ignored\n", (unsigned long)head);
                break;
            }
            head = td->next & ~0xfu;
            td_retired(td);
        }
    }
    if (status & OHCI_INT_UE) {
        if (!hc_dead)
            printf("ohci: unrecoverable error: the controller stopped\n");
        hc_dead = true;
    }
    /* Acknowledge everything else (SF, RHSC, ...): none of it is enabled, but keep the line low. */
    uint32_t other = status & ~(OHCI_INT_WDH | OHCI_INT_MIE);
    if (other)
        reg_write(OHCI_INT_STATUS, other);
}

void ohci_sleep(uint64_t deadline, bool console)
{
    bool timed = deadline != UINT64_MAX;
    if (!console)
        plic_threshold(OHCI_IRQ_PRIORITY - 1);
    if (timed)
        clint_alarm(deadline);
    __asm__ volatile("wfi");
    if (timed)
        clint_alarm_off();
    ohci_poll();  /* first: it lowers the controller's interrupt line */
    for (int i = 0; i < 4; i++) {
        uint32_t src = plic_claim_m();
        if (src == 0)
            break;
        plic_complete_m(src);
    }
    if (!console)
        plic_threshold(0);
}

void ohci_delay_ms(uint32_t ms)
{
    uint64_t until = clint_deadline_ms(ms);
    while (clint_now() < until)
        ohci_sleep(until, false);
}

/* Waits until the controller has started `frames` more frames (bounded: a stopped HC never does). */
static void ohci_wait_frames(uint32_t frames)
{
    uint32_t start = reg_read(OHCI_FM_NUMBER) & 0xffffu;
    uint64_t limit = clint_deadline_ms(frames + 5);
    while (!hc_dead && ((reg_read(OHCI_FM_NUMBER) - start) & 0xffffu) < frames && clint_now() < limit)
        ohci_sleep(clint_deadline_ms(1), false);
}

/* ---- controller bring-up ---------------------------------------------------------------------- */

static void build_periodic_tree(void)
{
    for (unsigned n = 32; n >= 1; n /= 2) {
        for (unsigned k = 0; k < n; k++) {
            struct ohci_ed_hw *node = TREE_NODE(n, k);
            node->flags = OHCI_ED_SKIP;
            node->tailp = 0;
            node->headp = 0;
            node->nexted = n > 1 ? bus_addr(TREE_NODE(n / 2, k % (n / 2))) : 0;
        }
    }
    for (unsigned i = 0; i < 32; i++)
        hcca.int_table[i] = bus_addr(TREE_NODE(32, i));
}

bool ohci_init(uint32_t base, uint32_t irq)
{
    hc = (struct ohci_info){.base = base, .irq = irq};
    hc.revision = reg_read(OHCI_REVISION) & 0xffu;
    if (hc.revision != 0x10) {
        printf("ohci: 0x%08lx: HcRevision 0x%02lx, expected 0x10 (OHCI 1.0)\n", (unsigned long)base,
               (unsigned long)hc.revision);
        return false;
    }

    /* Someone else (SMM firmware) owns the controller: ask for it (5.1.1.3.3). */
    if (reg_read(OHCI_CONTROL) & OHCI_CTL_IR) {
        reg_write(OHCI_COMMAND_STATUS, OHCI_CMD_OCR);
        uint64_t limit = clint_deadline_ms(100);
        while ((reg_read(OHCI_CONTROL) & OHCI_CTL_IR) && clint_now() < limit) {
        }
        if (reg_read(OHCI_CONTROL) & OHCI_CTL_IR) {
            printf("ohci: the controller did not give up SMM ownership\n");
            return false;
        }
    }

    /* Software reset (7.1.3 HCR): registers to defaults, controller in UsbSuspend. From here we
     * have 2 ms to make it operational. HcFmInterval is reset too, so keep its FrameInterval. */
    uint32_t fi = reg_read(OHCI_FM_INTERVAL) & 0x3fffu;
    if (fi == 0)
        fi = OHCI_FI_DEFAULT;
    reg_write(OHCI_COMMAND_STATUS, OHCI_CMD_HCR);
    for (int i = 0; i < OHCI_RESET_POLLS && (reg_read(OHCI_COMMAND_STATUS) & OHCI_CMD_HCR); i++) {
    }
    if (reg_read(OHCI_COMMAND_STATUS) & OHCI_CMD_HCR) {
        printf("ohci: software reset did not complete\n");
        return false;
    }

    memset(&hcca, 0, sizeof hcca);
    build_periodic_tree();
    dma_fence();
    reg_write(OHCI_HCCA, bus_addr(&hcca));
    reg_write(OHCI_CONTROL_HEAD_ED, 0);
    reg_write(OHCI_BULK_HEAD_ED, 0);
    reg_write(OHCI_INT_DISABLE, 0xffffffffu);
    reg_write(OHCI_INT_STATUS, 0xffffffffu & ~OHCI_INT_MIE);
    /* Toggle FrameIntervalToggle whenever FrameInterval is written (7.3.1). */
    uint32_t fit = (reg_read(OHCI_FM_INTERVAL) & OHCI_FIT) ^ OHCI_FIT;
    reg_write(OHCI_FM_INTERVAL, fit | (OHCI_FSMPS(fi) << 16) | fi);
    reg_write(OHCI_PERIODIC_START, fi * 9 / 10);  /* periodic work gets the first 90 % of a frame */
    reg_write(OHCI_LS_THRESHOLD, 0x628);
    /* Only what the driver acts on: the done queue, and the controller stopping. */
    reg_write(OHCI_INT_ENABLE, OHCI_INT_MIE | OHCI_INT_WDH | OHCI_INT_UE);
    reg_write(OHCI_CONTROL, OHCI_HCFS_OPERATIONAL | OHCI_CTL_PLE | OHCI_CTL_CLE | OHCI_CTL_BLE | OHCI_CTL_CBSR_3_1);

    plic_enable_m(irq);
    mmio_write32(PLIC_PRIORITY(irq), OHCI_IRQ_PRIORITY);
    csr_set(mie, MIP_MEIP);
    hc_ready = true;
    hc_dead = false;

    /* Port power (7.4.1): per-port switching needs SetPortPower on each port, ganged switching
     * SetGlobalPower; doing both covers either. Then wait PowerOnToPowerGoodTime. */
    uint32_t a = reg_read(OHCI_RH_DESC_A);
    hc.ports = (int)(a & OHCI_RHA_NDP);
    if (hc.ports > 15)
        hc.ports = 15;
    if (!(a & OHCI_RHA_NPS)) {
        reg_write(OHCI_RH_STATUS, OHCI_RHS_LPSC);
        for (int p = 1; p <= hc.ports; p++)
            reg_write(OHCI_RH_PORT(p), OHCI_PORT_PPS);
    }
    ohci_delay_ms(2 * OHCI_RHA_POTPGT(a) + 1);
    return true;
}

const struct ohci_info *ohci_controller(void)
{
    return hc_ready ? &hc : NULL;
}

bool ohci_dead(void)
{
    return hc_dead;
}

/* ---- root hub ---------------------------------------------------------------------------------- */

uint32_t ohci_port_status(int port)
{
    if (!hc_ready || port < 1 || port > hc.ports)
        return 0;
    return reg_read(OHCI_RH_PORT(port));
}

bool ohci_port_reset(int port)
{
    if (!hc_ready || port < 1 || port > hc.ports)
        return false;
    reg_write(OHCI_RH_PORT(port), OHCI_PORT_CSC);  /* forget the connect change we acted on */
    reg_write(OHCI_RH_PORT(port), OHCI_PORT_PRS);
    /* The root hub drives reset for 10 ms, then sets PortResetStatusChange and enables the port. */
    uint64_t limit = clint_deadline_ms(100);
    while (!(reg_read(OHCI_RH_PORT(port)) & OHCI_PORT_PRSC)) {
        if (clint_now() >= limit || hc_dead)
            return false;
        ohci_sleep(clint_deadline_ms(2), false);
    }
    reg_write(OHCI_RH_PORT(port), OHCI_PORT_PRSC);
    return (reg_read(OHCI_RH_PORT(port)) & OHCI_PORT_PES) != 0;
}

void ohci_port_disable(int port)
{
    if (hc_ready && port >= 1 && port <= hc.ports)
        reg_write(OHCI_RH_PORT(port), OHCI_PORT_CCS);  /* ClearPortEnable */
}

/* ---- endpoints ---------------------------------------------------------------------------------- */

struct ohci_ed *ohci_ed_create(enum ohci_ep_type type, uint8_t address, uint8_t endpoint, bool in,
                               uint16_t max_packet, bool low_speed, uint8_t interval)
{
    if (!hc_ready || eds_used >= OHCI_MAX_EDS)
        return NULL;
    struct ohci_ed *ed = &eds[eds_used];
    struct ohci_td *dummy = td_alloc(ed);
    if (dummy == NULL)
        return NULL;
    eds_used++;

    memset(ed, 0, sizeof *ed);
    ed->type = (uint8_t)type;
    ed->in = in;
    uint32_t dir = type == OHCI_EP_CONTROL ? OHCI_ED_DIR_TD : in ? OHCI_ED_DIR_IN : OHCI_ED_DIR_OUT;
    ed->hw.flags = OHCI_ED_FA(address) | OHCI_ED_EN(endpoint) | dir | (low_speed ? OHCI_ED_LOW_SPEED : 0) |
                   OHCI_ED_MPS(max_packet);
    ed->hw.tailp = bus_addr(dummy);  /* empty queue: HeadP == TailP == the dummy TD */
    ed->hw.headp = bus_addr(dummy);

    /* Link it in at the head of its list (or behind its tree node); NextED first, then the
     * pointer the controller follows, so it always sees a complete list. */
    switch (type) {
    case OHCI_EP_CONTROL:
        ed->hw.nexted = reg_read(OHCI_CONTROL_HEAD_ED);
        dma_fence();
        reg_write(OHCI_CONTROL_HEAD_ED, bus_addr(ed));
        break;
    case OHCI_EP_BULK:
        ed->hw.nexted = reg_read(OHCI_BULK_HEAD_ED);
        dma_fence();
        reg_write(OHCI_BULK_HEAD_ED, bus_addr(ed));
        break;
    case OHCI_EP_INTERRUPT: {
        unsigned n = 32, level = 0;
        while (n > 1 && n > (interval ? interval : 1))
            n /= 2, level++;
        ed->interval = (uint8_t)n;
        struct ohci_ed_hw *node = TREE_NODE(n, tree_next_branch[level]++ % n);
        ed->hw.nexted = node->nexted;
        dma_fence();
        node->nexted = bus_addr(ed);
        break;
    }
    }
    return ed;
}

void ohci_ed_set_address(struct ohci_ed *ed, uint8_t address)
{
    ed->hw.flags = (ed->hw.flags & ~0x7fu) | OHCI_ED_FA(address);
}

void ohci_ed_set_max_packet(struct ohci_ed *ed, uint16_t max_packet)
{
    ed->hw.flags = (ed->hw.flags & ~OHCI_ED_MPS_MASK) | OHCI_ED_MPS(max_packet);
}

void ohci_ed_set_device(struct ohci_ed *ed, uint8_t address, uint16_t max_packet, bool low_speed)
{
    uint32_t keep = ed->hw.flags & ~(0x7fu | OHCI_ED_LOW_SPEED | OHCI_ED_MPS_MASK);
    ed->hw.flags = keep | OHCI_ED_FA(address) | (low_speed ? OHCI_ED_LOW_SPEED : 0) | OHCI_ED_MPS(max_packet);
}

void ohci_ed_reset_toggle(struct ohci_ed *ed)
{
    ed->hw.headp &= ~OHCI_ED_CARRY;
}

/*
 * Takes back every TD still queued on an ED the controller is not processing (halted, or skipped
 * for a frame) and empties the queue, clearing Halted; toggleCarry is kept (6.4.4.3).
 */
static void ed_take_back(struct ohci_ed *ed)
{
    uint32_t head = ed->hw.headp;
    uint32_t p = head & ~0xfu;
    for (unsigned n = 0; p != ed->hw.tailp && n < OHCI_MAX_TDS; n++) {
        struct ohci_td *td = td_at(p);
        if (td == NULL)
            break;
        p = td->next & ~0xfu;
        td_free(td);
    }
    ed->hw.headp = ed->hw.tailp | (head & OHCI_ED_CARRY);
}

/* ---- transfers ---------------------------------------------------------------------------------- */

enum usb_status ohci_start(struct ohci_ed *ed, const void *setup, void *data, uint32_t length)
{
    if (!hc_ready || hc_dead)
        return USB_NO_CONTROLLER;
    if (ed->busy)
        return USB_ERROR;  /* one transfer per endpoint at a time */

    bool control = ed->type == OHCI_EP_CONTROL;
    bool in = control ? (((const uint8_t *)setup)[0] & 0x80) != 0 : ed->in;
    if (control && length > OHCI_TD_MAX_BYTES)
        return USB_ERROR;  /* a control data stage fits one TD here */

    /* The TDs: SETUP + data + status for control; the data in 4 KiB pieces for bulk/interrupt.
     * The current dummy (TailP) becomes the first of them; the last new TD is the next dummy. */
    uint32_t pieces = length ? (length + OHCI_TD_MAX_BYTES - 1) / OHCI_TD_MAX_BYTES : 1;
    uint32_t count = control ? 2 + (length ? 1 : 0) : pieces;
    struct ohci_td *chain[OHCI_MAX_TDS / 2 + 1];
    if (count >= OHCI_MAX_TDS / 2)
        return USB_ERROR;
    chain[0] = td_at(ed->hw.tailp);
    if (chain[0] == NULL)
        return USB_ERROR;
    for (uint32_t i = 1; i <= count; i++) {
        chain[i] = td_alloc(ed);
        if (chain[i] == NULL) {
            for (uint32_t j = 1; j < i; j++)
                td_free(chain[j]);
            return USB_NO_CONTROLLER;  /* out of TDs */
        }
    }

    ed->gen++;
    ed->tds_left = (uint16_t)count;
    ed->cc = 0;
    ed->done = 0;
    ed->actual = 0;
    ed->busy = 1;

    uint8_t *buf = data;
    if (control) {
        uint32_t i = 0;
        td_fill(chain[i], ed, OHCI_TD_DP_SETUP | OHCI_TD_TOGGLE_DATA0, setup, 8, chain[i + 1], false);
        i++;
        if (length) {
            uint32_t dir = in ? OHCI_TD_DP_IN | OHCI_TD_ROUNDING : OHCI_TD_DP_OUT;
            td_fill(chain[i], ed, dir | OHCI_TD_TOGGLE_DATA1, buf, length, chain[i + 1], true);
            i++;
        }
        /* Status stage: a zero-length packet the other way (IN when there is no data), DATA1. */
        uint32_t status_dir = in && length ? OHCI_TD_DP_OUT : OHCI_TD_DP_IN;
        td_fill(chain[i], ed, status_dir | OHCI_TD_TOGGLE_DATA1, NULL, 0, chain[i + 1], false);
    } else {
        for (uint32_t i = 0; i < pieces; i++) {
            uint32_t off = i * OHCI_TD_MAX_BYTES;
            uint32_t n = length - off < OHCI_TD_MAX_BYTES ? length - off : OHCI_TD_MAX_BYTES;
            uint32_t flags = (in ? OHCI_TD_DP_IN : OHCI_TD_DP_OUT) | OHCI_TD_TOGGLE_CARRY;
            /* Only the last piece may be short without error; a short packet earlier ends the
             * transfer with DataUnderrun, which halts the ED so the later pieces are not sent. */
            if (in && i == pieces - 1)
                flags |= OHCI_TD_ROUNDING;
            td_fill(chain[i], ed, flags, buf + off, n, chain[i + 1], true);
        }
    }
    dma_fence();
    ed->hw.tailp = bus_addr(chain[count]);  /* now the controller sees the new TDs */
    dma_fence();
    if (ed->type == OHCI_EP_CONTROL)
        reg_write(OHCI_COMMAND_STATUS, OHCI_CMD_CLF);
    else if (ed->type == OHCI_EP_BULK)
        reg_write(OHCI_COMMAND_STATUS, OHCI_CMD_BLF);
    return USB_OK;
}

/* What a condition code (table 4-7) means for the transfer. DataUnderrun is a short packet on a
 * piece that did not allow one: the data is still good. The wire errors the controller retries
 * (CRC, bit stuffing, toggle, PID) are USB_ERROR once it has given up. */
static const uint8_t cc_status[16] = {
    [OHCI_CC_NO_ERROR] = USB_OK,             [OHCI_CC_CRC] = USB_ERROR,
    [OHCI_CC_BIT_STUFFING] = USB_ERROR,      [OHCI_CC_TOGGLE_MISMATCH] = USB_ERROR,
    [OHCI_CC_STALL] = USB_STALL,             [OHCI_CC_NOT_RESPONDING] = USB_NOT_RESPONDING,
    [OHCI_CC_PID_CHECK] = USB_ERROR,         [OHCI_CC_UNEXPECTED_PID] = USB_ERROR,
    [OHCI_CC_DATA_OVERRUN] = USB_OVERRUN,    [OHCI_CC_DATA_UNDERRUN] = USB_OK,
    [0xa] = USB_ERROR,                       [0xb] = USB_ERROR,
    [OHCI_CC_BUFFER_OVERRUN] = USB_ERROR,    [OHCI_CC_BUFFER_UNDERRUN] = USB_ERROR,
    [0xe] = USB_ERROR,                       [OHCI_CC_NOT_ACCESSED] = USB_ERROR,
};

enum usb_status ohci_finish(struct ohci_ed *ed, uint32_t *actual)
{
    if (actual)
        *actual = ed->actual;
    if (!ed->busy)
        return USB_ERROR;
    /* On an error (or a short packet) the controller halted the ED with our later TDs still
     * queued: take them back and clear Halted, so the endpoint can be used again. */
    if (ed->hw.headp & OHCI_ED_HALTED)
        ed_take_back(ed);
    ed->busy = 0;
    return (enum usb_status)cc_status[ed->cc & 0xfu];
}

void ohci_cancel(struct ohci_ed *ed)
{
    if (!ed->busy)
        return;
    if (!hc_dead) {
        /* sKip the ED and let a frame pass: after that the controller no longer works on it
         * (and drops a transfer it had started). TDs it retired meanwhile come back through the
         * done queue and are dropped there, since the transfer is no longer busy. */
        ed->hw.flags |= OHCI_ED_SKIP;
        dma_fence();
        ohci_wait_frames(2);
    }
    ed->busy = 0;
    ohci_poll();
    ed_take_back(ed);
    dma_fence();
    ed->hw.flags &= ~OHCI_ED_SKIP;
}

enum usb_status ohci_transfer(struct ohci_ed *ed, const void *setup, void *data, uint32_t length,
                              uint32_t timeout_ms, uint32_t *actual)
{
    if (actual)
        *actual = 0;
    enum usb_status st = ohci_start(ed, setup, data, length);
    if (st != USB_OK)
        return st;
    uint64_t deadline = timeout_ms ? clint_deadline_ms(timeout_ms) : UINT64_MAX;
    while (!ohci_done(ed)) {
        if (hc_dead || clint_now() >= deadline) {
            if (actual)
                *actual = ed->actual;
            ohci_cancel(ed);
            return hc_dead ? USB_NO_CONTROLLER : USB_TIMEOUT;
        }
        ohci_sleep(deadline, false);
    }
    return ohci_finish(ed, actual);
}
