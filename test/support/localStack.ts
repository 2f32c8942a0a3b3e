import { readStackState, type StackState } from '@pdme/cli/stack';

/**
 * The running local stack, as `pnpm pdme stack up` recorded it. Integration tests need it up
 * (`npm test` starts it); a clear message beats a connection refused.
 */
export function requireStack(): StackState {
  const state = readStackState();
  if (state === undefined) {
    throw new Error('integration tests need the local stack: run `pnpm pdme stack up` first (npm test does)');
  }
  return state;
}
