// The debugger window: toolbar and timeline on top, then disassembly | console and memory |
// registers and writes, and a status bar.

import { useEffect } from 'react';
import { Toolbar } from './features/toolbar/Toolbar.js';
import { TimelinePanel } from './features/timeline/TimelinePanel.js';
import { RegistersPanel } from './features/registers/RegistersPanel.js';
import { DisassemblyPanel } from './features/disassembly/DisassemblyPanel.js';
import { MemoryPanel } from './features/memory/MemoryPanel.js';
import { ConsolePanel } from './features/console/ConsolePanel.js';
import { WritesPanel } from './features/writes/WritesPanel.js';
import { UsbPanel } from './features/usb/UsbPanel.js';
import { SourcePanel } from './features/source/SourcePanel.js';
import { VariablesPanel } from './features/variables/VariablesPanel.js';
import { CallStackPanel } from './features/callstack/CallStackPanel.js';
import { Panel } from './components/Panel.js';
import { StatusBar } from './features/status/StatusBar.js';
import { FileMenu } from './features/files/FileMenu.js';
import { FileDialog } from './features/files/FileDialog.js';
import { ReplaceWarning } from './features/files/ReplaceWarning.js';
import { ErrorBanner } from './features/errors/ErrorBanner.js';
import { GdbButton } from './features/gdb/GdbPanel.js';
import { RecordControls } from './features/recording/RecordControls.js';
import { ReplayControls } from './features/recording/ReplayControls.js';
import { RecordDialog } from './features/recording/RecordDialog.js';
import { useStore } from './store/index.js';

export function App() {
  useEffect(() => {
    void useStore.getState().connect();
  }, []);
  return (
    <div className="app">
      <Toolbar start={<><FileMenu /><RecordControls /><ReplayControls /></>} end={<GdbButton />} />
      <TimelinePanel />
      <main className="panels">
        {/* Each column lists its panels top to bottom; a new panel is one more element in a column. */}
        <div className="col col-left">
          <Panel title="Source" testId="source" className="panel-source"><SourcePanel /></Panel>
          <DisassemblyPanel />
        </div>
        <div className="col col-mid"><ConsolePanel /><UsbPanel /><MemoryPanel /></div>
        <div className="col col-right"><CallStackPanel /><VariablesPanel /><RegistersPanel /><WritesPanel /></div>
      </main>
      <StatusBar />
      {/* Overlays: the error banner, and the file dialogs (fixed position; no place in the grid). */}
      <ErrorBanner />
      <FileDialog />
      <ReplaceWarning />
      <RecordDialog />
    </div>
  );
}
