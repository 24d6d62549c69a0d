import tseslint from 'typescript-eslint';
import layering from './tools/eslint/layering.js';

const root = import.meta.dirname;

// What would make the engine nondeterministic: host time, host randomness, host scheduling.
const engineForbiddenGlobals = ['Date', 'performance', 'setTimeout', 'setInterval', 'setImmediate',
  'clearTimeout', 'clearInterval', 'queueMicrotask', 'process', 'crypto', 'require', 'window', 'document',
  'navigator', 'fetch', 'Buffer', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry']
  .map((name) => ({ name, message: 'app/engine must be deterministic: guest time is the instruction count, and the engine sees no host.' }));

export default [
  { ignores: ['node_modules/**', 'dist/**', 'e2e/artifacts/**', 'assets/**', 'bench-results/**', 'tools/eslint/fixtures/**'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { hindsight: { rules: { layering } } },
    rules: { 'hindsight/layering': ['error', { root }] },
  },
  {
    // The React UI.
    files: ['renderer/**/*.tsx'],
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
  },
  {
    files: ['app/engine/**/*.ts'],
    ignores: ['app/engine/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...engineForbiddenGlobals],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'app/engine must be deterministic: no host randomness.' },
        { object: 'globalThis', message: 'app/engine sees no host globals.' }],
    },
  },
];
