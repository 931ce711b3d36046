// The daily checkpoint: seal the audit log, pin every credit chain, append the signed line to the
// checkpoint log under the state directory and log the witness line.
import type { Job } from '../../../platform/jobs.js';
import { writeCheckpoint } from './checkpoint.js';

export const integrityJobs: Job[] = [
  {
    name: 'audit.checkpoint',
    every: 'day',
    run: async (ctx) => {
      const { witness } = await writeCheckpoint(ctx);
      ctx.log.info({ witness }, witness);
      return witness;
    },
  },
];
