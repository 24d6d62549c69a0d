// Public API of app/debuginfo: symbols and DWARF of an ELF32 RISC-V image (see README.md).

export { loadDebugInfo, DebugInfo } from './debug-info.js';
export type { EvalFrame, UnwindRequest } from './debug-info.js';
export type { DebugWarning } from './warnings.js';
export { formatWarning } from './warnings.js';
export type { ElfSymbolEntry, SymbolHit, SymbolKind, SymbolBinding, SymbolTable } from './elf/symbols.js';
export type { LineInfo } from './dwarf/line-table.js';
export type { LineProgram, LineRow, LineFile } from './dwarf/line-program.js';
export type { AddrRange, LocList, LocListEntry } from './dwarf/ranges.js';
export type { FunctionInfo, InlinedCall, SourcePosition } from './model/functions.js';
export type { GlobalVariable, LocationDescription, Scope, VariableInfo } from './model/variables.js';
export type { LocationResult, SimpleLocation, Piece } from './dwarf/expression.js';
export type { Type, Member, Enumerator, BaseEncoding } from './model/types.js';
export { resolveType, typeSize } from './model/types.js';
export type { ValueNode, FormatOptions, ElementWindow } from './model/format-value.js';
export type { Frame, FrameFunction } from './unwind/frames.js';
export type { PhysicalFrame, ReadMemory } from './unwind/unwinder.js';
export type { CfiRow, CfaRule, RegRule, Fde, Cie } from './dwarf/cfi.js';
export { describeExpression } from './dwarf/expression-text.js';
export { regName } from './dwarf/constants.js';
