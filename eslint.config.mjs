// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'cdktf.out/', 'coverage/', '**/*.d.ts', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [
          { name: '@cdktf/provider-azurerm', message: 'Import the resource by deep path (@cdktf/provider-azurerm/lib/<resource>): the package root costs seconds per process.' },
          { name: '@cdktf/provider-google', message: 'Import the resource by deep path (@cdktf/provider-google/lib/<resource>).' },
          { name: '@cdktf/provider-vault', message: 'Import the resource by deep path (@cdktf/provider-vault/lib/<resource>).' },
        ],
      }],
    },
  },
  {
    // lib/core is the cloud-neutral plan: it imports no cloud library.
    files: ['lib/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdktf', '@cdktf/*'], message: 'lib/core imports no cloud library.' }] }],
    },
  },
  {
    // cdktf stays inside lib/azure, lib/gcp (and the Terraform examples), so a later move to a fork is small.
    files: ['lib/aws/**/*.ts', 'lib/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['cdktf', '@cdktf/*'], message: 'cdktf belongs in lib/azure and lib/gcp only.' }] }],
    },
  },
);
