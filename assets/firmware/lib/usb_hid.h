/*
 * usb_hid.h - HID boot keyboard driver (Device Class Definition for HID 1.11: boot interface
 * subclass 1, protocol 1; the 8-byte boot report of appendix B.1: modifiers, reserved, 6 keys).
 *
 * At attach: SET_IDLE(0) (report only on change) and SET_PROTOCOL(boot); a device that STALLs
 * either (the Teensy capture never saw SET_PROTOCOL) keeps working with its default. Reports come
 * from the interrupt IN endpoint, which sits in the periodic schedule at its bInterval.
 */
#ifndef HS_USB_HID_H
#define HS_USB_HID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "usb.h"

#define HID_KBD_REPORT_LEN 8

/* The attached keyboard, or NULL. */
struct usb_device *hid_kbd_device(void);
/*
 * Waits for the next report. `stop` (may be NULL) is checked after every wake-up; when it returns
 * true the wait is abandoned and USB_TIMEOUT returned. Waits while the device has nothing to say
 * (a quiet keyboard NAKs; OHCI has no NAK timeout) - that is what `stop` is for.
 */
enum usb_status hid_kbd_read(uint8_t report[HID_KBD_REPORT_LEN], bool (*stop)(void));
/* The characters of keys pressed in `report` that were not down in `prev` (US layout), NUL-ended. */
size_t hid_kbd_chars(const uint8_t report[HID_KBD_REPORT_LEN], const uint8_t prev[HID_KBD_REPORT_LEN], char *out,
                     size_t size);

#endif
