// The guest's serial console exactly as it was at the position: xterm.js fed the bytes sent by
// instructions before it. Moving forward writes only the new bytes; moving back starts over.
// While a recording is made it is live: output streams in, and keystrokes go to the guest's UART.

import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { Panel } from '../../components/Panel.js';
import { useStore } from '../../store/index.js';
import { recordingSelectors } from '../../store/recording-slice.js';

export function ConsolePanel() {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const written = useRef(0);
  const bytes = useStore((s) => s.consoleBytes);
  const length = useStore((s) => s.consoleLength);
  const total = useStore((s) => s.info?.end ?? null);
  const recording = useStore(recordingSelectors.recording);

  useEffect(() => {
    const t = new Terminal({
      convertEol: true, disableStdin: true, cursorBlink: false, scrollback: 5000, fontSize: 12, rows: 16,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
      theme: { background: '#11151c', foreground: '#c9d1d9', cursor: '#11151c' },
    });
    t.open(host.current!);
    term.current = t;
    // Only while recording does typing reach the guest (disableStdin stops onData otherwise).
    const typing = t.onData((data) => useStore.getState().sendSerial(data));
    const fitter = new FitAddon();
    t.loadAddon(fitter);
    const fit = () => {
      if (host.current && host.current.clientWidth > 0) fitter.fit();
    };
    const ro = new ResizeObserver(fit);
    ro.observe(host.current!);
    fit();
    return () => {
      ro.disconnect();
      typing.dispose();
      t.dispose();
      term.current = null;
      written.current = 0;
    };
  }, []);

  useEffect(() => {
    const t = term.current;
    if (!t) return;
    t.options.disableStdin = !recording;
    t.options.cursorBlink = recording;
    t.options.theme = { ...t.options.theme, cursor: recording ? '#c9d1d9' : '#11151c' };
    if (recording) t.focus();
  }, [recording]);

  useEffect(() => {
    const t = term.current;
    if (!t) return;
    if (length < written.current) {
      // ESC c (full reset) through the write queue, not t.reset(): writes are parsed later, and a
      // reset that overtakes queued bytes leaves them on the cleared screen (seen: a live echo).
      t.write('\x1bc');
      written.current = 0;
    }
    if (length > written.current) {
      t.write(bytes.slice(written.current, length));
      written.current = length;
    }
  }, [bytes, length]);

  return (
    <Panel title="Serial console" testId="console" actions={<span className="dim" data-testid="console-length" data-length={length}>{recording ? `live: type here · ${length} bytes` : total === null ? '' : `${length} bytes up to here`}</span>}>
      <div className="terminal-host" ref={host} />
    </Panel>
  );
}
