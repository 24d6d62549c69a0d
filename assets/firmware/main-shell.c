/*
 * shell - Hindsight's bundled sample firmware: a tiny command shell on the serial console.
 *
 * It prints a banner and a "> " prompt, reads a line (echoing what is typed, handling
 * backspace; CR, LF or CR LF ends the line) and runs the command:
 *
 *   help               list the commands
 *   echo TEXT          print TEXT
 *   peek ADDR          read the 32-bit word at ADDR (hex)
 *   poke ADDR VALUE    write the 32-bit VALUE (hex) to ADDR (hex)
 *   minstret           instructions retired since reset
 *   exit [CODE]        power off with exit code CODE (decimal, default 0)
 *   poweroff           power off with exit code 0
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

#define LINE_MAX 128
#define ARGS_MAX 8

/* ---- console input ------------------------------------------------------------------- */

/*
 * Sleep until the UART has a byte. The UART's receive interrupt is routed through the PLIC
 * to mie.MEIE but mstatus.MIE stays clear: the interrupt never traps, it only wakes WFI.
 * After each wake-up the PLIC claim is taken and completed so the next WFI sleeps again.
 * LSR is checked before every WFI, so a byte that arrived at any point is never missed.
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

static void cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf(i > 1 ? " %s" : "%s", argv[i]);
    putchar('\n');
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
    {"echo", " TEXT", "print TEXT", cmd_echo},
    {"peek", " ADDR", "read the 32-bit word at ADDR (hex)", cmd_peek},
    {"poke", " ADDR VALUE", "write VALUE (hex) to the 32-bit word at ADDR (hex)", cmd_poke},
    {"minstret", "", "instructions retired since reset", cmd_minstret},
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
    printf("type help for commands\n");
    for (;;) {
        fputs("> ", stdout);
        read_line(line, sizeof line);
        run_line(line);
    }
}
