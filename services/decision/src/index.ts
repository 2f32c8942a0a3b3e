export {
  decideMirroring,
  liveBy,
  peakDemand,
  type Decision,
  type DecisionInput,
  type ForecastView,
} from './decideMirroring.js';
export {
  freeAfter,
  scoreServers,
  selectBestServer,
  type Candidate,
  type ScoreWeights,
  type ScoredCandidate,
} from './selectBestServer.js';
export { commandId } from './commandId.js';
export { MirrorStore, type ReserveOutcome } from './mirrorStore.js';
export * from './policies/index.js';
