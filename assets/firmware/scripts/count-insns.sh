#!/bin/sh
# Count the instructions QEMU executes for a firmware ELF, from reset (the 6 reset-ROM
# instructions included) to power-off, independent of minstret.
#
#   scripts/count-insns.sh elf/timer.elf [input-string]
#
# QEMU runs one instruction per translation block (-singlestep) and logs every block it starts
# (-d exec,nochain); the count is the number of log lines. This runs without -icount: under
# -icount an I/O instruction is logged twice (executed once, abandoned, re-translated). An
# instruction that traps (ecall, ebreak, a faulting load) is logged but does not retire, so
# for programs that trap on purpose the count is higher than minstret by the number of traps.
set -eu
elf=$1
input=${2-}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
printf '%s' "$input" | timeout 120 qemu-system-riscv32 -M virt -bios none -display none \
  -monitor none -serial stdio -singlestep -d exec,nochain -D "$log" -kernel "$elf" >/dev/null
grep -c '^Trace' "$log"
