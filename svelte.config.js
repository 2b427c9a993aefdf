import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build', precompress: true }),
		// No inline script runs without a per-response nonce (or a hash for prerendered pages);
		// no third-party origin is ever allowed on pages that may show personal data.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				// The one style attribute SvelteKit writes itself, on its route announcer, allowed by
				// its hash alone ('unsafe-hashes' covers nothing else): without it every page logged a
				// CSP refusal (issue 24, low). tests/e2e/landing.test.ts fails if SvelteKit changes it.
				'style-src': [
					'self',
					'unsafe-hashes',
					'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo='
				],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none'],
				'base-uri': ['none'],
				'object-src': ['none']
			}
		},
		csrf: { trustedOrigins: [] }
	}
};

export default config;
