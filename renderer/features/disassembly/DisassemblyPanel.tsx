// Disassembly around the pc, with symbol labels; click the gutter to toggle a breakpoint.

import { useLayoutEffect, useRef } from 'react';
import { Panel, Missing } from '../../components/Panel.js';
import { hex8 } from '../../components/format.js';
import { useStore } from '../../store/index.js';

/** Row heights of `.disasm` in styles.css (line-height; a label row adds its padding-top). */
const ROW_PX = 17;
const LABEL_ROW_PX = 21;

export function DisassemblyPanel() {
  const disasm = useStore((s) => s.disasm);
  const pc = useStore((s) => s.state?.pc ?? null);
  const breakpoints = useStore((s) => s.breakpoints);
  const toggle = useStore((s) => s.toggleBreakpoint);
  const current = useRef<HTMLTableRowElement>(null);

  const bodyHeight = useRef(0);
  useLayoutEffect(() => {
    // Centre the pc's row by arithmetic: reading its position would force a layout of the whole
    // window on every scrubbing step (measured: ~5 ms each), and scrollIntoView also scrolls ancestors.
    const row = current.current;
    const body = row?.closest('.panel-body');
    if (!row || !body || !disasm) return;
    if (bodyHeight.current === 0) {
      bodyHeight.current = body.clientHeight;
      new ResizeObserver(([e]) => { bodyHeight.current = e!.contentRect.height; }).observe(body);
    }
    let y = 0;
    for (const l of disasm.lines) {
      if (l.label) y += LABEL_ROW_PX;
      if (l.address === pc) break;
      y += ROW_PX;
    }
    body.scrollTop = y - (bodyHeight.current - ROW_PX) / 2;
  }, [disasm, pc]);

  if (!disasm) return <Panel title="Disassembly" testId="disassembly"><Missing>no machine state yet</Missing></Panel>;
  return (
    <Panel title="Disassembly" testId="disassembly" actions={disasm.note ? <span className="dim">{disasm.note}</span> : null}>
      {disasm.lines.length === 0 ? <Missing>{disasm.note ?? 'nothing to disassemble'}</Missing> : (
        <table className="disasm">
          <tbody>
            {disasm.lines.flatMap((l) => {
              const isPc = l.address === pc;
              const bp = breakpoints.some((b) => b.addr === l.address);
              const rows = [];
              if (l.label) rows.push(<tr key={`l${l.address}`} className="label-row"><td colSpan={4}>{`<${l.label}>:`}</td></tr>);
              const [mnemonic, operands = ''] = l.text.split('\t');
              rows.push(
                <tr key={l.address} ref={isPc ? current : undefined} className={isPc ? 'pc-line' : ''} data-testid={isPc ? 'disasm-pc' : undefined} data-address={l.address}>
                  <td className="gutter" onClick={() => toggle(l.address, l.label)} title="Toggle breakpoint">{bp ? '●' : isPc ? '▶' : ''}</td>
                  <td className="addr">{hex8(l.address)}</td>
                  <td className="raw">{l.hex}</td>
                  <td className="insn"><span className="mnemonic">{mnemonic}</span> {operands}</td>
                </tr>,
              );
              return rows;
            })}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
