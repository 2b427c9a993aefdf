import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'.data/',
			'src/lib/paraglide/',
			'src/lib/server/db/types.generated.ts',
			'src/lib/server/db/portal-types.generated.ts',
			'test-results/',
			'playwright-report/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			// 全角スペース is part of Japanese names and addresses.
			'no-irregular-whitespace': [
				'error',
				{ skipStrings: true, skipTemplates: true, skipRegExps: true }
			],
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
			],
			// Server code must never be imported from components (STYLE.md); SvelteKit enforces
			// $lib/server itself, this keeps relative imports honest too.
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['**/server/**'], message: 'import server code only from server modules' }
					]
				}
			]
		}
	},
	{
		files: [
			'src/app.d.ts',
			'src/lib/server/**',
			'src/routes/**/+*.server.ts',
			'src/routes/**/+server.ts',
			'src/hooks.server.ts',
			'scripts/**',
			'tests/**',
			'migrations/**'
		],
		rules: { 'no-restricted-imports': 'off' }
	},
	{
		// A malformed multipart body makes request.formData() throw, which SvelteKit answers 500;
		// formOf answers 400 (found by npm run fuzz).
		files: ['src/**/*.ts'],
		ignores: ['src/lib/server/http/form.ts'],
		rules: {
			'no-restricted-syntax': [
				'error',
				{
					selector: "CallExpression[callee.property.name='formData']",
					message: 'read forms with formOf (src/lib/server/http/form.ts)'
				}
			]
		}
	},
	{
		// Routes are the controllers (STYLE.md, issue 26): they call domain functions, which take
		// the database and the caller (asStaff/asResident from http/caller.ts), check, query and
		// audit. A route neither writes SQL nor audits by hand, so none can forget the audit.
		files: ['src/routes/**/*.ts'],
		// The two operational endpoints that read no personal data (liveness, the public keys).
		ignores: ['src/routes/healthz/+server.ts', 'src/routes/.well-known/jwks.json/+server.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: [
						{
							name: '$lib/server/db',
							message: 'routes call domain functions (asStaff/asResident)'
						},
						{ name: '$lib/server/audit/record', message: 'domain functions audit themselves' }
					]
				}
			],
			'no-restricted-syntax': [
				'error',
				{
					selector: "CallExpression[callee.property.name='formData']",
					message: 'read forms with formOf (src/lib/server/http/form.ts)'
				},
				{
					selector:
						'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom)$/]',
					message: 'queries belong in domain functions'
				}
			]
		}
	},
	{
		// SvelteKit (RequestEvent, fail, redirect, error) belongs to the routes and to http/, which
		// turns domain refusals into answers; domain code is plain TypeScript a script can call.
		files: ['src/lib/server/**/*.ts'],
		ignores: ['src/lib/server/http/**', '**/*.test.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: [
						{
							name: '@sveltejs/kit',
							message: 'domain code throws a DomainError; http/answer.ts maps it'
						}
					]
				}
			]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	}
);
