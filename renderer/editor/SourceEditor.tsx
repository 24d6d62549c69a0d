// A read-only Monaco editor for one source file at a time: the pc's line highlighted (and a
// selected frame's line), breakpoint dots in the gutter (click toggles), hover on a variable,
// and "Previous write" / "Next write" on the variable under the mouse: on a click (the caller
// shows its own popup) and in the context menu. Knows nothing of the store: all through props.

import { useEffect, useRef } from 'react';
import { monaco } from './monaco.js';
import { lvalueAt } from './lvalue-at.js';

export interface SourceEditorProps {
  /** Identifies the file (the model is reused while it stays the same). */
  readonly path: string;
  readonly text: string;
  /** The pc's line (frame 0), or null when the pc is elsewhere. */
  readonly pcLine: number | null;
  /** Another line to mark (a selected outer frame, a write's request), or null. */
  readonly markLine: number | null;
  /** The line to scroll to. */
  readonly revealLine: number | null;
  readonly breakpointLines: readonly number[];
  readonly codeLines: readonly number[];
  onGutterClick(line: number): void;
  /** Markdown lines for a hover on `expr`, or null for none. */
  hover(expr: string): Promise<string[] | null>;
  /** A click on a variable (`x`, `y`: where, in the viewport), or a context-menu write search. */
  onVariable(expr: string, action: 'click' | 'previous' | 'next', x: number, y: number): void;
}

export function SourceEditor(props: SourceEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const decorations = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const ed = monaco.editor.create(host.current!, {
      readOnly: true, domReadOnly: true, theme: 'hindsight-dark', automaticLayout: true, minimap: { enabled: false },
      glyphMargin: true, lineNumbersMinChars: 4, scrollBeyondLastLine: false, fontSize: 12, renderLineHighlight: 'none',
      contextmenu: true, hover: { delay: 250 }, stickyScroll: { enabled: false }, folding: true,
    });
    editor.current = ed;
    decorations.current = ed.createDecorationsCollection();
    const wordAt = (pos: monaco.IPosition | null): string | null => {
      const model = ed.getModel();
      if (!pos || !model) return null;
      return lvalueAt(model.getLineContent(pos.lineNumber), pos.column)?.expr ?? null;
    };
    const hover = monaco.languages.registerHoverProvider('c', {
      async provideHover(model, position) {
        if (model !== ed.getModel()) return null;
        const hit = lvalueAt(model.getLineContent(position.lineNumber), position.column);
        if (!hit) return null;
        const lines = await latest.current.hover(hit.expr);
        if (!lines) return null;
        return {
          range: new monaco.Range(position.lineNumber, hit.startColumn, position.lineNumber, hit.endColumn),
          contents: lines.map((value) => ({ value })),
        };
      },
    });
    const mouse = ed.onMouseDown((e) => {
      const t = e.target;
      if (t.type === monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN || t.type === monaco.editor.MouseTargetType.GUTTER_LINE_NUMBERS) {
        if (t.position) latest.current.onGutterClick(t.position.lineNumber);
        return;
      }
      if (t.type !== monaco.editor.MouseTargetType.CONTENT_TEXT || !e.event.leftButton) return;
      const expr = wordAt(t.position);
      if (expr) latest.current.onVariable(expr, 'click', e.event.posx, e.event.posy);
    });
    const actions = (['previous', 'next'] as const).map((dir, i) => ed.addAction({
      id: `hindsight.${dir}Write`,
      label: dir === 'previous' ? 'Previous write' : 'Next write',
      contextMenuGroupId: 'navigation',
      contextMenuOrder: i,
      run: (e) => {
        const expr = wordAt(e.getPosition());
        if (expr) latest.current.onVariable(expr, dir, 0, 0);
      },
    }));
    return () => {
      hover.dispose();
      mouse.dispose();
      actions.forEach((a) => a.dispose());
      ed.getModel()?.dispose();
      ed.dispose();
      editor.current = null;
    };
  }, []);

  // The file: one model per path (a new file replaces it).
  useEffect(() => {
    const ed = editor.current!;
    const old = ed.getModel();
    if (old && old.getValue() === props.text && old.uri.path === `/${props.path}`) return;
    const model = monaco.editor.createModel(props.text, 'c', monaco.Uri.from({ scheme: 'source', path: `/${props.path}` }));
    ed.setModel(model);
    old?.dispose();
  }, [props.path, props.text]);

  // Decorations: the pc line, the marked line, breakpoints and lines with code.
  useEffect(() => {
    const code = new Set(props.codeLines);
    const list: monaco.editor.IModelDeltaDecoration[] = [];
    const range = (line: number) => new monaco.Range(line, 1, line, 1);
    for (const line of props.breakpointLines) {
      list.push({ range: range(line), options: { glyphMarginClassName: 'src-bp', glyphMarginHoverMessage: { value: 'Breakpoint (click to remove)' } } });
    }
    if (props.markLine !== null && props.markLine !== props.pcLine) {
      list.push({ range: range(props.markLine), options: { isWholeLine: true, className: 'src-mark-line', linesDecorationsClassName: 'src-mark-glyph' } });
    }
    if (props.pcLine !== null) {
      list.push({ range: range(props.pcLine), options: { isWholeLine: true, className: 'src-pc-line', linesDecorationsClassName: 'src-pc-glyph' } });
    }
    for (const line of code) {
      if (!props.breakpointLines.includes(line)) list.push({ range: range(line), options: { glyphMarginClassName: 'src-code' } });
    }
    decorations.current?.set(list);
  }, [props.path, props.text, props.pcLine, props.markLine, props.breakpointLines, props.codeLines]);

  useEffect(() => {
    if (props.revealLine !== null) editor.current?.revealLineInCenterIfOutsideViewport(props.revealLine);
  }, [props.path, props.text, props.revealLine]);

  return <div ref={host} className="source-editor" data-testid="source-editor" />;
}
