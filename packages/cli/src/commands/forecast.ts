import type { Command } from 'commander';
import { evaluateFiles } from '../forecast/evaluateFiles.js';
import { formatEvaluation } from '../forecast/evaluationTable.js';
import { say } from './output.js';

const positiveInt = (name: string) => (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return n;
};

export function registerForecastCommand(program: Command): void {
  const forecast = program.command('forecast').description('forecasting tools');
  forecast
    .command('evaluate')
    .description('backtest every forecasting model on real series and print MASE, WAPE and p90 coverage')
    .argument('<files...>', 'CSV files with header ts,value (ISO 8601 or epoch seconds), one series each')
    .option(
      '--horizon <n>',
      'steps per forecast (default: 12; 24 for hourly; 7 for daily)',
      positiveInt('--horizon'),
    )
    .option(
      '--season <n>',
      'steps per season (default: a day of steps, 7 for daily)',
      positiveInt('--season'),
    )
    .option('--holdout <share>', 'share of each series held out at the end', Number, 0.2)
    .option('--json', 'print machine-readable JSON')
    .addHelpText(
      'after',
      '\nThe last --holdout share of each series is held out; each model is fitted on the rest and forecasts\n' +
        '--horizon steps from an origin every --horizon steps across it. MASE is scaled by the seasonal-naive\n' +
        'in-sample error of the training part; only observed points are scored. "selected" is the model the\n' +
        'same backtest inside the training part picks; p90 quantiles come from that backtest too.',
    )
    .action(
      async (
        files: string[],
        options: { horizon?: number; season?: number; holdout: number; json?: boolean },
      ) => {
        const results = await evaluateFiles(files, options);
        if (options.json === true) {
          say(JSON.stringify({ protocol: { holdout: options.holdout }, series: results }, nanToNull, 2));
          return;
        }
        say(results.map(formatEvaluation).join('\n\n'));
      },
    );
}

/** JSON has no NaN: a score that cannot be computed is null. */
function nanToNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
