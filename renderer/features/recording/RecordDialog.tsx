// The Record dialog: which guest (the bundled sample firmware or an ELF on the host) and which USB
// devices to plug into the emulated controller's ports, in port order: virtual devices, real ones
// the host sees (or why it sees none), capture files and any other --usb spec. A device that
// cannot be opened is reported here; the dialog keeps the choices and nothing else changes.

import { useState, type FormEvent } from 'react';
import type { UsbDeviceChoice } from '../../../app/protocol/index.js';
import { useStore } from '../../store/index.js';
import './recording.css';

export function RecordDialog() {
  const open = useStore((s) => s.recordDialogOpen);
  return open ? <RecordDialogBody /> : null;
}

/** What the free-text field means: a spec as the CLI takes it, or else a capture file's path. */
export function specOf(text: string): string {
  const t = text.trim();
  return /^(virtual|capture|host):/.test(t) ? t : `capture:${t}`;
}

function RecordDialogBody() {
  const devices = useStore((s) => s.usbDevices);
  const error = useStore((s) => s.recordError);
  const action = useStore((s) => s.recordingAction);
  const { closeRecordDialog, startRecording } = useStore.getState();
  const [useDefault, setUseDefault] = useState(true);
  const [elf, setElf] = useState('');
  const [chosen, setChosen] = useState<string[]>(['virtual:msc']);
  const [other, setOther] = useState('');
  const ports = devices?.ports ?? 2;
  const full = chosen.length >= ports;

  const toggle = (spec: string) => setChosen(chosen.includes(spec) ? chosen.filter((s) => s !== spec) : full ? chosen : [...chosen, spec]);
  const addOther = () => {
    if (!other.trim() || full) return;
    setChosen([...chosen, specOf(other)]);
    setOther('');
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!useDefault && !elf.trim()) return;
    void startRecording(useDefault ? null : elf.trim(), chosen);
  };
  const choice = (d: UsbDeviceChoice) => (
    <label key={d.spec} className="rec-usb-choice" title={d.spec}>
      <input type="checkbox" checked={chosen.includes(d.spec)} disabled={!chosen.includes(d.spec) && full} onChange={() => toggle(d.spec)}
        data-testid={`usb-choice-${d.spec}`} />
      <span className="rec-usb-label">{d.label}</span>
      <code className="dim">{d.spec}</code>
      {d.detail ? <span className="rec-usb-detail dim">{d.detail}</span> : null}
    </label>
  );

  return (
    <div className="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) closeRecordDialog(); }}>
      <form className="modal record-dialog" role="dialog" aria-label="Record" data-testid="record-dialog" onSubmit={submit}
        onKeyDown={(e) => { if (e.key === 'Escape') closeRecordDialog(); }}>
        <header className="modal-header">
          <h2>Record</h2>
          <button type="button" className="icon" aria-label="Close" onClick={closeRecordDialog}>×</button>
        </header>

        <fieldset>
          <legend>Guest</legend>
          <label className="guest-choice">
            <input type="radio" name="guest" checked={useDefault} onChange={() => setUseDefault(true)} data-testid="guest-default" />
            Bundled sample firmware <code className="dim">shell.elf</code> <span className="dim">(a UART shell with a USB host driver)</span>
          </label>
          <label className="guest-choice">
            <input type="radio" name="guest" checked={!useDefault} onChange={() => setUseDefault(false)} data-testid="guest-elf" />
            RISC-V ELF on the host:
            <input type="text" value={elf} placeholder="/path/to/firmware.elf" aria-label="ELF path" onFocus={() => setUseDefault(false)}
              onChange={(e) => setElf(e.target.value)} data-testid="guest-path" />
          </label>
        </fieldset>

        <fieldset>
          <legend>USB devices <span className="dim">({chosen.length} of {ports} ports)</span></legend>
          <div className="rec-usb-group">
            <div className="rec-usb-heading">Virtual</div>
            {devices ? devices.virtual.map(choice) : <span className="dim">asking the host…</span>}
          </div>
          <div className="rec-usb-group" data-testid="usb-host">
            <div className="rec-usb-heading">Real devices on the host</div>
            {devices === null ? <span className="dim">asking the host…</span>
              : devices.host.length ? devices.host.map(choice)
                : <div className="rec-usb-none" data-testid="usb-host-unavailable">None to offer: {devices.hostUnavailable ?? 'the host lists no USB devices'}</div>}
          </div>
          <div className="rec-usb-group">
            <div className="rec-usb-heading">Capture file or other device</div>
            <div className="rec-usb-other">
              <input type="text" value={other} placeholder="capture file (usbmon/USBPcap .pcap/.pcapng), or a spec: capture:FILE, virtual:msc:IMAGE, host:VID:PID"
                aria-label="Capture file or device spec" onChange={(e) => setOther(e.target.value)} data-testid="usb-other"
                onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addOther(); } }} />
              <button type="button" onClick={addOther} disabled={!other.trim() || full} data-testid="usb-other-add">Add</button>
            </div>
          </div>
          <ul className="rec-usb-ports" data-testid="usb-ports">
            {chosen.length === 0 ? <li className="dim">no devices: the controller's ports stay empty</li> : chosen.map((spec, i) => (
              <li key={spec}>
                port {i + 1}: <code>{spec}</code>
                <button type="button" className="icon" aria-label={`Remove ${spec}`} onClick={() => setChosen(chosen.filter((s) => s !== spec))}>×</button>
              </li>
            ))}
          </ul>
        </fieldset>

        {error ? <div className="record-error" role="alert" data-testid="record-error">{error}</div> : null}
        <footer className="modal-footer">
          <span className="dim record-hint">The console is live while recording: type into it. Stop opens the recording at its end.</span>
          <button type="button" onClick={closeRecordDialog}>Cancel</button>
          <button type="submit" className="primary" disabled={action === 'starting' || (!useDefault && !elf.trim())} data-testid="record-start">
            {action === 'starting' ? 'Starting…' : '● Record'}
          </button>
        </footer>
      </form>
    </div>
  );
}
