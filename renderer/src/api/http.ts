/**
 * The browser transport of the client: POST /api/<call> with the run's token, progress over
 * server-sent events. Only client.ts uses this file.
 */
import type { ApiClient, ApiEnvelope, ProgressEvent, ProgressListener } from '../../../core/api/contract';
import { rebuildError } from '../../../core/errors';

const TOKEN_KEY = 'fastpr.token';

/**
 * The token arrives in the URL fragment (never sent over HTTP, never in server logs); keep it for
 * this tab in sessionStorage and remove it from the address bar.
 */
export function takeToken(): string | undefined {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

async function post(token: string | undefined, name: string, input: unknown): Promise<unknown> {
  if (!token) throw new Error('No API token: open the URL printed by `npm start` (it ends with #token=…)');
  const res = await fetch(`api/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(input ?? {}),
  });
  let envelope: ApiEnvelope<unknown>;
  try {
    envelope = (await res.json()) as ApiEnvelope<unknown>;
  } catch {
    throw new Error(`${name}: the server answered HTTP ${res.status} without a JSON body`);
  }
  if ('error' in envelope) throw rebuildError(envelope.error);
  return envelope.result;
}

export function createHttpClient(token: string | undefined): ApiClient {
  const listeners = new Set<ProgressListener>();
  let source: EventSource | undefined;
  const onProgress = (listener: ProgressListener) => {
    listeners.add(listener);
    if (!source && token) {
      source = new EventSource(`api/events?token=${encodeURIComponent(token)}`);
      source.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as ProgressEvent;
        for (const l of [...listeners]) l(event);
      };
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) {
        source?.close();
        source = undefined;
      }
    };
  };
  // Contract types only reach the renderer, not the list of calls: any call name becomes a POST.
  return new Proxy({ onProgress } as unknown as ApiClient, {
    get(target, prop) {
      if (prop === 'onProgress') return target.onProgress;
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      return (input?: unknown) => post(token, prop, input);
    },
  });
}
