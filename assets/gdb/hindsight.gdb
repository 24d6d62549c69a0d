# gdb commands for Hindsight's gdb server (`hindsight gdb`, the app's gdb button). The connect
# line they print sources this file: gdb-multiarch ELF -x hindsight.gdb -ex 'target remote ...'.
#
# `monitor seek N` moves the replay under gdb, which keeps the registers, frames and memory it
# read before: after every monitor command, make it read them again. (gdb 11 renamed flushregs.)
define hookpost-monitor
  if $_gdb_major >= 11
    maintenance flush register-cache
    maintenance flush dcache
  else
    flushregs
  end
end
