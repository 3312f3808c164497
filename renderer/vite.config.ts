/** Builds the renderer into renderer/dist, relative paths so both transports (http and app://) load it. */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { RENDERER_CSP_META } from '../core/server/csp';

/** One CSP source: the same policy the loopback server and Electron send as a header. */
function cspMeta(): Plugin {
  return {
    name: 'fastpr-csp-meta',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: RENDERER_CSP_META }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [svelte({ compilerOptions: { runes: true } }), cspMeta()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts: the CSP forbids them, so never inline the module-preload polyfill either.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  clearScreen: false,
  logLevel: 'warn',
});
