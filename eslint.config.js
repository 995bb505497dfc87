// Lint: typescript-eslint's recommended rules plus the layer rule of DESIGN.md section 2:
// src/core, src/shared and src/server run under plain Node and never import electron.
import tseslint from 'typescript-eslint';

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'electron', message: 'core, shared and server must run under plain Node: no electron.' }],
      patterns: [{ group: ['electron/*'], message: 'core, shared and server must run under plain Node: no electron.' }],
    },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/core/**', 'src/shared/**', 'src/server/**'], rules: noElectron },
  {
    files: ['src/shared/**'],
    rules: {
      ...noElectron,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'shared is isomorphic: no electron.' }],
          patterns: [{ group: ['node:*', 'electron/*'], message: 'shared is isomorphic: no node:* modules.' }],
        },
      ],
    },
  },
);
