// Memory as hex and ASCII at an address or symbol; bytes changed since the position shown before
// are highlighted; device and unmapped bytes show as "··" (they are not read: reads have effects).

import { useState, type FormEvent } from 'react';
import { Panel, Missing } from '../../components/Panel.js';
import { hex2, hex8 } from '../../components/format.js';
import { MEMORY_BYTES_PER_ROW, useStore } from '../../store/index.js';

export function MemoryPanel() {
  const memory = useStore((s) => s.memory);
  const prev = useStore((s) => s.prevMemory);
  const label = useStore((s) => s.memLabel);
  const ready = useStore((s) => s.state !== null);
  const showMemory = useStore((s) => s.showMemory);
  const setWriteExpr = useStore((s) => s.setWriteExpr);
  const [expr, setExpr] = useState('');

  const onGo = (e: FormEvent) => {
    e.preventDefault();
    if (expr.trim()) void showMemory(expr.trim());
  };
  const form = (
    <form onSubmit={onGo} className="inline-form">
      <input aria-label="Memory address" placeholder="0x80000000 or symbol" value={expr} onChange={(e) => setExpr(e.target.value)} size={20} />
      <button type="submit" disabled={!ready}>Go</button>
    </form>
  );
  if (!memory) return <Panel title="Memory" testId="memory" actions={form}><Missing>enter an address or a symbol</Missing></Panel>;

  const rows = [];
  const samePlace = prev && prev.addr === memory.addr;
  for (let off = 0; off < memory.bytes.length; off += MEMORY_BYTES_PER_ROW) {
    const cells = [];
    let ascii = '';
    for (let i = off; i < Math.min(off + MEMORY_BYTES_PER_ROW, memory.bytes.length); i++) {
      const b = memory.bytes[i];
      const changed = samePlace && prev.bytes[i] !== b;
      const addr = (memory.addr + i) >>> 0;
      cells.push(
        <span
          key={i}
          className={`byte${changed ? ' changed' : ''}${b === null ? ' unmapped' : ''}`}
          title={`0x${hex8(addr)}: click to ask who wrote it`}
          onClick={() => setWriteExpr(`0x${hex8(addr)}:1`)}
        >
          {b === null || b === undefined ? '··' : hex2(b)}
        </span>,
      );
      ascii += b === null || b === undefined ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    rows.push(
      <div key={off} className="mem-row">
        <span className="addr">{hex8(memory.addr + off)}</span>
        <span className="bytes">{cells}</span>
        <span className="ascii">{ascii}</span>
      </div>,
    );
  }
  return (
    <Panel title={`Memory${label ? ` · ${label}` : ''}`} testId="memory" actions={form}>
      <div className="memory">{rows}</div>
    </Panel>
  );
}
