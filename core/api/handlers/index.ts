/** All call handlers. A new contract call adds its handler group here. */
import { systemHandlers } from './system';
import type { Handlers } from './types';

export const HANDLERS: Handlers = {
  ...systemHandlers,
};
