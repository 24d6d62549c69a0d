/*
 * usb_cdc.c - see usb_cdc.h.
 */
#include <stdio.h>
#include <string.h>

#include "usb_cdc.h"

#define CDC_SUBCLASS_ACM            0x02
#define CDC_REQ_SET_LINE_CODING     0x20
#define CDC_REQ_SET_CONTROL_LINE_STATE 0x22
#define CDC_LINE_DTR                0x01
#define CDC_LINE_RTS                0x02
#define CDC_BUF                     256

/* PSTN 1.2 6.3.11: dwDTERate, bCharFormat (0 = 1 stop bit), bParityType (0 = none), bDataBits. */
struct cdc_line_coding {
    uint32_t dwDTERate;
    uint8_t bCharFormat;
    uint8_t bParityType;
    uint8_t bDataBits;
} __attribute__((packed));

static struct {
    struct usb_device *dev;
    uint8_t comm_interface, data_interface;
    uint8_t ep_in, ep_out;           /* bEndpointAddress of the bulk pipes */
    struct ohci_ed *in, *out;
    enum usb_status line_coding;     /* how SET_LINE_CODING went */
    struct cdc_line_coding coding;   /* DMA source of SET_LINE_CODING */
    uint8_t buf[CDC_BUF] __attribute__((aligned(4)));  /* DMA buffer for both directions */
} acm;

static bool cdc_attach(struct usb_device *dev)
{
    if (acm.dev != NULL)
        return false;
    const struct usb_interface_descriptor *comm = usb_find_interface(dev, USB_CLASS_CDC, CDC_SUBCLASS_ACM, -1);
    const struct usb_interface_descriptor *data = usb_find_interface(dev, USB_CLASS_CDC_DATA, -1, -1);
    if (comm == NULL || data == NULL)
        return false;
    const struct usb_endpoint_descriptor *in = usb_find_endpoint(dev, data, USB_EP_BULK, true);
    const struct usb_endpoint_descriptor *out = usb_find_endpoint(dev, data, USB_EP_BULK, false);
    if (in == NULL || out == NULL) {
        printf("usb %d: cdc-acm: data interface %u lacks a bulk IN or OUT endpoint\n", dev->port,
               data->bInterfaceNumber);
        return false;
    }
    acm.in = usb_open_endpoint(dev, in);
    acm.out = usb_open_endpoint(dev, out);
    if (acm.in == NULL || acm.out == NULL) {
        printf("usb %d: cdc-acm: out of endpoint descriptors\n", dev->port);
        return false;
    }
    acm.dev = dev;
    acm.comm_interface = comm->bInterfaceNumber;
    acm.data_interface = data->bInterfaceNumber;
    acm.ep_in = in->bEndpointAddress;
    acm.ep_out = out->bEndpointAddress;

    uint8_t type = USB_TYPE_CLASS | USB_RECIP_INTERFACE;
    acm.coding = (struct cdc_line_coding){.dwDTERate = 115200, .bCharFormat = 0, .bParityType = 0, .bDataBits = 8};
    acm.line_coding = usb_control(dev, type, CDC_REQ_SET_LINE_CODING, 0, acm.comm_interface, &acm.coding,
                                  sizeof acm.coding, NULL);
    enum usb_status st = usb_control(dev, type, CDC_REQ_SET_CONTROL_LINE_STATE, CDC_LINE_DTR | CDC_LINE_RTS,
                                     acm.comm_interface, NULL, 0, NULL);
    if (acm.line_coding != USB_OK || st != USB_OK)
        printf("usb %d: cdc-acm: line setup: SET_LINE_CODING %s, SET_CONTROL_LINE_STATE %s\n", dev->port,
               usb_status_name(acm.line_coding), usb_status_name(st));
    return true;
}

static void cdc_describe(const struct usb_device *dev)
{
    (void)dev;
    printf("    driver cdc-acm: interfaces %u+%u, bulk OUT 0x%02x, bulk IN 0x%02x, 115200 8N1%s\n",
           acm.comm_interface, acm.data_interface, acm.ep_out, acm.ep_in,
           acm.line_coding == USB_OK ? "" : " (not accepted)");
}

const struct usb_driver usb_cdc_acm_driver = {"cdc-acm", cdc_attach, cdc_describe};

struct usb_device *cdc_acm_device(void)
{
    return acm.dev;
}

/* One bulk transfer; a STALL is cleared (9.4.5) and reported. */
static enum usb_status bulk(struct ohci_ed *ed, uint8_t ep_address, void *buf, uint32_t length, uint32_t timeout_ms,
                            uint32_t *got)
{
    enum usb_status st = ohci_transfer(ed, NULL, buf, length, timeout_ms, got);
    if (st == USB_STALL)
        (void)usb_clear_halt(acm.dev, ed, ep_address);
    return st;
}

enum usb_status cdc_acm_write(const void *data, uint32_t length)
{
    if (acm.dev == NULL)
        return USB_NO_CONTROLLER;
    const uint8_t *p = data;
    while (length > 0) {
        uint32_t n = length < CDC_BUF ? length : CDC_BUF;
        memcpy(acm.buf, p, n);
        enum usb_status st = bulk(acm.out, acm.ep_out, acm.buf, n, USB_BULK_TIMEOUT_MS, NULL);
        if (st != USB_OK)
            return st;
        p += n;
        length -= n;
    }
    return USB_OK;
}

enum usb_status cdc_acm_read(void *data, uint32_t size, uint32_t *got, uint32_t timeout_ms)
{
    *got = 0;
    if (acm.dev == NULL)
        return USB_NO_CONTROLLER;
    /* Ask for whole packets (64 bytes at full speed): a device may always send a full one. */
    uint32_t n = size < CDC_BUF ? size : CDC_BUF;
    n = (n + 63u) & ~63u;
    if (n > CDC_BUF)
        n = CDC_BUF;
    enum usb_status st = bulk(acm.in, acm.ep_in, acm.buf, n, timeout_ms, got);
    if (*got > size)
        *got = size;
    memcpy(data, acm.buf, *got);
    return st;
}
