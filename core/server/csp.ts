/**
 * The renderer's Content-Security-Policy, one source for the loopback server's headers, the
 * Electron session headers and the <meta> tag injected into renderer/index.html at build time.
 * No inline scripts or styles, no remote anything: the app is offline and loads only its own files.
 */
const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** For <meta http-equiv>: frame-ancestors is ignored there, so it is header-only. */
export const RENDERER_CSP_META = DIRECTIVES.join('; ');

/** For HTTP response headers. */
export const RENDERER_CSP = [...DIRECTIVES, "frame-ancestors 'none'"].join('; ');
