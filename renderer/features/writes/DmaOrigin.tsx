// A DMA write's origin: the USB transfer whose completion wrote the bytes, and the driver code
// that asked for it. The pc of a DMA write is wherever the CPU happened to be, so the answer
// points at the request instead: the call stack when the controller took it, with "the guilty
// line" (the call that chose this buffer and length) first; clicking goes there.

import type { DmaOriginDto } from '../../../app/protocol/index.js';
import { grouped } from '../../components/format.js';
import { useStore } from '../../store/index.js';

export function DmaOrigin(props: { dma: DmaOriginDto | null | undefined }) {
  const goToFrame = useStore((s) => s.goToFrame);
  const dma = props.dma;
  if (!dma) return <div className="dim">written by a device (DMA); no USB transfer of the recording ends there</div>;
  const guilty = dma.guilty !== null ? dma.requestedBy[dma.guilty] : undefined;
  const over = dma.dirIn && dma.actualLength > 0;
  return (
    <div className="dma-origin" data-testid="dma-origin">
      <div>
        written by the <b>USB host controller (DMA)</b>: transfer #{dma.transferId}, port {dma.port} endpoint {dma.endpoint} {dma.dirIn ? 'IN' : 'OUT'},{' '}
        <span className="mono" data-testid="dma-request">{dma.request}</span>
      </div>
      <div>
        the driver asked for <b data-testid="dma-requested">{dma.requestedLength}</b> bytes{over ? <>, the device sent <b>{dma.actualLength}</b></> : null}
      </div>
      {guilty ? (
        <div className="dma-guilty">
          requested by{' '}
          <button type="button" className="link mono" data-testid="dma-guilty" onClick={() => { void goToFrame(dma.requestIcount, guilty.index); }}>
            {guilty.function ?? '??'} ({guilty.location ? `${guilty.location.file}:${guilty.location.line}` : 'no line'})
          </button>
          {' '}at icount {grouped(dma.requestIcount)}
        </div>
      ) : null}
      <details>
        <summary className="dim">call stack at the request</summary>
        <ol className="dma-stack" start={0}>
          {dma.requestedBy.map((f) => (
            <li key={f.index} className={f.index === dma.guilty ? 'guilty' : ''}>
              <button type="button" className="link mono" onClick={() => { void goToFrame(dma.requestIcount, f.index); }}>
                {f.function ?? '??'}{f.location ? ` ${f.location.file.split('/').pop()}:${f.location.line}` : ''}
              </button>
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}
