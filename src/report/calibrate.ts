/** The terminal answer of `infersim calibrate`: the fitted step-time coefficients and the error of the fit per metric. */
import type { CalibrationResult } from '../llm/calibrate.js';

/** The fit of `file` (`requests` measured requests): β0…β4 in readable units, then measured vs simulated mean/p50/p90/p99 per metric. */
export function formatCalibration(file: string, requests: number, fit: CalibrationResult): string {
  const c = fit.coefficients;
  const lines = [
    `${file}: ${requests} requests, fitted by replay (${fit.evaluations} replays, mean squared log error ${fit.loss.toFixed(4)})`,
    `  beta0 ${(c.beta0 * 1e3).toFixed(3)} ms/step   beta1 ${(c.beta1 * 1e6).toFixed(3)} µs/prefill token   beta2 ${(c.beta2 * 1e6).toFixed(3)} µs/decode token`,
    `  beta3 ${(c.beta3 * 1e9).toFixed(3)} ns/KV token read   beta4 ${((c.beta4 ?? 0) * 1e12).toFixed(3)} ps/prefill attention pair`,
    '',
    'metric  stat   measured    simulated   error',
  ];
  const names = ['mean', 'p50', 'p90', 'p99'];
  for (const e of fit.errors) {
    e.measured.forEach((m, i) => {
      lines.push(`${e.metric.padEnd(6)}  ${names[i]!.padEnd(5)}  ${(m * 1e3).toFixed(1).padStart(9)} ms ${(e.simulated[i]! * 1e3).toFixed(1).padStart(9)} ms ${(e.relError[i]! * 100).toFixed(1).padStart(6)} %`);
    });
  }
  return lines.join('\n');
}
