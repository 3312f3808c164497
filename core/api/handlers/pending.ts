/** Calls whose handlers are being written: they answer with a clear error until then. */
import { FastprError } from '../../errors';
import type { ApiCallName } from '../contract';

export function notYet(name: ApiCallName) {
  return async (): Promise<never> => {
    throw new FastprError(`${name} is not implemented yet in this build`);
  };
}
