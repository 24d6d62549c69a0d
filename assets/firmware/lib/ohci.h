/*
 * ohci.h - a small bare-metal driver for an OHCI USB host controller (Open Host Controller
 * Interface Specification for USB, release 1.0a), as Hindsight's virt board has at 0x10010000.
 *
 * What the controller and the driver share, all in RAM (chapter 4):
 *
 *   HCCA (256 bytes, 256-aligned)    the interrupt table (32 ED pointers, one per frame mod 32),
 *                                    HccaFrameNumber, and HccaDoneHead (the "done queue")
 *   ED  Endpoint Descriptor, 16 B    one per endpoint: address, endpoint, direction, speed, max
 *                                    packet size, and a queue of TDs from HeadP up to TailP
 *   TD  Transfer Descriptor, 16 B    one buffer (at most 8 KiB across one page boundary), its
 *                                    token (SETUP/OUT/IN), data toggle and condition code
 *
 * Lists (5.2.7): EP0s are on the control list (HcControlHeadED), bulk endpoints on the bulk list
 * (HcBulkHeadED), interrupt endpoints hang off the periodic tree the HCCA's interrupt table
 * points into. A queue is empty when HeadP == TailP: TailP is always a "dummy" TD the controller
 * does not touch, so queueing work is "fill the dummy, append a new dummy, move TailP".
 *
 * Completion (6.4.4): the controller retires each TD with a condition code, links it onto its
 * done queue, writes that queue to HccaDoneHead at the end of the frame (every TD here asks for
 * that at once: DelayInterrupt 0) and raises WritebackDoneHead (WDH), which reaches the hart
 * through the PLIC. The driver waits for it in WFI, with an mtime alarm as the timeout.
 *
 * The driver runs one transfer at a time per endpoint (an ED carries it), which is all a
 * polled, single-threaded shell needs. Transfers are synchronous (ohci_transfer) or started and
 * polled (ohci_start + ohci_done + ohci_finish / ohci_cancel) when something else must be
 * watched meanwhile, e.g. the console while waiting for a key press.
 */
#ifndef HS_OHCI_H
#define HS_OHCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- operational registers (chapter 7; offsets from the controller's base) ---------------- */

#define OHCI_REVISION        0x00
#define OHCI_CONTROL         0x04
#define OHCI_COMMAND_STATUS  0x08
#define OHCI_INT_STATUS      0x0c
#define OHCI_INT_ENABLE      0x10
#define OHCI_INT_DISABLE     0x14
#define OHCI_HCCA            0x18
#define OHCI_PERIOD_CUR_ED   0x1c
#define OHCI_CONTROL_HEAD_ED 0x20
#define OHCI_CONTROL_CUR_ED  0x24
#define OHCI_BULK_HEAD_ED    0x28
#define OHCI_BULK_CUR_ED     0x2c
#define OHCI_DONE_HEAD       0x30
#define OHCI_FM_INTERVAL     0x34
#define OHCI_FM_REMAINING    0x38
#define OHCI_FM_NUMBER       0x3c
#define OHCI_PERIODIC_START  0x40
#define OHCI_LS_THRESHOLD    0x44
#define OHCI_RH_DESC_A       0x48
#define OHCI_RH_DESC_B       0x4c
#define OHCI_RH_STATUS       0x50
#define OHCI_RH_PORT(n)      (0x54 + 4 * ((n) - 1))  /* ports are numbered from 1 */

/* HcControl (7.1.2) */
#define OHCI_CTL_CBSR_3_1    (3u << 0)   /* 4 control EDs per bulk ED */
#define OHCI_CTL_PLE         (1u << 2)   /* periodic list enable */
#define OHCI_CTL_IE          (1u << 3)   /* isochronous enable */
#define OHCI_CTL_CLE         (1u << 4)   /* control list enable */
#define OHCI_CTL_BLE         (1u << 5)   /* bulk list enable */
#define OHCI_CTL_HCFS        (3u << 6)   /* host controller functional state: */
#define OHCI_HCFS_RESET      (0u << 6)
#define OHCI_HCFS_RESUME     (1u << 6)
#define OHCI_HCFS_OPERATIONAL (2u << 6)
#define OHCI_HCFS_SUSPEND    (3u << 6)
#define OHCI_CTL_IR          (1u << 8)   /* interrupts routed to SMM: another driver owns the HC */

/* HcCommandStatus (7.1.3): write 1 to set */
#define OHCI_CMD_HCR         (1u << 0)   /* host controller reset */
#define OHCI_CMD_CLF         (1u << 1)   /* control list filled */
#define OHCI_CMD_BLF         (1u << 2)   /* bulk list filled */
#define OHCI_CMD_OCR         (1u << 3)   /* ownership change request */

/* HcInterruptStatus / Enable / Disable (7.1.4-7.1.6) */
#define OHCI_INT_SO          (1u << 0)   /* scheduling overrun */
#define OHCI_INT_WDH         (1u << 1)   /* HccaDoneHead written */
#define OHCI_INT_SF          (1u << 2)   /* start of frame */
#define OHCI_INT_RD          (1u << 3)   /* resume detected */
#define OHCI_INT_UE          (1u << 4)   /* unrecoverable error: the HC stopped */
#define OHCI_INT_FNO         (1u << 5)   /* frame number overflow */
#define OHCI_INT_RHSC        (1u << 6)   /* root hub status change */
#define OHCI_INT_OC          (1u << 30)  /* ownership change */
#define OHCI_INT_MIE         (1u << 31)  /* master interrupt enable (enable register only) */

/* HcFmInterval (7.3.1) */
#define OHCI_FI_DEFAULT      11999u      /* 12 000 bit times = 1 ms, minus one */
#define OHCI_FSMPS(fi)       ((6u * ((fi) - 210u)) / 7u)  /* largest data packet, 5.4 */
#define OHCI_FIT             (1u << 31)

/* HcRhDescriptorA (7.4.1) */
#define OHCI_RHA_NDP         0xffu       /* number of downstream ports */
#define OHCI_RHA_PSM         (1u << 8)   /* power switching per port */
#define OHCI_RHA_NPS         (1u << 9)   /* no power switching: ports always powered */
#define OHCI_RHA_POTPGT(a)   ((a) >> 24) /* power-on to power-good time, 2 ms units */

/* HcRhStatus (7.4.3) */
#define OHCI_RHS_LPSC        (1u << 16)  /* write: SetGlobalPower */

/* HcRhPortStatus (7.4.4): reading means one thing, writing 1 another */
#define OHCI_PORT_CCS        (1u << 0)   /* read: device connected   write: ClearPortEnable */
#define OHCI_PORT_PES        (1u << 1)   /* read: port enabled       write: SetPortEnable */
#define OHCI_PORT_PSS        (1u << 2)   /* read: suspended          write: SetPortSuspend */
#define OHCI_PORT_POCI       (1u << 3)   /* read: over-current       write: ClearSuspendStatus */
#define OHCI_PORT_PRS        (1u << 4)   /* read: reset in progress  write: SetPortReset */
#define OHCI_PORT_PPS        (1u << 8)   /* read: powered            write: SetPortPower */
#define OHCI_PORT_LSDA       (1u << 9)   /* read: low-speed device   write: ClearPortPower */
#define OHCI_PORT_CSC        (1u << 16)  /* connect status change (write 1 to clear) */
#define OHCI_PORT_PESC       (1u << 17)
#define OHCI_PORT_PSSC       (1u << 18)
#define OHCI_PORT_OCIC       (1u << 19)
#define OHCI_PORT_PRSC       (1u << 20)  /* port reset status change: reset finished */

/* ---- in-memory structures (chapter 4) ----------------------------------------------------- */

/* ED dword 0 (4.2.1) */
#define OHCI_ED_FA(a)        ((uint32_t)(a) & 0x7fu)           /* function (device) address */
#define OHCI_ED_EN(e)        (((uint32_t)(e) & 0xfu) << 7)     /* endpoint number */
#define OHCI_ED_DIR_TD       (0u << 11)                        /* direction from each TD (control) */
#define OHCI_ED_DIR_OUT      (1u << 11)
#define OHCI_ED_DIR_IN       (2u << 11)
#define OHCI_ED_LOW_SPEED    (1u << 13)
#define OHCI_ED_SKIP         (1u << 14)                        /* sKip: the HC passes this ED by */
#define OHCI_ED_MPS(n)       (((uint32_t)(n) & 0x7ffu) << 16)
#define OHCI_ED_MPS_MASK     (0x7ffu << 16)
/* ED dword 2 (HeadP) low bits */
#define OHCI_ED_HALTED       1u          /* the HC halted the queue after an error */
#define OHCI_ED_CARRY        2u          /* toggleCarry: the next data toggle (bulk/interrupt) */

/* General TD dword 0 (4.3.1) */
#define OHCI_TD_ROUNDING     (1u << 18)  /* a short last packet is not an error */
#define OHCI_TD_DP_SETUP     (0u << 19)
#define OHCI_TD_DP_OUT       (1u << 19)
#define OHCI_TD_DP_IN        (2u << 19)
#define OHCI_TD_DI(n)        ((uint32_t)(n) << 21)  /* frames before the done-queue interrupt */
#define OHCI_TD_TOGGLE_DATA0 (2u << 24)  /* toggle from the TD itself: DATA0 */
#define OHCI_TD_TOGGLE_DATA1 (3u << 24)  /* ... DATA1 */
#define OHCI_TD_TOGGLE_CARRY (0u << 24)  /* toggle from the ED's toggleCarry */
#define OHCI_TD_CC(flags)    ((flags) >> 28)
#define OHCI_TD_CC_NOT_ACCESSED (0xfu << 28)

/* Condition codes (table 4-7) */
enum ohci_cc {
    OHCI_CC_NO_ERROR = 0x0, OHCI_CC_CRC = 0x1, OHCI_CC_BIT_STUFFING = 0x2, OHCI_CC_TOGGLE_MISMATCH = 0x3,
    OHCI_CC_STALL = 0x4, OHCI_CC_NOT_RESPONDING = 0x5, OHCI_CC_PID_CHECK = 0x6, OHCI_CC_UNEXPECTED_PID = 0x7,
    OHCI_CC_DATA_OVERRUN = 0x8, OHCI_CC_DATA_UNDERRUN = 0x9, OHCI_CC_BUFFER_OVERRUN = 0xc,
    OHCI_CC_BUFFER_UNDERRUN = 0xd, OHCI_CC_NOT_ACCESSED = 0xf,
};

struct ohci_hcca {
    volatile uint32_t int_table[32];
    volatile uint16_t frame_number;
    volatile uint16_t pad1;
    volatile uint32_t done_head;      /* bit 0: other interrupts are pending too */
    uint8_t reserved[116];
} __attribute__((aligned(256)));

/* The four words the controller reads (and HeadP, which it writes). */
struct ohci_ed_hw {
    volatile uint32_t flags;
    volatile uint32_t tailp;
    volatile uint32_t headp;
    volatile uint32_t nexted;
} __attribute__((aligned(16)));

struct ohci_ed;

/* A TD: 16 bytes for the controller, 16 for the driver (32 bytes keeps the 16-byte alignment). */
struct ohci_td {
    volatile uint32_t flags;
    volatile uint32_t cbp;            /* current buffer pointer (0: zero length, or all moved) */
    volatile uint32_t next;           /* next TD in the ED's queue, then in the done queue */
    volatile uint32_t be;             /* buffer end: address of the last byte */
    struct ohci_ed *ed;               /* the endpoint it was queued on, NULL when free */
    uint32_t length;                  /* bytes in its buffer */
    uint16_t gen;                     /* the ED's transfer generation it belongs to */
    uint8_t counts;                   /* its bytes count towards the transfer's actual length */
    uint8_t pad[5];
} __attribute__((aligned(32)));

enum ohci_ep_type { OHCI_EP_CONTROL, OHCI_EP_BULK, OHCI_EP_INTERRUPT };

/* What happened to a transfer. */
enum usb_status {
    USB_OK = 0,
    USB_STALL,          /* the endpoint answered STALL */
    USB_TIMEOUT,        /* no completion within the time allowed (the driver cancelled it) */
    USB_NOT_RESPONDING, /* no handshake from the device (CC DeviceNotResponding) */
    USB_OVERRUN,        /* the device sent more than the buffer holds (babble) */
    USB_ERROR,          /* any other condition code (CRC, PID, toggle, ...) */
    USB_NO_CONTROLLER,  /* the controller is missing, stopped (UnrecoverableError) or out of descriptors */
};

/* The endpoint: the ED the controller sees, plus the transfer running on it. */
struct ohci_ed {
    struct ohci_ed_hw hw;
    uint8_t type;                     /* enum ohci_ep_type */
    uint8_t in;                       /* bulk/interrupt direction */
    uint8_t interval;                 /* interrupt polling interval in frames (power of 2, <= 32) */
    uint8_t busy;                     /* a transfer is queued */
    uint16_t gen;                     /* bumped by every transfer: stale TDs are recognised */
    uint16_t tds_left;                /* TDs of the current transfer not yet back from the HC */
    uint8_t cc;                       /* the first non-NoError condition code seen, else 0 */
    uint8_t done;                     /* all TDs back, or one came back with an error */
    uint16_t pad;
    uint32_t actual;                  /* data bytes moved so far */
} __attribute__((aligned(16)));

/* The HC as found and set up by ohci_init. */
struct ohci_info {
    uint32_t base;
    uint32_t irq;
    uint32_t revision;
    int ports;
};

/* ---- controller ---------------------------------------------------------------------------- */

/* Resets the controller at `base`, builds the HCCA and lists, starts frames, powers the ports. */
bool ohci_init(uint32_t base, uint32_t irq);
/* The controller, or NULL if ohci_init has not succeeded. */
const struct ohci_info *ohci_controller(void);
/* The controller stopped with UnrecoverableError (a DMA fault, a broken list). */
bool ohci_dead(void);
/* Handles whatever the controller signalled (done queue, errors). Cheap; call it after any WFI. */
void ohci_poll(void);
/*
 * Sleeps in WFI until the controller (or, when `console` is set, also the UART) interrupts, or
 * mtime reaches `deadline` (UINT64_MAX: no deadline), then calls ohci_poll().
 */
void ohci_sleep(uint64_t deadline, bool console);
/* Waits `ms` of guest time (in WFI, handling controller events meanwhile). */
void ohci_delay_ms(uint32_t ms);

/* ---- root hub ------------------------------------------------------------------------------ */

uint32_t ohci_port_status(int port);
/* Drives reset on `port` (10 ms, 7.4.4 PRS) and waits for PRSC; true if the port is enabled after. */
bool ohci_port_reset(int port);
void ohci_port_disable(int port);

/* ---- endpoints and transfers ---------------------------------------------------------------- */

/*
 * Creates an endpoint and links it into its list: control (direction from the TDs), bulk, or the
 * periodic tree at `interval` ms (rounded down to a power of two, at most 32). NULL when the ED
 * pool is used up.
 */
struct ohci_ed *ohci_ed_create(enum ohci_ep_type type, uint8_t address, uint8_t endpoint, bool in,
                               uint16_t max_packet, bool low_speed, uint8_t interval);
/* Changes an idle endpoint's device address / max packet size (enumeration learns both late). */
void ohci_ed_set_address(struct ohci_ed *ed, uint8_t address);
void ohci_ed_set_max_packet(struct ohci_ed *ed, uint16_t max_packet);
/* Points an idle control endpoint at a (new) device: address, EP0 packet size, speed. */
void ohci_ed_set_device(struct ohci_ed *ed, uint8_t address, uint16_t max_packet, bool low_speed);
/* Resets the data toggle of an idle bulk/interrupt endpoint to DATA0 (after CLEAR_FEATURE(HALT)). */
void ohci_ed_reset_toggle(struct ohci_ed *ed);

/*
 * Starts a transfer. Control: `setup` is the 8-byte SETUP packet and `data`/`length` the data
 * stage (direction from bmRequestType). Bulk/interrupt: `setup` is NULL. Buffers must stay put
 * until the transfer is finished or cancelled. Returns USB_OK or why it could not start.
 */
enum usb_status ohci_start(struct ohci_ed *ed, const void *setup, void *data, uint32_t length);
/* True once the transfer has completed (call ohci_poll or ohci_sleep to make progress). */
static inline bool ohci_done(const struct ohci_ed *ed) { return ed->done; }
/* The result of a completed transfer; cleans up a halted endpoint. `actual`: data bytes moved. */
enum usb_status ohci_finish(struct ohci_ed *ed, uint32_t *actual);
/* Abandons the transfer on `ed`: the controller is told to skip the ED, then its TDs are taken back. */
void ohci_cancel(struct ohci_ed *ed);
/* ohci_start, then wait at most `timeout_ms` (cancelling on timeout), then ohci_finish. */
enum usb_status ohci_transfer(struct ohci_ed *ed, const void *setup, void *data, uint32_t length,
                              uint32_t timeout_ms, uint32_t *actual);

const char *usb_status_name(enum usb_status s);

#endif
