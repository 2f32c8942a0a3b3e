import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import {
  evaluateSeries,
  horizonForStep,
  parseSeriesCsv,
  seasonForStep,
  type RegularSeries,
  type SeriesEvaluation,
} from '@pdme/forecaster';
import { PdmeError } from '@pdme/common/errors';

export interface EvaluateFilesOptions {
  /** Overrides the horizon inferred from each series' step. */
  readonly horizon?: number;
  /** Overrides the season inferred from each series' step. */
  readonly season?: number;
  readonly holdout: number;
}

export interface FileEvaluation extends SeriesEvaluation {
  readonly file: string;
  readonly missing: number;
}

/**
 * Reads every file, then evaluates each series; all series of the same step are the pooled
 * model's peers (their training parts only).
 */
export async function evaluateFiles(
  files: readonly string[],
  options: EvaluateFilesOptions,
): Promise<FileEvaluation[]> {
  if (!(options.holdout > 0 && options.holdout < 0.5)) {
    throw new PdmeError('BAD_INPUT', `--holdout must be in (0, 0.5), got ${options.holdout}`);
  }
  const series: RegularSeries[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((cause: unknown) => {
      throw new PdmeError('NOT_FOUND', `cannot read ${file}`, { cause, details: { file } });
    });
    // The folder names a series whose file is a generic series.csv.
    series.push(parseSeriesCsv(text, `${basename(dirname(file))}/${basename(file)}`));
  }
  return series.map((s, i) => {
    const evaluation = evaluateSeries(
      s,
      {
        horizon: options.horizon ?? horizonForStep(s.stepMs),
        season: options.season ?? seasonForStep(s.stepMs),
        holdout: options.holdout,
      },
      series,
    );
    return { ...evaluation, file: files[i] ?? s.name, missing: s.values.filter(Number.isNaN).length };
  });
}
