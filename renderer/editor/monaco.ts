// Monaco, bundled by Vite from npm (no CDN, no loader script): the editor core, the contributions
// a read-only source view uses (hover, context menu, find, folding, word highlight), and the C
// language only. The editor worker is a separate bundled file (`?worker`), so the page needs no
// 'unsafe-eval' and no blob: workers: CSP `worker-src 'self'` (see renderer/README.md).

import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import 'monaco-editor/esm/vs/editor/browser/coreCommands.js';
import 'monaco-editor/esm/vs/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/esm/vs/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/esm/vs/editor/contrib/find/browser/findController.js';
import 'monaco-editor/esm/vs/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/esm/vs/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import 'monaco-editor/esm/vs/basic-languages/cpp/cpp.contribution.js';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';

// Monaco asks for its worker through this global (its documented hook for bundlers).
(globalThis as { MonacoEnvironment?: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

monaco.editor.defineTheme('hindsight-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#0b0f14', 'editorGutter.background': '#0b0f14', 'editor.lineHighlightBackground': '#161b22' },
});

export { monaco };
