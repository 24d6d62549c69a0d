/*
 * usb.h - the USB device framework (USB 2.0 chapter 9) on top of the OHCI driver: standard
 * descriptors and requests, enumeration of the devices on the root hub's ports, and the device
 * table the class drivers (usb_hid.c, usb_cdc.c, usb_msc.c) and the shell use.
 *
 * Enumeration of one port (9.1.2, 9.4):
 *   port reset (root hub) -> GET_DESCRIPTOR(device, 8 bytes) at address 0 for bMaxPacketSize0
 *   -> SET_ADDRESS -> GET_DESCRIPTOR(device) -> GET_DESCRIPTOR(configuration, 9 bytes) for
 *   wTotalLength -> GET_DESCRIPTOR(configuration, all of it) -> strings (LANGID table, product,
 *   manufacturer, serial number) -> SET_CONFIGURATION -> the first class driver that wants it.
 * Every request has a timeout; a device that STALLs or never answers is reported and its port
 * disabled, and enumeration goes on with the next port.
 *
 * No hubs, one configuration per device (the first), and no unplugging: a device stays in the
 * table once enumerated. A device attached after boot is picked up by the next usb_enumerate() (lsusb).
 */
#ifndef HS_USB_H
#define HS_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ohci.h"

/* ---- standard definitions (USB 2.0 chapter 9) ------------------------------------------------ */

/* bmRequestType */
#define USB_DIR_IN          0x80u
#define USB_TYPE_STANDARD   (0u << 5)
#define USB_TYPE_CLASS      (1u << 5)
#define USB_RECIP_DEVICE    0u
#define USB_RECIP_INTERFACE 1u
#define USB_RECIP_ENDPOINT  2u

/* bRequest (table 9-4) */
#define USB_REQ_GET_STATUS        0
#define USB_REQ_CLEAR_FEATURE     1
#define USB_REQ_SET_FEATURE       3
#define USB_REQ_SET_ADDRESS       5
#define USB_REQ_GET_DESCRIPTOR    6
#define USB_REQ_GET_CONFIGURATION 8
#define USB_REQ_SET_CONFIGURATION 9

#define USB_FEATURE_ENDPOINT_HALT 0

/* Descriptor types (table 9-5) */
#define USB_DT_DEVICE    1
#define USB_DT_CONFIG    2
#define USB_DT_STRING    3
#define USB_DT_INTERFACE 4
#define USB_DT_ENDPOINT  5

/* bmAttributes of an endpoint: transfer type */
#define USB_EP_CONTROL   0
#define USB_EP_ISO       1
#define USB_EP_BULK      2
#define USB_EP_INTERRUPT 3

/* Class codes (usb.org "Defined Class Codes") */
#define USB_CLASS_PER_INTERFACE 0x00
#define USB_CLASS_CDC           0x02
#define USB_CLASS_HID           0x03
#define USB_CLASS_MASS_STORAGE  0x08
#define USB_CLASS_HUB           0x09
#define USB_CLASS_CDC_DATA      0x0a

struct usb_setup {
    uint8_t bmRequestType;
    uint8_t bRequest;
    uint16_t wValue;
    uint16_t wIndex;
    uint16_t wLength;
} __attribute__((packed));

struct usb_device_descriptor {
    uint8_t bLength;
    uint8_t bDescriptorType;
    uint16_t bcdUSB;
    uint8_t bDeviceClass;
    uint8_t bDeviceSubClass;
    uint8_t bDeviceProtocol;
    uint8_t bMaxPacketSize0;
    uint16_t idVendor;
    uint16_t idProduct;
    uint16_t bcdDevice;
    uint8_t iManufacturer;
    uint8_t iProduct;
    uint8_t iSerialNumber;
    uint8_t bNumConfigurations;
} __attribute__((packed));

struct usb_config_descriptor {
    uint8_t bLength;
    uint8_t bDescriptorType;
    uint16_t wTotalLength;
    uint8_t bNumInterfaces;
    uint8_t bConfigurationValue;
    uint8_t iConfiguration;
    uint8_t bmAttributes;
    uint8_t bMaxPower;
} __attribute__((packed));

struct usb_interface_descriptor {
    uint8_t bLength;
    uint8_t bDescriptorType;
    uint8_t bInterfaceNumber;
    uint8_t bAlternateSetting;
    uint8_t bNumEndpoints;
    uint8_t bInterfaceClass;
    uint8_t bInterfaceSubClass;
    uint8_t bInterfaceProtocol;
    uint8_t iInterface;
} __attribute__((packed));

struct usb_endpoint_descriptor {
    uint8_t bLength;
    uint8_t bDescriptorType;
    uint8_t bEndpointAddress;
    uint8_t bmAttributes;
    uint16_t wMaxPacketSize;
    uint8_t bInterval;
} __attribute__((packed));

/* ---- devices ----------------------------------------------------------------------------------- */

#define USB_MAX_DEVICES 4
#define USB_STRING_MAX  48

/* Room for the configuration descriptor (interface, endpoint, class descriptors); the driver reads
 * at most this much of wTotalLength. -DDEMO_BUG plants a bug to find with Hindsight: a small buffer,
 * wTotalLength trusted, and the control pipe used from pipe0, right after config[] (see usb.c).
 * DEMO_BUG_ONLY(code) is code only in that build (on existing lines: other builds stay identical). */
#ifdef DEMO_BUG
#define USB_CONFIG_MAX 60
#define DEMO_BUG_ONLY(...) __VA_ARGS__
#else
#define USB_CONFIG_MAX 512
#define DEMO_BUG_ONLY(...)
#endif

/* Timeouts of the requests the core and the class drivers issue (guest time). */
#define USB_CONTROL_TIMEOUT_MS 500
#define USB_BULK_TIMEOUT_MS    2000

struct usb_driver;

struct usb_device {
    int port;                                 /* root hub port, 1..n */
    uint8_t address;                          /* the address SET_ADDRESS gave it */
    bool low_speed;                           /* LowSpeedDeviceAttached at reset */
    uint16_t config_len;                      /* bytes of config[] that hold the descriptor */
    struct ohci_ed *ep0;                      /* the default control pipe */
    const struct usb_driver *driver;          /* the class driver that took it, or NULL */
    uint8_t config[USB_CONFIG_MAX]; DEMO_BUG_ONLY(struct ohci_ed *pipe0;) /* the (first) configuration descriptor */
    struct usb_device_descriptor desc;        /* keep right after config[]: see DEMO_BUG above */
    uint8_t class_code;                       /* bDeviceClass, or for 0 the first interface's class */
    char manufacturer[USB_STRING_MAX];        /* string descriptors in ASCII ("" if none) */
    char product[USB_STRING_MAX];
    char serial[USB_STRING_MAX];
};

/* A class driver: attach() looks at a configured device and takes it if it has an interface the
 * driver handles (it may issue requests and print errors); describe() adds lsusb detail lines. */
struct usb_driver {
    const char *name;
    bool (*attach)(struct usb_device *dev);
    void (*describe)(const struct usb_device *dev);
};

/* Finds the controller in the device tree and starts it. False (and silent) when there is none. */
bool usb_init(void);
bool usb_present(void);
/*
 * Enumerates the device on every connected port that has none in the table yet - at boot all of
 * them; later the ones attached since (or that failed before). Prints one "usb N: ..." line per
 * device, or why it failed.
 */
void usb_enumerate(void);
/* Acknowledges controller events; call after every WFI the shell does (they share MEIP). */
void usb_poll(void);

int usb_device_count(void);
struct usb_device *usb_device_at(int i);
/* "usb <port>: <vid>:<pid> class <class> "<product>"" */
void usb_print_summary(const struct usb_device *dev);
/* The summary plus what the core and the class driver know (lsusb). */
void usb_print_details(const struct usb_device *dev);

/* A control transfer on EP0 (data stage of `length` bytes, direction from `request_type`). */
enum usb_status usb_control(struct usb_device *dev, uint8_t request_type, uint8_t request, uint16_t value,
                            uint16_t index, void *data, uint16_t length, uint32_t *actual);
/* CLEAR_FEATURE(ENDPOINT_HALT) for endpoint `ep_address`, and DATA0 again on `ed` (9.4.5). */
enum usb_status usb_clear_halt(struct usb_device *dev, struct ohci_ed *ed, uint8_t ep_address);

/* Configuration descriptor walking (bounds-checked against config_len). */
const struct usb_interface_descriptor *usb_find_interface(const struct usb_device *dev, int cls, int subclass,
                                                          int protocol);
const struct usb_endpoint_descriptor *usb_find_endpoint(const struct usb_device *dev,
                                                        const struct usb_interface_descriptor *iface,
                                                        uint8_t type, bool in);
/* An ED for a bulk or interrupt endpoint of `dev` (NULL when out of EDs). */
struct ohci_ed *usb_open_endpoint(struct usb_device *dev, const struct usb_endpoint_descriptor *ep);

/* The class drivers, tried in this order. */
extern const struct usb_driver usb_hid_kbd_driver;
extern const struct usb_driver usb_cdc_acm_driver;
extern const struct usb_driver usb_msc_driver;

#endif
