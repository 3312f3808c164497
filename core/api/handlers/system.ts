/** Handlers of the system.* calls. */
import { describeHealth } from '../../system/health';
import { describeSystem } from '../../system/info';
import type { Handlers } from './types';

export const systemHandlers: Pick<Handlers, 'system.info' | 'system.health'> = {
  'system.info': async (_input, ctx) => describeSystem(ctx.dataDir),
  'system.health': async (_input, ctx) => describeHealth(ctx.dataDir, ctx.startedAt),
};
