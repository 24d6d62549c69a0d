/*
 * usb_msc.h - USB mass storage: Bulk-Only Transport 1.0 (interface class 08h, subclass 06h SCSI
 * transparent command set, protocol 50h) carrying SCSI commands (SPC-4, SBC-3).
 *
 * A command is three bulk transfers: a 31-byte Command Block Wrapper on bulk OUT, the data stage
 * (IN or OUT, may be absent), a 13-byte Command Status Wrapper on bulk IN (BOT 5). A device that
 * has less data than asked STALLs the data stage; the driver clears the halt and reads the CSW
 * (BOT 6.7.2). Anything the driver cannot make sense of (no CSW, a bad signature or tag, phase
 * error) ends with Reset Recovery: BULK_ONLY_RESET, then CLEAR_FEATURE(HALT) on both pipes (5.3.4).
 *
 * At attach: GET_MAX_LUN (STALL means one LUN, BOT 3.2), INQUIRY, TEST UNIT READY (retried after
 * a REQUEST SENSE, for the UNIT ATTENTION of a fresh device), READ CAPACITY(10).
 */
#ifndef HS_USB_MSC_H
#define HS_USB_MSC_H

#include <stdint.h>

#include "usb.h"

#define MSC_MAX_BLOCK 4096u

/* How a SCSI command ended. */
struct msc_result {
    enum usb_status usb;        /* the transport: USB_OK if a valid CSW came back */
    uint8_t csw_status;         /* 0 passed, 1 failed, 2 phase error */
    uint8_t sense_key, asc, ascq;  /* from REQUEST SENSE after a failed command */
};

/* The attached disk, or NULL. */
struct usb_device *msc_device(void);
uint32_t msc_block_size(void);
uint32_t msc_block_count(void);  /* 0 if READ CAPACITY failed */
/* READ(10) of one block at `lba` into `buf` (msc_block_size() bytes, at most MSC_MAX_BLOCK). */
struct msc_result msc_read_block(uint32_t lba, void *buf);
/* Prints a failed command's result: "<what>: <transport error | CHECK CONDITION, sense ...>". */
void msc_print_error(const char *what, const struct msc_result *r);

#endif
