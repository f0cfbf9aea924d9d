// Type-checked lint for every TypeScript file, and module boundaries that really constrain:
// a service depends only on libs, a lib never on a service, no service imports another, no
// import reaches into another package's src/, no import cycle, and production code never
// stands on the test kit.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/** Imports no file may make: another service's package, or a package's insides. */
const boundaries = [
  {
    group: ['@fluxnote/*-service', '@fluxnote/*-service/**'],
    message: 'Services talk over gRPC and events, never by importing each other.',
  },
  {
    group: ['@fluxnote/*/src', '@fluxnote/*/src/**'],
    message: 'Import a lib by its name: what it exports from src/index.ts is its surface.',
  },
];

/** Test code: specs, the test folders, and the test doubles a service keeps in src/testing. */
const testFiles = [
  '**/*.spec.ts',
  '**/*.int-spec.ts',
  '**/*.e2e-spec.ts',
  '**/test/**/*.ts',
  '**/testing/**/*.ts',
  'libs/testing/**',
];

/**
 * A service's SQL is read and written in its repository files (`*.repository.ts`) and its
 * migrations; the services around them decide. The files listed here may run a statement of
 * their own: job-worker.ts listens for work on a connection of its own (LISTEN reads and writes
 * no rows). The list only shrinks (test/repo/sql-in-repositories.spec.ts).
 */
const sqlNotYetInRepositories = ['services/generation/src/workers/job-worker.ts'];

/** What running SQL looks like from a service: a query, an entity repository, a manager write. */
const sqlStatements = [
  {
    selector: 'CallExpression[callee.property.name=/^(query|getRepository)$/]',
    message: "SQL goes in the feature's *.repository.ts, which only reads and writes.",
  },
  {
    selector:
      "CallExpression[callee.object.name='manager'][callee.property.name=/^(insert|update|save|delete|upsert|find|findOne|findOneBy|findBy|count)$/]",
    message: "SQL goes in the feature's *.repository.ts, which only reads and writes.",
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'var/**',
      'tmp/**',
      'libs/contracts/src/generated/**',
      'libs/client/src/generated/**',
      'tools/kafka-mock/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx, 'import-x': importX },
    settings: {
      // what import-x needs to follow TypeScript imports (its own `typescript` preset says so)
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', { patterns: boundaries }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // Production code: what ships in an image, the launcher `npm start` runs, the tools.
    files: ['services/**/*.ts', 'libs/**/*.ts', 'tools/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...boundaries,
            {
              group: ['@fluxnote/testing', '@fluxnote/testing/**'],
              message: 'The test kit is for tests; production code stands on the libs it wraps.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*/src/**/*.ts'],
    ignores: [...testFiles, '**/*.repository.ts', '**/migrations/**', ...sqlNotYetInRepositories],
    rules: { 'no-restricted-syntax': ['error', ...sqlStatements] },
  },
  {
    // test/ is an Nx project only for its test targets (`nx affected`): it drives the whole
    // platform from outside, through the launcher in tools/, which no project owns.
    files: ['test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // A file a newcomer reads in one sitting, tests too; the generated ones are ignored above.
    files: ['**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Test bodies come from HTTP responses and JSON: `any` is their nature, not a bug.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  prettier,
);
