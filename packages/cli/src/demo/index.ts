// The demo's entry points, for the CLI and the end-to-end test.
export {
  runReplayDemo,
  REPLAY_DEMO_DEFAULTS,
  type ReplayDemoOptions,
  type ReplayDemoResult,
} from './replayDemo.js';
export {
  buildReport,
  reportLines,
  writeReportFiles,
  type Accounting,
  type DemoReport,
} from './demoReport.js';
export { readDecisionsPaused, setDecisionsPaused, type GatewayTarget } from './gatewayClient.js';
export { DEMO_USER_AGENT } from './clientRequest.js';
export { runWalkingSkeleton, type DemoReport as QuickDemoReport } from './walkingSkeleton.js';
