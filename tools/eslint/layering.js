// ESLint rule `hindsight/layering`: enforces the folder dependency rules of DESIGN.md section 2.
// Each source file belongs to an area (the longest matching prefix below); an import is allowed only
// into the areas that area may see. Node built-ins and npm packages are allowed only where listed.
import path from 'node:path';

/** @typedef {{ may: string[], node?: boolean, packages?: string[] | '*', typeOnly?: string[] }} AreaRule */

/** Areas, most specific first. `may` lists folders (project-relative) this area may import from. */
/** @type {Array<[string, AreaRule]>} */
export const AREAS = [
  // The deterministic machine sees nothing but itself.
  ['app/engine/', { may: ['app/engine/'] }],
  ['app/protocol/', { may: ['app/protocol/'] }],
  // The CLI is a host (like main/): it composes the core with native-bridge (real USB devices).
  ['app/node/', { may: ['app/', 'native-bridge/'], node: true, packages: '*' }],
  ['app/session/', { may: ['app/'], except: ['app/node/'] }],
  // The rest of the portable core: anything in app/ except the Node adapters and the session composer.
  ['app/', { may: ['app/'], except: ['app/node/', 'app/session/'] }],
  // Electron's composition root: the Node host pieces, the session, the protocol and the bridge; never the
  // engine or the replay machinery directly (no debugger logic in main/).
  ['main/', { may: ['main/', 'app/node/', 'app/session/', 'app/protocol/', 'native-bridge/'], node: true, packages: '*' }],
  ['native-bridge/', { may: ['native-bridge/', 'app/'], except: ['app/node/', 'app/session/'], node: true, packages: '*' }],
  // The renderer reaches the core only through renderer/bridge, and sees only the protocol's types
  // (and the types of the Electron preload's bridge, for its IPC implementation).
  ['renderer/', { may: ['renderer/'], typeOnly: ['app/protocol/', 'native-bridge/ipc/contract'], packages: '*' }],
];

const NODE_BUILTINS = new Set([
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls',
  'tty', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
]);

function areaOf(rel) {
  for (const [prefix, rule] of AREAS) if (rel.startsWith(prefix)) return [prefix, rule];
  return null;
}

/** The folder an import lands in, two levels deep (e.g. app/replay/), for messages. */
function folderOf(target) {
  const parts = target.split('/');
  return parts.length > 2 ? `${parts.slice(0, 2).join('/')}/` : target;
}

function isTestFile(rel) {
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(rel) || rel.startsWith('e2e/');
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the folder dependency rules of DESIGN.md section 2' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      folder: '{{from}} may not import from {{to}} ({{why}}).',
      node: '{{from}} may not use the Node built-in "{{name}}": this area must run anywhere JavaScript runs.',
      pkg: '{{from}} may not import the package "{{name}}".',
      typeOnly: '{{from}} may import only types from {{to}} (use `import type`).',
      feature: 'Panels never import each other: {{from}} imports {{to}}; share through the store instead.',
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    if (isTestFile(file)) return {};
    const found = areaOf(file);
    if (!found) return {};
    const [area, rule] = found;

    function check(node, source, isTypeOnly) {
      if (typeof source !== 'string') return;
      if (source.startsWith('.') || source.startsWith('/')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), source));
        const allowed =
          rule.may.some((p) => target.startsWith(p)) && !(rule.except ?? []).some((p) => target.startsWith(p));
        const typeAllowed = isTypeOnly && (rule.typeOnly ?? []).some((p) => target.startsWith(p));
        if (!allowed && !typeAllowed) {
          if ((rule.typeOnly ?? []).some((p) => target.startsWith(p))) {
            context.report({ node, messageId: 'typeOnly', data: { from: area, to: folderOf(target) } });
          } else {
            context.report({ node, messageId: 'folder', data: { from: area, to: folderOf(target), why: `${area} may see ${rule.may.join(', ')}${rule.except ? ` except ${rule.except.join(', ')}` : ''}` } });
          }
          return;
        }
        const fromFeature = /^renderer\/features\/([^/]+)\//.exec(file);
        const toFeature = /^renderer\/features\/([^/]+)\//.exec(target);
        if (fromFeature && toFeature && fromFeature[1] !== toFeature[1]) {
          context.report({ node, messageId: 'feature', data: { from: `features/${fromFeature[1]}`, to: `features/${toFeature[1]}` } });
        }
        return;
      }
      const bare = source.startsWith('node:') ? source.slice(5) : source;
      if (source.startsWith('node:') || NODE_BUILTINS.has(bare)) {
        if (!rule.node) context.report({ node, messageId: 'node', data: { from: area, name: source } });
        return;
      }
      const pkgs = rule.packages;
      const name = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
      if (pkgs !== '*' && !(pkgs ?? []).includes(name)) {
        context.report({ node, messageId: 'pkg', data: { from: area, name } });
      }
    }

    return {
      ImportDeclaration(node) { check(node, node.source.value, node.importKind === 'type'); },
      ExportNamedDeclaration(node) { if (node.source) check(node, node.source.value, node.exportKind === 'type'); },
      ExportAllDeclaration(node) { check(node, node.source.value, node.exportKind === 'type'); },
      ImportExpression(node) { if (node.source.type === 'Literal') check(node, node.source.value, false); },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, node.arguments[0].value, false);
        }
      },
    };
  },
};
