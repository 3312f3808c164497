import { describe, expect, it } from 'vitest';
import { InputError, rebuildError } from '../errors';
import { fromBridgeMessage, toBridgeMessage } from './bridgeErrors';

describe('errors across the contextBridge', () => {
  it('round-trips the class name and a multi-line message', () => {
    const encoded = toBridgeMessage({ name: 'InputError', message: 'Invalid input for system.info: verbose: Unrecognized key\nsecond line' });
    const decoded = fromBridgeMessage(encoded);
    expect(decoded).toEqual({ name: 'InputError', message: 'Invalid input for system.info: verbose: Unrecognized key\nsecond line' });
    const rebuilt = rebuildError(decoded!);
    expect(rebuilt).toBeInstanceOf(InputError);
    expect(rebuilt.message).toBe('Invalid input for system.info: verbose: Unrecognized key\nsecond line');
  });

  it('leaves foreign messages alone', () => {
    expect(fromBridgeMessage('Error invoking remote method')).toBeUndefined();
    expect(fromBridgeMessage('[fastpr:] nameless')).toBeUndefined();
  });
});
