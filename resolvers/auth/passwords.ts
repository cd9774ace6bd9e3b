import argon2 from 'argon2';

export interface PasswordOptions {
  /** KiB; OWASP's argon2id baseline is 19 MiB, 2 passes, 1 lane. */
  memoryCost: number;
  timeCost: number;
}

export const defaultPasswordOptions: PasswordOptions = { memoryCost: 19_456, timeCost: 2 };

export function createPasswords(options: PasswordOptions = defaultPasswordOptions) {
  const hashOptions = { type: argon2.argon2id, memoryCost: options.memoryCost, timeCost: options.timeCost, parallelism: 1 } as const;
  let decoy: Promise<string> | undefined;
  return {
    hash(plain: string): Promise<string> {
      return argon2.hash(plain, hashOptions);
    },
    async verify(hash: string, plain: string): Promise<boolean> {
      try {
        return await argon2.verify(hash, plain);
      } catch {
        return false;
      }
    },
    /** Spends the time of a real check, so unknown e-mails cannot be told apart by timing. */
    async verifyDecoy(plain: string): Promise<false> {
      decoy ??= argon2.hash('decoy-password-never-matches', hashOptions);
      await argon2.verify(await decoy, plain).catch(() => false);
      return false;
    },
  };
}

export type Passwords = ReturnType<typeof createPasswords>;
