import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors';
import { dialogOptionsFor, dialogResultFor, validateDesktopInput } from './dialogOptions';

describe('desktop calls: input validation (contract zod schemas)', () => {
  it('dialog.openVideos takes nothing', () => {
    expect(validateDesktopInput('dialog.openVideos', undefined)).toEqual({});
    expect(validateDesktopInput('dialog.openVideos', null)).toEqual({});
    expect(() => validateDesktopInput('dialog.openVideos', { defaultPath: '/etc' })).toThrow(/dialog\.openVideos: defaultPath: unknown field/);
  });

  it('dialog.openFolder needs a known purpose', () => {
    expect(validateDesktopInput('dialog.openFolder', { purpose: 'dataset' })).toEqual({ purpose: 'dataset' });
    expect(() => validateDesktopInput('dialog.openFolder', {})).toThrow(InputError);
    expect(() => validateDesktopInput('dialog.openFolder', { purpose: 'home' })).toThrow(/purpose/);
    expect(() => validateDesktopInput('dialog.openFolder', 'dataset')).toThrow(InputError);
  });
});

describe('desktop calls: dialog options and answers', () => {
  it('video dialog: multi-select files with video filters first, all files as fallback', () => {
    const o = dialogOptionsFor('dialog.openVideos', {});
    expect(o.properties).toEqual(expect.arrayContaining(['openFile', 'multiSelections']));
    expect(o.properties).not.toContain('openDirectory');
    expect(o.filters?.[0]?.name).toBe('Videos');
    expect(o.filters?.[0]?.extensions).toEqual(expect.arrayContaining(['mp4', 'MP4', 'mkv', 'avi', 'mov']));
    expect(o.filters?.at(-1)?.extensions).toEqual(['*']);
  });

  it('folder dialog: a single directory, titled for its purpose', () => {
    const o = dialogOptionsFor('dialog.openFolder', { purpose: 'dataset' });
    expect(o.properties).toContain('openDirectory');
    expect(o.properties).not.toContain('multiSelections');
    expect(o.title).toMatch(/dataset/);
    expect(dialogOptionsFor('dialog.openFolder', { purpose: 'model' }).title).toMatch(/model/);
  });

  it('answers: cancelled → nothing picked', () => {
    expect(dialogResultFor('dialog.openVideos', { canceled: true, filePaths: ['/a.mp4'] })).toEqual({ paths: [] });
    expect(dialogResultFor('dialog.openVideos', { canceled: false, filePaths: ['/a.mp4', '/b.mkv'] })).toEqual({ paths: ['/a.mp4', '/b.mkv'] });
    expect(dialogResultFor('dialog.openFolder', { canceled: true, filePaths: [] })).toEqual({ path: null });
    expect(dialogResultFor('dialog.openFolder', { canceled: false, filePaths: ['/data/ds'] })).toEqual({ path: '/data/ds' });
  });
});
