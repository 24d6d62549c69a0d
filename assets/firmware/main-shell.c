/*
 * shell - Hindsight's bundled sample firmware: a tiny command shell on the serial console.
 *
 * It prints a banner and a "> " prompt, reads a line (echoing what is typed, handling
 * backspace; CR, LF or CR LF ends the line) and runs the command:
 *
 *   help               list the commands
 *   echo TEXT          send TEXT through the USB serial port (CDC-ACM) and print what comes
 *                      back; without one, print TEXT
 *   peek ADDR          read the 32-bit word at ADDR (hex)
 *   poke ADDR VALUE    write the 32-bit VALUE (hex) to ADDR (hex)
 *   minstret           instructions retired since reset
 *   lsusb              list the USB devices, with what their drivers know (enumerating any
 *                      attached since boot first)
 *   kbd [COUNT]        print the USB keyboard's reports and the characters typed, until COUNT
 *                      reports (decimal) or a key on the console
 *   read LBA           read block LBA (decimal, or hex with 0x) of the USB disk and dump it
 *   exit [CODE]        power off with exit code CODE (decimal, default 0)
 *   poweroff           power off with exit code 0
 *
 * USB: at boot the shell looks for a "generic-ohci" node in the device tree (lib/fdt.c); when
 * there is one (Hindsight's virt board) it starts the OHCI controller (lib/ohci.c), enumerates
 * every device on its ports and prints one line per device (lib/usb.c):
 *
 *   usb <port>: <vid>:<pid> class <class> "<product>"
 *
 * with <class> the device class in two hex digits, or for class 00 the first interface's class.
 * Class drivers take a HID boot keyboard (lib/usb_hid.c), a CDC-ACM serial port (lib/usb_cdc.c)
 * and a Bulk-Only SCSI disk (lib/usb_msc.c). Without the node (QEMU's virt has no USB host
 * controller) the shell behaves exactly as before, and prints nothing about USB at boot.
 *
 * A UART has no end of file: with no more input the shell simply waits - asleep in WFI, so an
 * idle shell costs an emulator nothing. peek/poke of an address where nothing answers reports
 * the access fault instead of crashing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "platform.h"
#include "plic.h"
#include "trap.h"
#include "uart.h"
#include "usb.h"
#include "usb_cdc.h"
#include "usb_hid.h"
#include "usb_msc.h"

#define LINE_MAX 128
#define ARGS_MAX 8

/* ---- console input ------------------------------------------------------------------- */

/*
 * Sleep until the UART has a byte. The UART's receive interrupt is routed through the PLIC
 * to mie.MEIE but mstatus.MIE stays clear: the interrupt never traps, it only wakes WFI.
 * After each wake-up the PLIC claim is taken and completed so the next WFI sleeps again.
 * LSR is checked before every WFI, so a byte that arrived at any point is never missed.
 * The USB controller shares the external interrupt: usb_poll() acknowledges whatever it
 * signalled (e.g. a late done queue), or its interrupt line would keep waking us.
 */
static void console_init(void)
{
    plic_enable_m(UART0_IRQ);
    uart_enable_rx_irq(true);
    csr_set(mie, MIP_MEIP);
}

static int console_getc(void)
{
    while (!uart_rx_ready()) {
        __asm__ volatile("wfi");
        usb_poll();
        uint32_t src = plic_claim_m();
        if (src != 0)
            plic_complete_m(src);
    }
    return uart_getc();
}

/*
 * Read one line into buf (NUL-terminated, at most size-1 characters), echoing as we go.
 * Backspace (BS or DEL) erases the last character on screen and in the buffer. A CR ends the
 * line; an LF directly after a CR is swallowed, so CR, LF and CR LF all work as Enter.
 */
static void read_line(char *buf, size_t size)
{
    static bool last_was_cr;
    size_t len = 0;

    for (;;) {
        int c = console_getc();
        if (c == '\n' && last_was_cr) {
            last_was_cr = false;
            continue;
        }
        last_was_cr = (c == '\r');
        if (c == '\r' || c == '\n') {
            putchar('\n');
            break;
        }
        if (c == '\b' || c == 0x7f) {
            if (len > 0) {
                len--;
                fputs("\b \b", stdout);
            }
            continue;
        }
        if (c < 0x20 || c > 0x7e || len + 1 >= size)
            continue;  /* ignore other control characters, and input beyond the buffer */
        buf[len++] = (char)c;
        putchar(c);
    }
    buf[len] = '\0';
}

/* Split line in place at spaces; returns the number of words (at most max). */
static int split_words(char *line, char **argv, int max)
{
    int argc = 0;
    char *p = line;
    while (argc < max) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        argv[argc++] = p;
        while (*p != ' ' && *p != '\0')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
    return argc;
}

static bool parse_hex(const char *s, uint32_t *out)
{
    char *end;
    if (*s == '\0')
        return false;
    unsigned long v = strtoul(s, &end, 16);  /* accepts an optional 0x prefix */
    if (*end != '\0')
        return false;
    *out = (uint32_t)v;
    return true;
}

/* ---- guarded memory access ------------------------------------------------------------ */

/*
 * peek/poke touch arbitrary addresses. While `probing` is set, an access fault (or
 * misaligned access) does not kill the shell: the trap handler records the cause and skips
 * the faulting instruction.
 */
static volatile bool probing;
static volatile uint32_t probe_fault;  /* mcause of the fault, or 0 */

void handle_trap(struct trap_frame *tf)
{
    bool data_fault = tf->mcause == EXC_LOAD_ACCESS || tf->mcause == EXC_STORE_ACCESS ||
                      tf->mcause == EXC_LOAD_MISALIGNED || tf->mcause == EXC_STORE_MISALIGNED;
    if (probing && data_fault) {
        probe_fault = tf->mcause;
        tf->mepc += insn_length(tf->mepc);
        return;
    }
    hs_unexpected_trap(tf);
}

static bool probe_read(uint32_t addr, uint32_t *value)
{
    probe_fault = 0;
    probing = true;
    *value = *(volatile uint32_t *)addr;
    probing = false;
    return probe_fault == 0;
}

static bool probe_write(uint32_t addr, uint32_t value)
{
    probe_fault = 0;
    probing = true;
    *(volatile uint32_t *)addr = value;
    probing = false;
    return probe_fault == 0;
}

/* ---- commands -------------------------------------------------------------------------- */

struct command {
    const char *name;
    const char *usage;
    const char *help;
    void (*run)(int argc, char **argv);
};

static void cmd_help(int argc, char **argv);

/* Prints bytes as text: printable ASCII as it is, the rest as \n, \r or \xNN. */
static void print_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c < 0x20 || c > 0x7e || c == '\\')
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

/*
 * With a CDC-ACM device attached the text goes out on its bulk OUT endpoint and whatever comes
 * back on bulk IN (the virtual device echoes) is printed after "cdc: ". The reads stop when as
 * many bytes came back as went out, or after 200 ms without any.
 */
static void cmd_echo(int argc, char **argv)
{
    char text[LINE_MAX];
    size_t len = 0;
    text[0] = '\0';
    for (int i = 1; i < argc; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, i > 1 ? " %s" : "%s", argv[i]);

    if (cdc_acm_device() == NULL) {
        printf("%s\n", text);
        printf("(no CDC device: printed locally)\n");
        return;
    }
    enum usb_status st = cdc_acm_write(text, len);
    if (st != USB_OK) {
        printf("cdc: write failed: %s\n", usb_status_name(st));
        return;
    }
    char back[LINE_MAX] = {0};
    size_t got = 0;
    while (got < len) {
        char chunk[64];
        uint32_t n = 0;
        st = cdc_acm_read(chunk, sizeof chunk, &n, 200);
        if (st != USB_OK)
            break;
        for (uint32_t i = 0; i < n && got < sizeof back; i++)
            back[got++] = chunk[i];
    }
    fputs("cdc: ", stdout);
    print_escaped(back, got);
    putchar('\n');
    if (got < len)
        printf("cdc: %u of %u bytes came back (%s)\n", (unsigned)got, (unsigned)len, usb_status_name(st));
}

static void cmd_peek(int argc, char **argv)
{
    uint32_t addr, value;
    if (argc != 2 || !parse_hex(argv[1], &addr)) {
        printf("usage: peek ADDR\n");
        return;
    }
    if (probe_read(addr, &value))
        printf("0x%08lx: 0x%08lx\n", (unsigned long)addr, (unsigned long)value);
    else
        printf("0x%08lx: fault (mcause %lu)\n", (unsigned long)addr, (unsigned long)probe_fault);
}

static void cmd_poke(int argc, char **argv)
{
    uint32_t addr, value;
    if (argc != 3 || !parse_hex(argv[1], &addr) || !parse_hex(argv[2], &value)) {
        printf("usage: poke ADDR VALUE\n");
        return;
    }
    if (!probe_write(addr, value))
        printf("0x%08lx: fault (mcause %lu)\n", (unsigned long)addr, (unsigned long)probe_fault);
}

static void cmd_minstret(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("minstret=%llu\n", (unsigned long long)read_minstret64());
}

static void cmd_lsusb(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct ohci_info *hc = ohci_controller();
    if (hc == NULL) {
        printf("no USB host controller\n");
        return;
    }
    printf("ohci at 0x%08lx, irq %lu, %d ports%s\n", (unsigned long)hc->base, (unsigned long)hc->irq, hc->ports,
           ohci_dead() ? ", stopped (unrecoverable error)" : "");
    usb_enumerate();  /* devices attached since boot */
    if (usb_device_count() == 0)
        printf("no USB devices\n");
    for (int i = 0; i < usb_device_count(); i++)
        usb_print_details(usb_device_at(i));
}

static bool console_key(void)
{
    return uart_rx_ready();
}

static void cmd_kbd(int argc, char **argv)
{
    unsigned long count = 0;  /* 0: until a key on the console */
    char *end;
    if (argc > 2 || (argc == 2 && ((count = strtoul(argv[1], &end, 10)) == 0 || *end != '\0'))) {
        printf("usage: kbd [COUNT]\n");
        return;
    }
    struct usb_device *dev = hid_kbd_device();
    if (dev == NULL) {
        printf("kbd: no USB keyboard\n");
        return;
    }
    if (count)
        printf("kbd: usb %d, %lu reports (a key here stops)\n", dev->port, count);
    else
        printf("kbd: usb %d, until a key here\n", dev->port);

    uint8_t report[HID_KBD_REPORT_LEN], prev[HID_KBD_REPORT_LEN] = {0};
    char typed[LINE_MAX];
    size_t n_typed = 0;
    for (unsigned long n = 0; count == 0 || n < count; n++) {
        enum usb_status st = hid_kbd_read(report, console_key);
        if (st == USB_TIMEOUT && uart_rx_ready()) {
            (void)uart_getc();  /* the key that stopped us */
            break;
        }
        if (st != USB_OK) {
            printf("kbd: %s\n", usb_status_name(st));
            break;
        }
        char chars[HID_KBD_REPORT_LEN];
        size_t k = hid_kbd_chars(report, prev, chars, sizeof chars);
        printf("report");
        for (int i = 0; i < HID_KBD_REPORT_LEN; i++)
            printf(" %02x", report[i]);
        if (k) {
            fputs("  \"", stdout);
            print_escaped(chars, k);
            putchar('"');
        }
        putchar('\n');
        for (size_t i = 0; i < k && n_typed < sizeof typed; i++)
            typed[n_typed++] = chars[i];
        memcpy(prev, report, sizeof prev);
    }
    fputs("typed \"", stdout);
    print_escaped(typed, n_typed);
    fputs("\"\n", stdout);
}

static void cmd_read(int argc, char **argv)
{
    static uint8_t block[MSC_MAX_BLOCK] __attribute__((aligned(16)));  /* DMA target */
    char *end;
    if (argc != 2 || argv[1][0] == '\0') {
        printf("usage: read LBA\n");
        return;
    }
    unsigned long lba = strtoul(argv[1], &end, 0);
    if (*end != '\0') {
        printf("usage: read LBA\n");
        return;
    }
    if (msc_device() == NULL) {
        printf("read: no USB disk\n");
        return;
    }
    struct msc_result r = msc_read_block((uint32_t)lba, block);
    if (r.usb != USB_OK || r.csw_status != 0) {
        msc_print_error("read", &r);
        return;
    }
    uint32_t size = msc_block_size();
    printf("block %lu, %lu bytes:\n", lba, (unsigned long)size);
    for (uint32_t off = 0; off < size; off += 16) {
        printf("%04lx ", (unsigned long)off);
        for (uint32_t i = 0; i < 16; i++)
            printf(" %02x", block[off + i]);
        fputs("  |", stdout);
        for (uint32_t i = 0; i < 16; i++)
            putchar(block[off + i] >= 0x20 && block[off + i] < 0x7f ? block[off + i] : '.');
        fputs("|\n", stdout);
    }
}

/* Reads COUNT blocks from FIRST without dumping them: a USB-heavy workload (the benchmark of
 * recording overhead uses it). Prints the bytes read and an FNV-1a checksum of them. */
static void cmd_readsum(int argc, char **argv)
{
    static uint8_t block[MSC_MAX_BLOCK] __attribute__((aligned(16)));  /* DMA target */
    char *end1, *end2;
    if (argc != 3) {
        printf("usage: readsum FIRST COUNT\n");
        return;
    }
    unsigned long first = strtoul(argv[1], &end1, 0), count = strtoul(argv[2], &end2, 0);
    if (*end1 != '\0' || *end2 != '\0') {
        printf("usage: readsum FIRST COUNT\n");
        return;
    }
    if (msc_device() == NULL) {
        printf("readsum: no USB disk\n");
        return;
    }
    uint32_t hash = 0x811c9dc5u, size = msc_block_size();
    for (unsigned long i = 0; i < count; i++) {
        struct msc_result r = msc_read_block((uint32_t)(first + i), block);
        if (r.usb != USB_OK || r.csw_status != 0) {
            msc_print_error("readsum", &r);
            return;
        }
        for (uint32_t k = 0; k < size; k++)
            hash = (hash ^ block[k]) * 0x01000193u;
    }
    printf("readsum: %lu blocks, %lu bytes, fnv1a %08lx\n", count, count * (unsigned long)size, (unsigned long)hash);
}

static void cmd_exit(int argc, char **argv)
{
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exit %d\n", code);
    exit(code);
}

static void cmd_poweroff(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("power off\n");
    exit(0);
}

static const struct command commands[] = {
    {"help", "", "list the commands", cmd_help},
    {"echo", " TEXT", "print TEXT (through the USB serial port, if any)", cmd_echo},
    {"peek", " ADDR", "read the 32-bit word at ADDR (hex)", cmd_peek},
    {"poke", " ADDR VALUE", "write VALUE (hex) to the 32-bit word at ADDR (hex)", cmd_poke},
    {"minstret", "", "instructions retired since reset", cmd_minstret},
    {"lsusb", "", "list the USB devices", cmd_lsusb},
    {"kbd", " [COUNT]", "print USB keyboard reports (COUNT, or until a key here)", cmd_kbd},
    {"read", " LBA", "read block LBA of the USB disk and dump it", cmd_read},
    {"readsum", " FIRST COUNT", "read COUNT blocks of the USB disk, print a checksum", cmd_readsum},
    {"exit", " [CODE]", "power off with exit code CODE (default 0)", cmd_exit},
    {"poweroff", "", "power off (exit code 0)", cmd_poweroff},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        char usage[32];
        snprintf(usage, sizeof usage, "%s%s", commands[i].name, commands[i].usage);
        printf("  %-18s %s\n", usage, commands[i].help);
    }
}

static void run_line(char *line)
{
    char *argv[ARGS_MAX];
    int argc = split_words(line, argv, ARGS_MAX);
    if (argc == 0)
        return;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[0], commands[i].name) == 0) {
            commands[i].run(argc, argv);
            return;
        }
    }
    printf("unknown command: %s (try help)\n", argv[0]);
}

int main(void)
{
    char line[LINE_MAX];

    console_init();
    printf("Hindsight sample firmware\n");
    if (usb_init())
        usb_enumerate();
    printf("type help for commands\n");
    for (;;) {
        fputs("> ", stdout);
        read_line(line, sizeof line);
        run_line(line);
    }
}
