import { SignJWT } from 'jose';

/** The `sub` Deskgraph expects: the opaque id the API shows (a Relay global id). */
export function subOf(typename: 'User' | 'Integration', id: number): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

export async function hs256Token(secret: string, claims: { sub: string; expiresIn?: string | number; iat?: number }): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(claims.sub).setIssuedAt(claims.iat);
  if (claims.expiresIn !== undefined) jwt = jwt.setExpirationTime(claims.expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}

export function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
