// Runs the hart: finds (or builds) the compiled block for the pc, runs it, handles exits.
//
// Caches: blocks by physical address (invalidated per RAM page when code is overwritten), and a
// direct-mapped jump cache by virtual pc in front of it (as QEMU's tb_jmp_cache), flushed when the
// fetch mapping may change. A block is only run when it fits entirely before the `limit` icount;
// otherwise single-instruction blocks are used, so a run can stop at any exact icount.

import { PAGE_SHIFT, type PhysicalBus } from '../bus/bus.js';
import { decode, isLong, type Decoded } from '../isa/decode.js';
import { compileBlock, endsBlock, HELPERS, MAX_BLOCK, type Block } from './block-compiler.js';
import { EXC } from './csr-numbers.js';
import { EXIT_REDO, EXIT_TRAP, type Hart } from './hart.js';

const JCACHE_SIZE = 1 << 14;
const JCACHE_MASK = JCACHE_SIZE - 1;

export class Executor {
  private readonly jcache: (Block | undefined)[] = new Array<Block | undefined>(JCACHE_SIZE).fill(undefined);
  private readonly blocks = new Map<number, Block>();
  private readonly singles = new Map<number, Block>();
  private readonly pageBlocks = new Map<number, Block[]>();
  /** For a block whose one instruction straddles two pages: the physical address of its second half. */
  private readonly secondHalf = new WeakMap<Block, number>();
  /** Number of blocks compiled (for statistics and tests). */
  compiled = 0;
  /** Breakpoint addresses (virtual, int32). Blocks never run across one. */
  private breakpoints = new Set<number>();
  /** The breakpoint run() stopped at, or null. */
  breakpointHit: number | null = null;
  /** A breakpoint at this pc is not reported while icount is resumeIcount: a run resumes from it. */
  private resumePc = 0;
  private resumeIcount = -1;
  /**
   * When set, every instruction runs alone and this is called just before it (with the hart at
   * the instruction): read and access watchpoints look at loads' effective addresses here.
   */
  private beforeEach: ((d: Decoded) => void) | null = null;
  private afterEach: (() => void) | null = null;
  /** Set (by a hook) to make run() return after the current instruction. */
  stopRequested = false;

  constructor(private readonly hart: Hart, private readonly bus: PhysicalBus) {
    bus.onCodeWrite = (page) => this.invalidatePage(page);
    hart.onFetchMappingChange = () => this.jcache.fill(undefined);
  }

  /**
   * Executes until `hart.icount >= limit`, or until something needs the machine's attention
   * (a trap was taken, a system instruction ran, a device was touched, WFI). Never overshoots `limit`.
   */
  run(limit: number): void {
    const h = this.hart;
    const x = h.x;
    this.breakpointHit = null;
    while (h.icount < limit) {
      const pc = h.pc;
      if (this.breakpoints.size !== 0 && this.breakpoints.has(pc) && !(pc === this.resumePc && h.icount === this.resumeIcount)) {
        this.breakpointHit = pc;
        return;
      }
      if (this.beforeEach !== null) {
        this.step();
        h.exit = 0;
        if (this.stopRequested) return;
        continue;
      }
      let b: Block | null | undefined = this.jcache[(pc >>> 1) & JCACHE_MASK];
      if (b === undefined || b.vpc !== pc || !b.valid) {
        b = this.lookup(pc, false);
        if (b === null) return; // fetch fault: trap taken
        this.jcache[(pc >>> 1) & JCACHE_MASK] = b;
      }
      if (b.count > limit - h.icount) {
        b = this.lookup(pc, true);
        if (b === null) return;
      }
      b.fn(h, x, HELPERS, b.insns);
      if (h.exit !== 0) {
        if (h.exit & EXIT_REDO) {
          h.exit = 0;
          this.step();
        }
        h.exit = 0;
        return;
      }
    }
  }

  /** Sets the breakpoints (virtual addresses). Cached blocks are rebuilt so one starts at each. */
  setBreakpoints(pcs: Iterable<number>): void {
    this.breakpoints = new Set([...pcs].map((p) => p | 0));
    this.flushAll();
  }

  /** A run starting now does not stop at a breakpoint on the current pc before executing it. */
  resumeFrom(pc: number, icount: number): void {
    this.resumePc = pc | 0;
    this.resumeIcount = icount;
  }

  /** Runs every instruction alone, calling `before` and `after` around each (null: back to full speed). */
  setEachInstructionHooks(before: ((d: Decoded) => void) | null, after: (() => void) | null = null): void {
    this.beforeEach = before;
    this.afterEach = before ? after : null;
  }

  /** Executes exactly one instruction (or takes one trap), with device access allowed. */
  step(): void {
    const h = this.hart;
    h.singleStep = true;
    h.currentInsn = 1;
    try {
      const b = this.lookup(h.pc, true);
      if (b !== null) {
        if (this.beforeEach !== null) this.beforeEach(b.insns[0]!);
        b.fn(h, h.x, HELPERS, b.insns);
        if (this.afterEach !== null) this.afterEach();
      }
    } finally {
      h.singleStep = false;
      h.currentInsn = 0;
    }
  }

  /** The block at virtual pc (single: a one-instruction block), or null after taking a fetch fault. */
  private lookup(vpc: number, single: boolean): Block | null {
    const h = this.hart;
    const ppc = h.translateFetch(vpc);
    if (ppc === -1 && (h.exit & EXIT_TRAP)) {
      h.stopAt(0, vpc);
      h.exit = 0;
      return null;
    }
    const cache = single ? this.singles : this.blocks;
    const hit = cache.get(ppc);
    if (hit !== undefined && hit.vpc === vpc && hit.valid) {
      const pa2 = this.secondHalf.get(hit);
      if (pa2 === undefined) return hit;
      // A straddling instruction is only the same if its second page still maps to the same place.
      const now = h.translateFetch((vpc + 2) | 0);
      if (now === -1 && (h.exit & EXIT_TRAP)) {
        h.stopAt(0, vpc);
        h.exit = 0;
        return null;
      }
      if (now === pa2) return hit;
    }
    const built = this.build(vpc, ppc, single ? 1 : MAX_BLOCK);
    if (built === null) return null;
    cache.set(ppc, built.block);
    this.registerCode(built.block, ppc);
    if (built.pa2 !== -1) {
      // Also invalidated by writes to the second page (the jump cache may hold it until then).
      this.secondHalf.set(built.block, built.pa2);
      this.registerCode(built.block, built.pa2);
    }
    return built.block;
  }

  /** Lists the block under the RAM page holding `pa`, so a write there invalidates it. */
  private registerCode(block: Block, pa: number): void {
    const off = this.bus.ramOffset(pa);
    if (off < 0) return;
    const page = off >>> PAGE_SHIFT;
    let list = this.pageBlocks.get(page);
    if (!list) this.pageBlocks.set(page, (list = []));
    list.push(block);
    this.bus.markCode(page);
  }

  private build(vpc: number, ppc: number, max: number): { block: Block; pa2: number } | null {
    const h = this.hart;
    const insns: Decoded[] = [];
    const pcs: number[] = [];
    let straddlePa2 = -1;
    let va = vpc;
    let pa = ppc;
    while (insns.length < max) {
      const lo = this.bus.fetch16(pa);
      if (lo < 0) {
        if (insns.length === 0) {
          h.raise(EXC.INSN_ACCESS, va);
          h.stopAt(0, va);
          return null;
        }
        break;
      }
      let hi = 0;
      if (isLong(lo)) {
        const pageEnd = ((pa & 0xfff) === 0xffe);
        if (pageEnd) {
          // A 32-bit instruction straddling two pages: alone in its block, which is registered under
          // both pages and re-checked against the second page's mapping on every lookup.
          if (insns.length > 0) break;
          const pa2 = h.translateFetch((va + 2) | 0);
          if (pa2 === -1 && (h.exit & EXIT_TRAP)) {
            h.stopAt(0, vpc);
            return null;
          }
          const h2 = this.bus.fetch16(pa2);
          if (h2 < 0) {
            h.raise(EXC.INSN_ACCESS, (va + 2) | 0);
            h.stopAt(0, vpc);
            return null;
          }
          hi = h2;
          straddlePa2 = pa2;
          max = 1;
        } else {
          hi = this.bus.fetch16((pa + 2) | 0);
          if (hi < 0) {
            if (insns.length === 0) {
              h.raise(EXC.INSN_ACCESS, (va + 2) | 0);
              h.stopAt(0, va);
              return null;
            }
            break;
          }
        }
      }
      if (insns.length > 0 && this.breakpoints.size !== 0 && this.breakpoints.has(va)) break;
      const d = decode(lo, hi);
      insns.push(d);
      pcs.push(va);
      if (endsBlock(d)) break;
      va = (va + d.len) | 0;
      pa = (pa + d.len) | 0;
      if ((pa & 0xfff) === 0) break; // next instruction is on another page
    }
    this.compiled++;
    return { block: compileBlock(vpc, ppc, insns, pcs), pa2: straddlePa2 };
  }

  private invalidatePage(page: number): void {
    const list = this.pageBlocks.get(page);
    if (!list) return;
    for (const b of list) {
      b.valid = false;
      if (this.blocks.get(b.ppc) === b) this.blocks.delete(b.ppc);
      if (this.singles.get(b.ppc) === b) this.singles.delete(b.ppc);
    }
    this.pageBlocks.delete(page);
  }

  /** Forgets the pc -> block shortcuts (the CPU state changed; blocks themselves stay valid). */
  flushJumpCache(): void {
    this.jcache.fill(undefined);
  }

  /** Drops the blocks of one RAM page (its contents are being replaced). */
  invalidateRamPage(page: number): void {
    this.invalidatePage(page);
  }

  /** Drops every cached block (after a state restore, RAM content may be entirely different). */
  flushAll(): void {
    for (const list of this.pageBlocks.values()) for (const b of list) b.valid = false;
    this.pageBlocks.clear();
    this.blocks.clear();
    this.singles.clear();
    this.jcache.fill(undefined);
  }
}
