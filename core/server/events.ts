/** GET /api/events: the progress stream as server-sent events, one `data:` line per ProgressEvent. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Service } from '../api/service';

const HEARTBEAT_MS = 15_000;

export function handleEvents(req: IncomingMessage, res: ServerResponse, service: Service, connections: Set<ServerResponse>): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  res.write(': fastpr progress stream\n\n');
  connections.add(res);
  const dispose = service.onProgress((event) => {
    res.write(`data: ${JSON.stringify(event)}\n\n`);
  });
  // Comments keep proxies and the browser from declaring the stream dead while no job runs.
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    clearInterval(heartbeat);
    dispose();
    connections.delete(res);
  };
  req.on('close', close);
  res.on('close', close);
}
