// `npx zhihui users add`: creates an account from the command line (audited as actor 'cli').
import { AppError } from '../core/errors.js';
import { createUser, type PresentedUser } from '../platform/auth/users.js';
import type { AppContext } from '../platform/context.js';
import { systemActor } from '../platform/context.js';

export type UsersAddOptions = {
  username: string;
  password: string;
  role: string;
  displayName?: string;
  /** townOfficer: a town code (9 digits) or the town's exact name, e.g. 长安镇. */
  town?: string;
  /** enterprise, lab, maintenanceUnit: the enterprise's USCC. */
  enterprise?: string;
};

async function resolveTown(ctx: AppContext, raw: string | undefined): Promise<string | null> {
  const v = raw?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return v; // a code: createUser checks that it exists
  const town = await ctx.db.selectFrom('towns').select('code').where('name', '=', v).executeTakeFirst();
  if (!town) {
    throw new AppError('UNKNOWN_TOWN', {
      fields: [
        {
          field: 'town',
          code: 'UNKNOWN_TOWN',
          message: { zh: `未知的镇街“${v}”`, en: `Unknown town "${v}"` },
        },
      ],
    });
  }
  return town.code;
}

export async function usersAdd(ctx: AppContext, opts: UsersAddOptions): Promise<PresentedUser> {
  return createUser({
    ctx,
    actor: systemActor('cli'),
    input: {
      username: opts.username,
      password: opts.password,
      displayName: opts.displayName?.trim() || opts.username.trim(),
      role: opts.role,
      townCode: await resolveTown(ctx, opts.town),
      enterpriseUscc: opts.enterprise?.trim() || null,
    },
  });
}
