// A token's `sub` is the same opaque id the API shows for that User or Integration (a Relay
// global id), so a host platform can mint tokens for the ids it reads from the API.

export type Subject = { kind: 'user' | 'integration'; id: number };

const typeNames = { user: 'User', integration: 'Integration' } as const;

export function subjectToSub(subject: Subject): string {
  return Buffer.from(`${typeNames[subject.kind]}:${subject.id}`, 'utf8').toString('base64');
}

export function subFromToken(sub: string): Subject | null {
  const decoded = Buffer.from(sub, 'base64').toString('utf8');
  const match = /^(User|Integration):([1-9][0-9]{0,15})$/.exec(decoded);
  if (!match) return null;
  return { kind: match[1] === 'User' ? 'user' : 'integration', id: Number(match[2]) };
}
