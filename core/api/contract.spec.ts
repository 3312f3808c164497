import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, NotFoundError } from '../errors';
import { API, API_CALL_NAMES, isApiCall } from './contract';
import { HANDLERS } from './handlers/index';
import { createLocalClient, createService } from './service';
import { validateInput } from './validate';

const dataDir = mkdtempSync(join(tmpdir(), 'fastpr-contract-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('API contract', () => {
  it('has exactly one handler per call', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual([...API_CALL_NAMES].sort());
    for (const name of API_CALL_NAMES) expect(typeof HANDLERS[name]).toBe('function');
  });

  it('recognises call names without inherited properties', () => {
    expect(isApiCall('system.info')).toBe(true);
    expect(isApiCall('toString')).toBe(false);
    expect(isApiCall('system.nope')).toBe(false);
  });

  it('accepts an omitted, null or empty input for no-argument calls', () => {
    expect(validateInput('system.health', undefined)).toEqual({});
    expect(validateInput('system.health', null)).toEqual({});
    expect(validateInput('system.info', {})).toEqual({});
  });

  it('rejects unknown fields naming the field', () => {
    let caught: unknown;
    try {
      validateInput('system.info', { verbose: true });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).message).toMatch(/system\.info/);
    expect((caught as InputError).message).toMatch(/verbose/);
  });

  it('rejects a payload of the wrong type', () => {
    expect(() => validateInput('system.health', 'hello')).toThrow(InputError);
    expect(() => validateInput('system.health', [1, 2])).toThrow(/system\.health/);
  });

  it('every call schema is a zod schema with safeParse', () => {
    for (const name of API_CALL_NAMES) expect(typeof API[name].input.safeParse).toBe('function');
  });
});

describe('service', () => {
  const service = createService({ dataDir });

  it('answers system.health through invoke and the local client', async () => {
    const health = await createLocalClient(service)['system.health']();
    expect(health).toMatchObject({ ok: true, dataDir, dataDirWritable: true });
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('throws NotFoundError for an unknown call and InputError for bad input', async () => {
    await expect(service.invoke('system.reboot', {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.invoke('system.health', { x: 1 })).rejects.toBeInstanceOf(InputError);
  });

  it('delivers progress events to every subscriber until disposed, despite a failing one', () => {
    const seen: string[] = [];
    const event = (jobId: string) => ({ jobId, kind: 'test', done: 1, total: 2, state: 'running' as const });
    const disposeBroken = service.onProgress(() => {
      throw new Error('closed socket');
    });
    const dispose = service.onProgress((e) => seen.push(e.jobId));
    const disposeClient = createLocalClient(service).onProgress((e) => seen.push(`client:${e.jobId}`));
    service.emitProgress(event('a'));
    dispose();
    service.emitProgress(event('b'));
    disposeClient();
    disposeBroken();
    service.emitProgress(event('c'));
    expect(seen).toEqual(['a', 'client:a', 'client:b']);
  });
});
