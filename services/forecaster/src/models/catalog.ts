import { combination } from './combination.js';
import { holtWinters } from './holtWinters.js';
import { lagRegression } from './lagRegression.js';
import { logTransformed } from './logTransformed.js';
import type { ForecastModel, SeriesContext } from './model.js';
import { pooledGlobal, type PooledPeer } from './pooledGlobal.js';
import { seasonalNaive } from './seasonalNaive.js';
import { theta } from './theta.js';

const DAY_MS = 86_400_000;

/** Season lengths worth trying: the series' own, and a weekly one for sub-daily steps. */
export function candidatePeriods(context: SeriesContext): number[] {
  const periods = [Math.max(1, context.season)];
  if (context.stepMs < DAY_MS && DAY_MS % context.stepMs === 0) periods.push((7 * DAY_MS) / context.stepMs);
  return [...new Set(periods)].filter((p) => p > 1);
}

/**
 * Every model `pdme forecast evaluate` runs and per-series selection chooses from. Holt-Winters
 * comes per season length (daily and weekly where the step allows), so its name carries the period.
 */
export function modelCatalog(context: SeriesContext, peers: readonly PooledPeer[] = []): ForecastModel[] {
  const seasonal: ForecastModel[] = [];
  for (const period of candidatePeriods(context)) {
    seasonal.push(
      holtWinters({ seasonality: 'additive', period, name: `holt-winters-add/${period}` }),
      holtWinters({ seasonality: 'multiplicative', period, name: `holt-winters-mul/${period}` }),
    );
  }
  const etsLog = logTransformed(holtWinters({ seasonality: 'additive' }), 'ets-log1p');
  const thetaLog = logTransformed(theta(), 'theta-log1p');
  const damped = holtWinters({ seasonality: 'none', name: 'damped-trend' });
  const regression = lagRegression();
  const pooled = pooledGlobal(peers);
  return [
    seasonalNaive({ seasonal: false }),
    seasonalNaive(),
    damped,
    ...seasonal,
    etsLog,
    thetaLog,
    regression,
    pooled,
    combination([etsLog, thetaLog, regression, pooled, ...seasonal.slice(0, 1)]),
  ];
}
