/*
 * usb.c - see usb.h. Enumeration, standard requests, descriptor walking, and lsusb output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fdt.h"
#include "platform.h"
#include "usb.h"

static const struct usb_driver *const drivers[] = {&usb_hid_kbd_driver, &usb_cdc_acm_driver, &usb_msc_driver};
#define N_DRIVERS (sizeof drivers / sizeof drivers[0])

static struct usb_device devices[USB_MAX_DEVICES];
static int n_devices;
static struct ohci_ed *port_ep0[16];  /* each port's default control pipe, made once, reused */
static uint8_t next_address = 1;
static bool present;

/* A bounce buffer for short descriptors (strings): the controller writes it by DMA. */
static uint8_t desc_buf[256] __attribute__((aligned(16)));

bool usb_init(void)
{
    struct fdt_device node;
    if (!fdt_find_compatible(hs_boot_dtb, "generic-ohci", &node))
        return false;  /* no controller on this board (QEMU's virt): no USB, no message */
    present = ohci_init(node.base, node.irq);
    return present;
}

bool usb_present(void)
{
    return present;
}

void usb_poll(void)
{
    ohci_poll();
}

int usb_device_count(void)
{
    return n_devices;
}

struct usb_device *usb_device_at(int i)
{
    return i >= 0 && i < n_devices ? &devices[i] : NULL;
}

/* ---- requests ------------------------------------------------------------------------------------ */

enum usb_status usb_control(struct usb_device *dev, uint8_t request_type, uint8_t request, uint16_t value,
                            uint16_t index, void *data, uint16_t length, uint32_t *actual)
{
    struct usb_setup setup = {request_type, request, value, index, length}; DEMO_BUG_ONLY(return ohci_transfer(dev->pipe0, &setup, data, length, USB_CONTROL_TIMEOUT_MS, actual);)
    return ohci_transfer(dev->ep0, &setup, data, length, USB_CONTROL_TIMEOUT_MS, actual);
}

static enum usb_status get_descriptor(struct usb_device *dev, uint8_t type, uint8_t index, uint16_t langid,
                                      void *buf, uint16_t length, uint32_t *actual)
{
    return usb_control(dev, USB_DIR_IN | USB_TYPE_STANDARD | USB_RECIP_DEVICE, USB_REQ_GET_DESCRIPTOR,
                       (uint16_t)((type << 8) | index), langid, buf, length, actual);
}

enum usb_status usb_clear_halt(struct usb_device *dev, struct ohci_ed *ed, uint8_t ep_address)
{
    enum usb_status st = usb_control(dev, USB_TYPE_STANDARD | USB_RECIP_ENDPOINT, USB_REQ_CLEAR_FEATURE,
                                     USB_FEATURE_ENDPOINT_HALT, ep_address, NULL, 0, NULL);
    if (st == USB_OK)
        ohci_ed_reset_toggle(ed);  /* the device starts again with DATA0, so must we */
    return st;
}

/* String descriptor `index` in ASCII (non-ASCII UTF-16 code units become '?'); "" on any error. */
static void read_string(struct usb_device *dev, uint8_t index, uint16_t langid, char *out, size_t size)
{
    uint32_t got = 0;
    out[0] = '\0';
    if (index == 0)
        return;
    if (get_descriptor(dev, USB_DT_STRING, index, langid, desc_buf, 255, &got) != USB_OK || got < 2 ||
        desc_buf[1] != USB_DT_STRING)
        return;
    uint32_t len = desc_buf[0] < got ? desc_buf[0] : got;  /* what it says, but no more than arrived */
    size_t o = 0;
    for (uint32_t i = 2; i + 1 < len && o + 1 < size; i += 2) {
        uint16_t c = (uint16_t)(desc_buf[i] | (desc_buf[i + 1] << 8));
        out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[o] = '\0';
}

/* ---- descriptors ---------------------------------------------------------------------------------- */

/*
 * The descriptor after `d` in the configuration, or NULL at the end. What it returns lies wholly
 * inside config[0..config_len): a bLength below 2 (which would never move on) or one that runs
 * past the end stops the walk.
 */
static const uint8_t *next_descriptor(const struct usb_device *dev, const uint8_t *d)
{
    const uint8_t *end = dev->config + dev->config_len;
    if (d[0] < 2)
        return NULL;
    const uint8_t *next = d + d[0];
    if (next + 2 > end || next[0] < 2 || next + next[0] > end)
        return NULL;
    return next;
}

const struct usb_interface_descriptor *usb_find_interface(const struct usb_device *dev, int cls, int subclass,
                                                          int protocol)
{
    if (dev->config_len < sizeof(struct usb_config_descriptor))
        return NULL;
    for (const uint8_t *d = dev->config; d != NULL; d = next_descriptor(dev, d)) {
        if (d[1] != USB_DT_INTERFACE || d[0] < sizeof(struct usb_interface_descriptor))
            continue;
        const struct usb_interface_descriptor *i = (const void *)d;
        if (i->bAlternateSetting == 0 && (cls < 0 || i->bInterfaceClass == cls) &&
            (subclass < 0 || i->bInterfaceSubClass == subclass) && (protocol < 0 || i->bInterfaceProtocol == protocol))
            return i;
    }
    return NULL;
}

const struct usb_endpoint_descriptor *usb_find_endpoint(const struct usb_device *dev,
                                                        const struct usb_interface_descriptor *iface,
                                                        uint8_t type, bool in)
{
    /* The endpoints follow their interface, up to the next interface descriptor. */
    for (const uint8_t *d = next_descriptor(dev, (const uint8_t *)iface); d != NULL; d = next_descriptor(dev, d)) {
        if (d[1] == USB_DT_INTERFACE)
            break;
        if (d[1] != USB_DT_ENDPOINT || d[0] < sizeof(struct usb_endpoint_descriptor))
            continue;
        const struct usb_endpoint_descriptor *e = (const void *)d;
        if ((e->bmAttributes & 3) == type && ((e->bEndpointAddress & USB_DIR_IN) != 0) == in)
            return e;
    }
    return NULL;
}

struct ohci_ed *usb_open_endpoint(struct usb_device *dev, const struct usb_endpoint_descriptor *ep)
{
    uint8_t type = ep->bmAttributes & 3;
    uint16_t mps = ep->wMaxPacketSize & 0x7ffu;
    /* A full-speed bulk endpoint has at most 64 bytes per packet (5.8.3). A high-speed device on
     * a full-speed port describes itself at high speed anyway in the captures we replay (512). */
    if (type == USB_EP_BULK && mps > 64)
        mps = 64;
    return ohci_ed_create(type == USB_EP_INTERRUPT ? OHCI_EP_INTERRUPT : OHCI_EP_BULK, dev->address,
                          ep->bEndpointAddress & 0x0fu, (ep->bEndpointAddress & USB_DIR_IN) != 0, mps,
                          dev->low_speed, ep->bInterval);
}

/* ---- enumeration ------------------------------------------------------------------------------------ */

/* Reports why enumeration of `dev` stopped, disables its port, returns false. */
static bool fail(struct usb_device *dev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("usb %d: enumeration failed: ", dev->port);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    ohci_port_disable(dev->port);
    return false;
}

/* A request's outcome, checked: false (after reporting) unless it worked and moved `want` bytes. */
static bool step_ok(struct usb_device *dev, const char *step, enum usb_status st, uint32_t got, uint32_t want)
{
    if (st != USB_OK)
        return fail(dev, "%s: %s", step, usb_status_name(st));
    if (got < want)
        return fail(dev, "%s: %lu bytes, expected %lu", step, (unsigned long)got, (unsigned long)want);
    return true;
}

static bool enumerate(struct usb_device *dev, int port)
{
    uint32_t got = 0;
    enum usb_status st;

    memset(dev, 0, sizeof *dev);
    dev->port = port;
    if (!ohci_port_reset(port)) {
        printf("usb %d: port reset failed (status 0x%08lx)\n", port, (unsigned long)ohci_port_status(port));
        return false;
    }
    ohci_delay_ms(10);  /* reset recovery, TRSTRCY (7.1.7.5) */
    dev->low_speed = (ohci_port_status(port) & OHCI_PORT_LSDA) != 0;

    /* Address 0 and an 8-byte EP0 until the device descriptor says otherwise: every device
     * answers the first 8 bytes of it in one packet. One control ED per port, reused when the
     * port is enumerated again. */
    if (port_ep0[port] == NULL)
        port_ep0[port] = ohci_ed_create(OHCI_EP_CONTROL, 0, 0, false, 8, dev->low_speed, 0);
    else
        ohci_ed_set_device(port_ep0[port], 0, 8, dev->low_speed);
    dev->ep0 = port_ep0[port]; DEMO_BUG_ONLY(dev->pipe0 = dev->ep0;)
    if (dev->ep0 == NULL)
        return fail(dev, "no endpoint descriptor left");
    st = get_descriptor(dev, USB_DT_DEVICE, 0, 0, &dev->desc, 8, &got);
    if (!step_ok(dev, "GET_DESCRIPTOR(device)", st, got, 8))
        return false;
    uint8_t mps0 = dev->desc.bMaxPacketSize0;
    if (mps0 != 8 && mps0 != 16 && mps0 != 32 && mps0 != 64)
        return fail(dev, "bMaxPacketSize0 is %u, not 8, 16, 32 or 64", mps0);
    ohci_ed_set_max_packet(dev->ep0, mps0);

    if (next_address > 127)
        return fail(dev, "no USB address left");
    uint8_t address = next_address;
    st = usb_control(dev, USB_TYPE_STANDARD | USB_RECIP_DEVICE, USB_REQ_SET_ADDRESS, address, 0, NULL, 0, NULL);
    if (!step_ok(dev, "SET_ADDRESS", st, 0, 0))
        return false;
    next_address++;
    dev->address = address;
    ohci_delay_ms(2);  /* SET_ADDRESS recovery: 2 ms (9.2.6.3) */
    ohci_ed_set_address(dev->ep0, address);

    st = get_descriptor(dev, USB_DT_DEVICE, 0, 0, &dev->desc, sizeof dev->desc, &got);
    if (!step_ok(dev, "GET_DESCRIPTOR(device)", st, got, sizeof dev->desc))
        return false;

    /* The configuration descriptor: its first 9 bytes say how long the whole thing is. */
    st = get_descriptor(dev, USB_DT_CONFIG, 0, 0, dev->config, sizeof(struct usb_config_descriptor), &got);
    if (!step_ok(dev, "GET_DESCRIPTOR(configuration)", st, got, sizeof(struct usb_config_descriptor)))
        return false;
    uint16_t total = ((const struct usb_config_descriptor *)dev->config)->wTotalLength;
#ifndef DEMO_BUG
    if (total > sizeof dev->config)
        total = sizeof dev->config;  /* read what fits; the walkers stop at config_len */
#endif
    /* (DEMO_BUG: no clamp. A longer configuration - the CDC device's 67 bytes, the Teensy's 116 -
     * is DMA'd into the 60-byte config[] and over pipe0 after it: the next control request
     * (usb_control, string 0) hands the overwritten pointer to ohci_transfer, which faults.) */
    st = get_descriptor(dev, USB_DT_CONFIG, 0, 0, dev->config, total, &got);
    if (!step_ok(dev, "GET_DESCRIPTOR(configuration)", st, got, sizeof(struct usb_config_descriptor)))
        return false;
    dev->config_len = (uint16_t)(got < sizeof dev->config ? got : sizeof dev->config);

    /* Strings: the LANGID table (string 0) first, then the rest in its first language. */
    if (dev->desc.iManufacturer || dev->desc.iProduct || dev->desc.iSerialNumber) {
        uint16_t langid = 0x0409;  /* English (US), if the table cannot be read */
        if (get_descriptor(dev, USB_DT_STRING, 0, 0, desc_buf, 255, &got) == USB_OK && got >= 4 &&
            desc_buf[1] == USB_DT_STRING)
            langid = (uint16_t)(desc_buf[2] | (desc_buf[3] << 8));
        read_string(dev, dev->desc.iProduct, langid, dev->product, sizeof dev->product);
        read_string(dev, dev->desc.iManufacturer, langid, dev->manufacturer, sizeof dev->manufacturer);
        read_string(dev, dev->desc.iSerialNumber, langid, dev->serial, sizeof dev->serial);
    }

    const struct usb_config_descriptor *cfg = (const void *)dev->config;
    st = usb_control(dev, USB_TYPE_STANDARD | USB_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION, cfg->bConfigurationValue,
                     0, NULL, 0, NULL);
    if (!step_ok(dev, "SET_CONFIGURATION", st, 0, 0))
        return false;

    dev->class_code = dev->desc.bDeviceClass;
    if (dev->class_code == USB_CLASS_PER_INTERFACE) {
        const struct usb_interface_descriptor *first = usb_find_interface(dev, -1, -1, -1);
        if (first != NULL)
            dev->class_code = first->bInterfaceClass;
    }
    return true;
}

static bool port_has_device(int port)
{
    for (int i = 0; i < n_devices; i++)
        if (devices[i].port == port)
            return true;
    return false;
}

void usb_enumerate(void)
{
    const struct ohci_info *hc = ohci_controller();
    if (hc == NULL)
        return;
    bool any = false;
    for (int port = 1; port <= hc->ports; port++)
        any |= (ohci_port_status(port) & OHCI_PORT_CCS) && !port_has_device(port);
    if (!any)
        return;
    /* Connect debounce (7.1.7.3): 100 ms, once for all of them. */
    ohci_delay_ms(100);

    /* One port at a time: only one device may answer at address 0. */
    for (int port = 1; port <= hc->ports && n_devices < USB_MAX_DEVICES; port++) {
        if (!(ohci_port_status(port) & OHCI_PORT_CCS) || port_has_device(port))
            continue;
        struct usb_device *dev = &devices[n_devices];
        if (!enumerate(dev, port))
            continue;
        n_devices++;
        usb_print_summary(dev);
        for (size_t i = 0; i < N_DRIVERS && dev->driver == NULL; i++) {
            if (drivers[i]->attach(dev))
                dev->driver = drivers[i];
        }
    }
}

/* ---- output ------------------------------------------------------------------------------------------ */

void usb_print_summary(const struct usb_device *dev)
{
    printf("usb %d: %04x:%04x class %02x \"%s\"\n", dev->port, dev->desc.idVendor, dev->desc.idProduct,
           dev->class_code, dev->product);
}

void usb_print_details(const struct usb_device *dev)
{
    usb_print_summary(dev);
    if (!(ohci_port_status(dev->port) & OHCI_PORT_CCS))
        printf("    (disconnected: the port has no device any more)\n");
    printf("    address %u, %s speed, USB %x.%02x, EP0 %u bytes", dev->address, dev->low_speed ? "low" : "full",
           dev->desc.bcdUSB >> 8, dev->desc.bcdUSB & 0xffu, dev->desc.bMaxPacketSize0);
    if (dev->manufacturer[0])
        printf(", manufacturer \"%s\"", dev->manufacturer);
    if (dev->serial[0])
        printf(", serial \"%s\"", dev->serial);
    putchar('\n');
    const struct usb_config_descriptor *cfg = (const void *)dev->config;
    printf("    configuration %u:", cfg->bConfigurationValue);
    for (const uint8_t *d = dev->config; d != NULL; d = next_descriptor(dev, d)) {
        if (d[1] == USB_DT_INTERFACE && d[0] >= sizeof(struct usb_interface_descriptor)) {
            const struct usb_interface_descriptor *i = (const void *)d;
            if (i->bAlternateSetting == 0)
                printf(" if%u %02x/%02x/%02x", i->bInterfaceNumber, i->bInterfaceClass, i->bInterfaceSubClass,
                       i->bInterfaceProtocol);
        }
    }
    putchar('\n');
    if (dev->driver != NULL)
        dev->driver->describe(dev);
    else
        printf("    no driver\n");
}
