import { randomBytes } from 'node:crypto';
import * as rules from './input-rules.js';
import { recordEvent } from './events.js';
import type { Services } from './services.js';

export interface BootstrapInput {
  email?: string | undefined;
  password?: string | undefined;
  accountName?: string | undefined;
  timeZone?: string | undefined;
}

export type BootstrapResult =
  | { created: false }
  | { created: true; accountId: number; adminId: number; email: string; generatedPassword: string | null };

/** A random password that meets the policy (digit, upper, lower, >= 8). */
function generatePassword(): string {
  for (;;) {
    const candidate = randomBytes(15).toString('base64url');
    if (rules.password.safeParse(candidate).success) return candidate;
  }
}

/** On an empty database: the first account, its default channel and its ADMIN. Otherwise nothing. */
export async function bootstrapFirstAdmin(services: Services, input: BootstrapInput): Promise<BootstrapResult> {
  if ((await services.store.accounts.count()) > 0) return { created: false };
  const email = rules.parseInput(rules.email, input.email ?? 'admin@localhost', 'BOOTSTRAP_ADMIN_EMAIL');
  const generatedPassword = input.password ? null : generatePassword();
  const password = rules.parseInput(rules.password, input.password ?? generatedPassword, 'BOOTSTRAP_ADMIN_PASSWORD');
  const timeZone = rules.parseInput(rules.timeZone, input.timeZone ?? 'UTC', 'BOOTSTRAP_TIME_ZONE');
  const passwordHash = await services.passwords.hash(password);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    // Checked again under the write lock: two instances starting on one file create one account.
    if ((await tx.accounts.count()) > 0) return { created: false } as const;
    const account = await tx.accounts.insert({ name: input.accountName ?? 'Deskgraph', timeZone }, at);
    await tx.channels.insert({ accountId: account.id, name: 'Default', kind: 'API', address: null, isDefault: true }, at);
    const admin = await tx.users.insert(
      {
        accountId: account.id,
        name: 'Administrator',
        email,
        passwordHash,
        role: 'ADMIN',
        active: true,
        avatarUrl: null,
        phone: null,
        status: 'OFFLINE',
        canDismissWaiting: true,
        canViewAllContacts: true,
        canMonitor: true,
        maxConcurrentTickets: null,
        workingHours: null,
      },
      at,
    );
    await recordEvent(tx, at, account.id, 'user.created', { userId: admin.id, byUserId: null });
    return { created: true, accountId: account.id, adminId: admin.id, email, generatedPassword } as const;
  });
}
