/** Access scopes. `pdme:admin` may change PDME (config, events, keys) and implies `pdme:read`. */
export const SCOPES = ['pdme:read', 'pdme:admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who made a request, as established by an API key or a JWT. Logged and audited by `subject`. */
export interface Principal {
  /** `key:<id>` for API keys, the JWT `sub` claim prefixed `jwt:` otherwise. */
  readonly subject: string;
  readonly scopes: readonly Scope[];
  readonly via: 'api-key' | 'jwt' | 'anonymous';
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Whether the principal holds `needed`; admin implies read. */
export function grants(principal: Principal, needed: Scope): boolean {
  return principal.scopes.includes(needed) || principal.scopes.includes('pdme:admin');
}

/** The short scope names the CLI takes (`read`, `admin`) mapped to scopes. */
export function scopeFromShortName(name: string): Scope | undefined {
  const full = name.startsWith('pdme:') ? name : `pdme:${name}`;
  return isScope(full) ? full : undefined;
}
