/*
 * usb_msc.c - see usb_msc.h.
 */
#include <stdio.h>
#include <string.h>

#include "usb_msc.h"

#define MSC_SUBCLASS_SCSI   0x06
#define MSC_PROTOCOL_BOT    0x50
#define MSC_REQ_RESET       0xff  /* Bulk-Only Mass Storage Reset (BOT 3.1) */
#define MSC_REQ_GET_MAX_LUN 0xfe  /* BOT 3.2 */
#define CBW_SIGNATURE       0x43425355u  /* "USBC" */
#define CSW_SIGNATURE       0x53425355u  /* "USBS" */
#define CBW_DIR_IN          0x80
#define CSW_PASSED          0
#define CSW_FAILED          1
#define CSW_PHASE_ERROR     2

#define SCSI_TEST_UNIT_READY 0x00
#define SCSI_REQUEST_SENSE   0x03
#define SCSI_INQUIRY         0x12
#define SCSI_READ_CAPACITY10 0x25
#define SCSI_READ10          0x28

struct cbw {  /* BOT 5.1: little-endian, 31 bytes */
    uint32_t dCBWSignature;
    uint32_t dCBWTag;
    uint32_t dCBWDataTransferLength;
    uint8_t bmCBWFlags;
    uint8_t bCBWLUN;
    uint8_t bCBWCBLength;
    uint8_t CBWCB[16];
} __attribute__((packed));

struct csw {  /* BOT 5.2: 13 bytes */
    uint32_t dCSWSignature;
    uint32_t dCSWTag;
    uint32_t dCSWDataResidue;
    uint8_t bCSWStatus;
} __attribute__((packed));

static struct {
    struct usb_device *dev;
    uint8_t interface;
    uint8_t ep_in, ep_out;
    struct ohci_ed *in, *out;
    uint32_t tag;
    uint8_t max_lun;
    char vendor[9], product[17], revision[5];
    uint32_t blocks, block_size;
    struct cbw cbw __attribute__((aligned(4)));   /* DMA: what goes out and comes back */
    struct csw csw __attribute__((aligned(4)));
    uint8_t buf[64] __attribute__((aligned(4)));  /* INQUIRY, READ CAPACITY, REQUEST SENSE data */
} msc;

static enum usb_status bulk(struct ohci_ed *ed, void *buf, uint32_t length, uint32_t *got)
{
    return ohci_transfer(ed, NULL, buf, length, USB_BULK_TIMEOUT_MS, got);
}

/* BOT 5.3.4: the device forgets the command, the host clears both halts (and data toggles). */
static void reset_recovery(void)
{
    (void)usb_control(msc.dev, USB_TYPE_CLASS | USB_RECIP_INTERFACE, MSC_REQ_RESET, 0, msc.interface, NULL, 0, NULL);
    (void)usb_clear_halt(msc.dev, msc.in, msc.ep_in);
    (void)usb_clear_halt(msc.dev, msc.out, msc.ep_out);
}

static struct msc_result command(const uint8_t *cdb, uint8_t cdb_length, void *data, uint32_t length, bool in,
                                  uint32_t *actual);

static void request_sense(struct msc_result *r)
{
    static const uint8_t cdb[6] = {SCSI_REQUEST_SENSE, 0, 0, 0, 18, 0};
    uint32_t got = 0;
    struct msc_result s = command(cdb, sizeof cdb, msc.buf, 18, true, &got);
    if (s.usb == USB_OK && s.csw_status == CSW_PASSED && got >= 14) {
        r->sense_key = msc.buf[2] & 0x0f;
        r->asc = msc.buf[12];
        r->ascq = msc.buf[13];
    }
}

/* One SCSI command through Bulk-Only Transport. `actual`: data-stage bytes moved. */
static struct msc_result command(const uint8_t *cdb, uint8_t cdb_length, void *data, uint32_t length, bool in,
                                  uint32_t *actual)
{
    struct msc_result r = {USB_OK, 0, 0, 0, 0};
    *actual = 0;

    memset(&msc.cbw, 0, sizeof msc.cbw);
    msc.cbw.dCBWSignature = CBW_SIGNATURE;
    msc.cbw.dCBWTag = ++msc.tag;
    msc.cbw.dCBWDataTransferLength = length;
    msc.cbw.bmCBWFlags = in ? CBW_DIR_IN : 0;
    msc.cbw.bCBWLUN = 0;
    msc.cbw.bCBWCBLength = cdb_length;
    memcpy(msc.cbw.CBWCB, cdb, cdb_length);
    r.usb = bulk(msc.out, &msc.cbw, sizeof msc.cbw, NULL);
    if (r.usb != USB_OK) {
        reset_recovery();
        return r;
    }

    if (length > 0) {
        struct ohci_ed *ed = in ? msc.in : msc.out;
        enum usb_status st = bulk(ed, data, length, actual);
        if (st == USB_STALL) {
            /* The device ended the data stage early (BOT 6.7.2/6.7.3): clear, then read the CSW. */
            (void)usb_clear_halt(msc.dev, ed, in ? msc.ep_in : msc.ep_out);
        } else if (st != USB_OK) {
            r.usb = st;
            reset_recovery();
            return r;
        }
    }

    uint32_t got = 0;
    memset(&msc.csw, 0, sizeof msc.csw);
    r.usb = bulk(msc.in, &msc.csw, sizeof msc.csw, &got);
    if (r.usb == USB_STALL) {  /* a STALLed CSW read is retried once after clearing the halt */
        (void)usb_clear_halt(msc.dev, msc.in, msc.ep_in);
        r.usb = bulk(msc.in, &msc.csw, sizeof msc.csw, &got);
    }
    if (r.usb == USB_OK && (got != sizeof msc.csw || msc.csw.dCSWSignature != CSW_SIGNATURE ||
                            msc.csw.dCSWTag != msc.cbw.dCBWTag))
        r.usb = USB_ERROR;  /* not a valid CSW for this command (BOT 6.3) */
    if (r.usb != USB_OK) {
        reset_recovery();
        return r;
    }
    r.csw_status = msc.csw.bCSWStatus;
    if (r.csw_status == CSW_PHASE_ERROR)
        reset_recovery();
    else if (r.csw_status == CSW_FAILED && cdb[0] != SCSI_REQUEST_SENSE)
        request_sense(&r);
    return r;
}

static bool ok(const struct msc_result *r)
{
    return r->usb == USB_OK && r->csw_status == CSW_PASSED;
}

void msc_print_error(const char *what, const struct msc_result *r)
{
    if (r->usb != USB_OK)
        printf("%s: %s\n", what, usb_status_name(r->usb));
    else if (r->csw_status == CSW_FAILED)
        printf("%s: CHECK CONDITION, sense key %x, ASC/ASCQ %02x/%02x\n", what, r->sense_key, r->asc, r->ascq);
    else
        printf("%s: CSW status %u (phase error)\n", what, r->csw_status);
}

/* Copies a space-padded SCSI ASCII field, without the padding. */
static void scsi_string(char *out, const uint8_t *in, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : ' ';
        if (out[i] != ' ')
            len = i + 1;
    }
    out[len] = '\0';
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static bool msc_attach(struct usb_device *dev)
{
    if (msc.dev != NULL)
        return false;
    const struct usb_interface_descriptor *iface =
        usb_find_interface(dev, USB_CLASS_MASS_STORAGE, MSC_SUBCLASS_SCSI, MSC_PROTOCOL_BOT);
    if (iface == NULL) {
        const struct usb_interface_descriptor *other = usb_find_interface(dev, USB_CLASS_MASS_STORAGE, -1, -1);
        if (other != NULL)
            printf("usb %d: msc: subclass %02x protocol %02x not supported (SCSI over Bulk-Only only)\n", dev->port,
                   other->bInterfaceSubClass, other->bInterfaceProtocol);
        return false;
    }
    const struct usb_endpoint_descriptor *in = usb_find_endpoint(dev, iface, USB_EP_BULK, true);
    const struct usb_endpoint_descriptor *out = usb_find_endpoint(dev, iface, USB_EP_BULK, false);
    if (in == NULL || out == NULL) {
        printf("usb %d: msc: interface %u lacks a bulk IN or OUT endpoint\n", dev->port, iface->bInterfaceNumber);
        return false;
    }
    msc.in = usb_open_endpoint(dev, in);
    msc.out = usb_open_endpoint(dev, out);
    if (msc.in == NULL || msc.out == NULL) {
        printf("usb %d: msc: out of endpoint descriptors\n", dev->port);
        return false;
    }
    msc.dev = dev;
    msc.interface = iface->bInterfaceNumber;
    msc.ep_in = in->bEndpointAddress;
    msc.ep_out = out->bEndpointAddress;
    msc.block_size = 512;

    uint32_t got = 0;
    msc.max_lun = 0;  /* a device with one LUN may STALL GET_MAX_LUN (BOT 3.2) */
    if (usb_control(dev, USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE, MSC_REQ_GET_MAX_LUN, 0, msc.interface,
                    msc.buf, 1, &got) == USB_OK && got == 1)
        msc.max_lun = msc.buf[0];

    char what[32];
    snprintf(what, sizeof what, "usb %d: msc: INQUIRY", dev->port);
    static const uint8_t inquiry[6] = {SCSI_INQUIRY, 0, 0, 0, 36, 0};
    struct msc_result r = command(inquiry, sizeof inquiry, msc.buf, 36, true, &got);
    if (ok(&r) && got >= 36) {
        scsi_string(msc.vendor, msc.buf + 8, 8);
        scsi_string(msc.product, msc.buf + 16, 16);
        scsi_string(msc.revision, msc.buf + 32, 4);
    } else {
        msc_print_error(what, &r);
    }

    static const uint8_t tur[6] = {SCSI_TEST_UNIT_READY, 0, 0, 0, 0, 0};
    for (int i = 0; i < 3; i++) {  /* a fresh device may report UNIT ATTENTION first */
        r = command(tur, sizeof tur, NULL, 0, false, &got);
        if (ok(&r) || r.usb != USB_OK)
            break;
    }

    static const uint8_t capacity[10] = {SCSI_READ_CAPACITY10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    r = command(capacity, sizeof capacity, msc.buf, 8, true, &got);
    if (ok(&r) && got >= 8) {
        msc.blocks = be32(msc.buf) + 1;  /* the last LBA, so + 1 */
        msc.block_size = be32(msc.buf + 4);
    } else {
        snprintf(what, sizeof what, "usb %d: msc: READ CAPACITY", dev->port);
        msc_print_error(what, &r);
    }
    return true;
}

static void msc_describe(const struct usb_device *dev)
{
    (void)dev;
    printf("    driver msc: interface %u, bulk IN 0x%02x, bulk OUT 0x%02x, %u LUN(s)\n", msc.interface, msc.ep_in,
           msc.ep_out, msc.max_lun + 1);
    printf("    disk \"%s\" \"%s\" \"%s\", %lu blocks of %lu bytes\n", msc.vendor, msc.product, msc.revision,
           (unsigned long)msc.blocks, (unsigned long)msc.block_size);
}

const struct usb_driver usb_msc_driver = {"msc", msc_attach, msc_describe};

struct usb_device *msc_device(void)
{
    return msc.dev;
}

uint32_t msc_block_size(void)
{
    return msc.block_size;
}

uint32_t msc_block_count(void)
{
    return msc.blocks;
}

struct msc_result msc_read_block(uint32_t lba, void *buf)
{
    struct msc_result r = {USB_NO_CONTROLLER, 0, 0, 0, 0};
    if (msc.dev == NULL || msc.block_size == 0 || msc.block_size > MSC_MAX_BLOCK)
        return r;
    const uint8_t cdb[10] = {SCSI_READ10, 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16), (uint8_t)(lba >> 8),
                             (uint8_t)lba, 0, 0, 1, 0};  /* one block */
    uint32_t got = 0;
    r = command(cdb, sizeof cdb, buf, msc.block_size, true, &got);
    if (ok(&r) && got < msc.block_size)
        r.usb = USB_ERROR;  /* passed, but less data than a block: do not show stale bytes */
    return r;
}
