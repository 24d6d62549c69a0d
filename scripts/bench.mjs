// `npm run bench`: runs the bundled benchmark (built by `npm run build`).
await import('../dist/bench.mjs');
