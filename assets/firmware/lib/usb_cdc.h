/*
 * usb_cdc.h - CDC-ACM serial port driver (USB CDC 1.2 with the PSTN 1.2 Abstract Control Model):
 * a communication interface (class 02h, subclass 02h) for line settings, a data interface
 * (class 0Ah) with a bulk OUT and a bulk IN endpoint for the bytes.
 *
 * At attach: SET_LINE_CODING (115200 8N1) and SET_CONTROL_LINE_STATE (DTR and RTS on), so the
 * far end knows a terminal is there. The notification endpoint is not polled.
 */
#ifndef HS_USB_CDC_H
#define HS_USB_CDC_H

#include <stdint.h>

#include "usb.h"

/* The attached serial port, or NULL. */
struct usb_device *cdc_acm_device(void);
/* Sends `length` bytes (bulk OUT). */
enum usb_status cdc_acm_write(const void *data, uint32_t length);
/* Receives what the device has, up to `size` bytes (one bulk IN transfer); USB_TIMEOUT if it
 * has nothing within `timeout_ms`. */
enum usb_status cdc_acm_read(void *data, uint32_t size, uint32_t *got, uint32_t timeout_ms);

#endif
