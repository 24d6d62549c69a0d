// Integer registers (ABI names) and CSRs at the position; those changed since the position shown
// before are highlighted.

import { Panel, Missing } from '../../components/Panel.js';
import { hex8, hexAddr } from '../../components/format.js';
import { useStore } from '../../store/index.js';

export function RegistersPanel() {
  const state = useStore((s) => s.state);
  const prev = useStore((s) => s.prevRegisters);
  if (!state) return <Panel title="Registers" testId="registers"><Missing>no machine state yet</Missing></Panel>;
  return (
    <Panel title="Registers" testId="registers" actions={<span className="dim">{state.priv}-mode{state.waiting ? ' · WFI' : ''}</span>}>
      <table className="regs">
        <tbody>
          <tr className="reg-pc"><th>pc</th><td data-testid="reg-pc">{hex8(state.pc)}</td><th></th><td></td></tr>
          {pairs(state.registers.length).map(([a, b]) => (
            <tr key={a}>
              {[a, b].map((i) => {
                const r = state.registers[i]!;
                const changed = prev !== null && prev[i] !== r.value;
                return [
                  <th key={`n${i}`} title={`x${i}`}>{r.name}</th>,
                  <td key={`v${i}`} className={changed ? 'changed' : ''} data-testid={`reg-${r.name}`} title={`${r.value} (${r.value | 0})`}>{hex8(r.value)}</td>,
                ];
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <details className="csrs">
        <summary>CSRs</summary>
        <table className="regs">
          <tbody>
            {state.csrs.map((c) => (
              <tr key={c.name}><th>{c.name}</th><td title={hexAddr(c.value)}>{hex8(c.value)}</td></tr>
            ))}
          </tbody>
        </table>
      </details>
    </Panel>
  );
}

function pairs(n: number): [number, number][] {
  const half = n / 2;
  return Array.from({ length: half }, (_, i) => [i, i + half]);
}
