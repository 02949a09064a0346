// Lint exists for one job: keep the package boundaries of CONVENTIONS.md.
// `sim` and `aggregator` are pure (no node:*, gRPC, Piscina, SQLite); the
// dependency direction between our packages is enforced by Nx tags.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2',
  'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls', 'url', 'util', 'v8', 'vm',
  'worker_threads', 'zlib',
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'packages/protocol/src/generated/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:pure',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: ['node:*', '@grpc/*', 'piscina', 'better-sqlite3', 'pino', 'protobufjs', 'vega', 'vega-lite', ...nodeBuiltins],
            },
            { sourceTag: 'scope:protocol', onlyDependOnLibsWithTags: ['scope:sim'] },
            { sourceTag: 'scope:coordinator', onlyDependOnLibsWithTags: ['scope:protocol', 'scope:sim'] },
            { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:protocol', 'scope:sim'] },
            { sourceTag: 'scope:report', onlyDependOnLibsWithTags: ['scope:aggregator', 'scope:sim'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    // Belt and braces for purity: ESLint's own rule catches `node:` imports whatever Nx resolves.
    files: ['packages/sim/src/**/*.ts', 'packages/aggregator/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', ...nodeBuiltins], message: 'sim and aggregator are pure: no Node built-ins (CONVENTIONS.md).' },
            { group: ['@grpc/*', 'piscina', 'better-sqlite3', 'pino', 'protobufjs'], message: 'sim and aggregator are pure: no gRPC, Piscina or I/O libraries.' },
            { group: ['@sdpo/*'], message: 'sim and aggregator import nothing of ours.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'pure package' }, { name: 'Buffer', message: 'pure package' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'use the seeded PRNG module' }],
    },
  },
];
