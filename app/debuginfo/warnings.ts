// Problems found in debug information. Nothing in app/debuginfo throws out of loadDebugInfo: a bad
// section or unit becomes a DebugWarning naming the section and the byte offset, and the rest of
// the file keeps working (DESIGN.md section 6: bad input gets a clear error naming what and where).

export interface DebugWarning {
  /** The ELF section, e.g. ".debug_info", or "ELF" for the file header and section table. */
  readonly section: string;
  /** Byte offset inside that section (or the file, for "ELF") where the problem was found. */
  readonly offset: number;
  readonly message: string;
}

/** Thrown inside the readers; caught at the unit / section / table boundary and turned into a warning. */
export class DwarfFormatError extends Error {
  override name = 'DwarfFormatError';
  constructor(readonly section: string, readonly offset: number, readonly detail: string) {
    super(`${section}+0x${offset.toString(16)}: ${detail}`);
  }
}

export const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

export function formatWarning(w: DebugWarning): string {
  return `${w.section}+${hex(w.offset)}: ${w.message}`;
}

/** Collects warnings; repeated identical ones are kept once, and the list is capped. */
export class WarningSink {
  readonly list: DebugWarning[] = [];
  private readonly seen = new Set<string>();
  private dropped = 0;
  constructor(private readonly cap = 500) {}

  add(section: string, offset: number, message: string): void {
    const key = `${section}\u0000${offset}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.list.length >= this.cap) {
      // Keep memory bounded on hostile input; say how many were dropped in the last entry.
      this.dropped++;
      this.list[this.cap - 1] = { section: 'debuginfo', offset: 0, message: `${this.dropped + 1} more warnings not shown` };
      return;
    }
    this.list.push({ section, offset, message });
  }

  /** Records an exception caught at a boundary; non-format errors are bugs or hostile input too. */
  caught(section: string, offset: number, what: string, e: unknown): void {
    if (e instanceof DwarfFormatError) this.add(e.section, e.offset, `${what}: ${e.detail}`);
    else this.add(section, offset, `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
