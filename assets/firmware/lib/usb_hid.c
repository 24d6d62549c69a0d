/*
 * usb_hid.c - see usb_hid.h.
 */
#include <stdio.h>
#include <string.h>

#include "usb_hid.h"

#define HID_REQ_SET_IDLE     0x0a
#define HID_REQ_SET_PROTOCOL 0x0b
#define HID_PROTOCOL_BOOT    0
#define HID_SUBCLASS_BOOT    1
#define HID_PROTOCOL_KEYBOARD 1

static struct {
    struct usb_device *dev;
    uint8_t interface;
    uint8_t endpoint;          /* bEndpointAddress of the interrupt IN endpoint */
    uint16_t max_packet;
    struct ohci_ed *ed;
    bool boot_protocol;        /* SET_PROTOCOL(boot) was accepted */
    uint8_t buf[64] __attribute__((aligned(4)));  /* DMA target, one packet */
} kbd;

static bool hid_attach(struct usb_device *dev)
{
    if (kbd.dev != NULL)
        return false;  /* one keyboard is enough for this shell */
    const struct usb_interface_descriptor *iface =
        usb_find_interface(dev, USB_CLASS_HID, HID_SUBCLASS_BOOT, HID_PROTOCOL_KEYBOARD);
    if (iface == NULL)
        return false;
    const struct usb_endpoint_descriptor *ep = usb_find_endpoint(dev, iface, USB_EP_INTERRUPT, true);
    if (ep == NULL) {
        printf("usb %d: hid: keyboard interface %u has no interrupt IN endpoint\n", dev->port, iface->bInterfaceNumber);
        return false;
    }
    uint8_t type = USB_TYPE_CLASS | USB_RECIP_INTERFACE;
    /* Idle rate 0: report only when something changes (HID 7.2.4). Optional for the device. */
    (void)usb_control(dev, type, HID_REQ_SET_IDLE, 0, iface->bInterfaceNumber, NULL, 0, NULL);
    kbd.boot_protocol = usb_control(dev, type, HID_REQ_SET_PROTOCOL, HID_PROTOCOL_BOOT, iface->bInterfaceNumber,
                                    NULL, 0, NULL) == USB_OK;
    kbd.ed = usb_open_endpoint(dev, ep);
    if (kbd.ed == NULL) {
        printf("usb %d: hid: out of endpoint descriptors\n", dev->port);
        return false;
    }
    kbd.dev = dev;
    kbd.interface = iface->bInterfaceNumber;
    kbd.endpoint = ep->bEndpointAddress;
    kbd.max_packet = ep->wMaxPacketSize & 0x7ffu;
    if (kbd.max_packet > sizeof kbd.buf)
        kbd.max_packet = sizeof kbd.buf;
    return true;
}

static void hid_describe(const struct usb_device *dev)
{
    (void)dev;
    printf("    driver hid-kbd: interface %u, interrupt IN 0x%02x, %u bytes every %u ms, %s\n", kbd.interface,
           kbd.endpoint, kbd.max_packet, kbd.ed->interval,
           kbd.boot_protocol ? "boot protocol" : "report protocol (SET_PROTOCOL stalled)");
}

const struct usb_driver usb_hid_kbd_driver = {"hid-kbd", hid_attach, hid_describe};

struct usb_device *hid_kbd_device(void)
{
    return kbd.dev;
}

enum usb_status hid_kbd_read(uint8_t report[HID_KBD_REPORT_LEN], bool (*stop)(void))
{
    if (kbd.dev == NULL)
        return USB_NO_CONTROLLER;
    for (int stalls = 0;;) {
        enum usb_status st = ohci_start(kbd.ed, NULL, kbd.buf, kbd.max_packet);
        if (st != USB_OK)
            return st;
        while (!ohci_done(kbd.ed)) {
            if (ohci_dead() || (stop != NULL && stop())) {
                ohci_cancel(kbd.ed);
                return ohci_dead() ? USB_NO_CONTROLLER : USB_TIMEOUT;
            }
            ohci_sleep(UINT64_MAX, stop != NULL);  /* wake on a key at the console too */
        }
        uint32_t got = 0;
        st = ohci_finish(kbd.ed, &got);
        if (st == USB_STALL) {
            /* A halted endpoint: clear it (9.4.5) and poll again - a few times, not forever. */
            if (++stalls > 3 || usb_clear_halt(kbd.dev, kbd.ed, kbd.endpoint) != USB_OK)
                return st;
            continue;
        }
        if (st != USB_OK)
            return st;
        memset(report, 0, HID_KBD_REPORT_LEN);
        memcpy(report, kbd.buf, got < HID_KBD_REPORT_LEN ? got : HID_KBD_REPORT_LEN);
        return USB_OK;
    }
}

/* US layout, usages 0x04..0x38 (HID Usage Tables 10): unshifted, then shifted. */
static const char keys_plain[] = "abcdefghijklmnopqrstuvwxyz1234567890\n\x1b\b\t -=[]\\#;'`,./";
static const char keys_shift[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()\n\x1b\b\t _+{}|~:\"~<>?";
#define KEY_FIRST 0x04
#define KEY_LAST  0x38
#define MOD_SHIFT 0x22  /* left or right shift */

size_t hid_kbd_chars(const uint8_t report[HID_KBD_REPORT_LEN], const uint8_t prev[HID_KBD_REPORT_LEN], char *out,
                     size_t size)
{
    size_t n = 0;
    bool shift = (report[0] & MOD_SHIFT) != 0;
    for (int i = 2; i < HID_KBD_REPORT_LEN && n + 1 < size; i++) {
        uint8_t key = report[i];
        if (key < KEY_FIRST || key > KEY_LAST || memchr(prev + 2, key, HID_KBD_REPORT_LEN - 2) != NULL)
            continue;  /* not a character key, or held down since the last report */
        out[n++] = (shift ? keys_shift : keys_plain)[key - KEY_FIRST];
    }
    out[n] = '\0';
    return n;
}
