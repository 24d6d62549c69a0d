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
import { StatusBar } from './features/status/StatusBar.js';
import { useStore } from './store/index.js';

export function App() {
  useEffect(() => {
    void useStore.getState().connect();
  }, []);
  return (
    <div className="app">
      <Toolbar />
      <TimelinePanel />
      <main className="panels">
        <div className="col col-left"><DisassemblyPanel /></div>
        <div className="col col-mid"><ConsolePanel /><MemoryPanel /></div>
        <div className="col col-right"><RegistersPanel /><WritesPanel /></div>
      </main>
      <StatusBar />
    </div>
  );
}
