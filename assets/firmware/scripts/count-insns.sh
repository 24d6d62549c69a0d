#!/bin/sh
# Count the instructions QEMU executes for a firmware ELF, from reset (the 6 reset-ROM
# instructions included) to power-off, independent of minstret.
#
#   scripts/count-insns.sh elf/timer.elf [input-string]
#
# QEMU runs one instruction per translation block (-singlestep) and logs every block it starts
# (-d exec,nochain). -icount keeps time-dependent paths (minstret/mtime read loops) the same on
# every run. A block can be logged twice when QEMU leaves it before the instruction ran (under
# -icount an I/O instruction is abandoned and re-translated; or an exit request from the I/O
# thread), so consecutive entries with the same pc are counted once; none of the firmware jumps
# to itself. An instruction that traps (ecall, ebreak, a faulting load) is logged
# but does not retire, so for programs that trap on purpose the count is higher than the
# number of retired instructions by the number of traps.
set -eu
elf=$1
input=${2-}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
printf '%s' "$input" | timeout 120 qemu-system-riscv32 -M virt -bios none -display none \
  -monitor none -serial stdio -nodefaults -icount shift=0,sleep=off -singlestep \
  -d exec,nochain -D "$log" -kernel "$elf" >/dev/null
# "Trace 0: 0x7f...  [00000000/80000000/00109003/ff000201] _start": field 2 of [...] is the pc.
sed -n 's/^Trace [0-9]*: [^[]*\[[0-9a-f]*\/\([0-9a-f]*\)\/.*/\1/p' "$log" | uniq | wc -l
