import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeProviders, ortBindingDirectory, providerLibraryName } from './ortProviders';

const dir = mkdtempSync(join(tmpdir(), 'fastpr-ort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('onnxruntime provider availability', () => {
  it('finds the real binding folder of the installed package', () => {
    const bindingDir = ortBindingDirectory();
    expect(bindingDir).toBeDefined();
    expect(existsSync(join(bindingDir!, 'onnxruntime_binding.node'))).toBe(true);
  });

  it('reports bundled providers available and add-ons only when their library exists', () => {
    const listed = [{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }, { name: 'tensorrt', bundled: false }];
    const missing = describeProviders(listed, dir);
    expect(missing.map((p) => [p.name, p.available])).toEqual([['cpu', true], ['cuda', false], ['tensorrt', false]]);
    expect(missing[1]?.detail).toMatch(/not installed/);
    writeFileSync(join(dir, providerLibraryName('cuda')), '');
    const present = describeProviders(listed, dir);
    expect(present.map((p) => [p.name, p.available])).toEqual([['cpu', true], ['cuda', true], ['tensorrt', false]]);
  });

  it('names provider libraries per platform', () => {
    expect(providerLibraryName('cuda', 'linux')).toBe('libonnxruntime_providers_cuda.so');
    expect(providerLibraryName('cuda', 'win32')).toBe('onnxruntime_providers_cuda.dll');
  });
});
