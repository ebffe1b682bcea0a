/**
 * How far a staging time scaled to production may be off, per kind of work and per decade of
 * extrapolation (production rows ÷ staging rows), as `npm run bench:estimate` measured it
 * (scripts/bench/estimate-calibration.ts; the table is in docs/staging-check.md).
 */
import type { WorkKind } from './production-regime';

export interface BandCalibration {
  /**
   * The measured time ÷ the model's point per decade of extrapolation: below 1 where the model
   * over-predicts more the further it scales (index builds: n·log n overshoots what the sort costs).
   */
  driftPerDecade: number;
  /** The range at 10×: point ÷ low … point × high. */
  atOneDecade: { low: number; high: number };
  /** Each end moves out by this factor per further decade (and in, below 10×, down to `narrowest`). */
  widenPerDecade: number;
}

/** The narrowest range any extrapolation gets: one run of the same statement varies by ±25 % on a busy server. */
export const NARROWEST = { low: 1.4, high: 1.4 } as const;

/**
 * Fitted to the bench's runs on PostgreSQL 17 (100k–10M rows) and 16 (100k–3M rows), 3 runs each, on
 * 2 shared cores: the smallest range per kind that keeps ≥ 90 % of the measured times inside at 10×
 * and beyond. Index builds and rewrites grew less than their model says (the sort and the index writes
 * got cheaper per row, and a parallel worker joined from 300k rows on); scans grew as their bytes.
 * Index builds need ÷2.8–×2.5 at 10×: the same statement's ratio of times between two sizes varied
 * that much from one run of the bench to the next on this machine.
 */
export const BAND_CALIBRATION: Readonly<Record<WorkKind, BandCalibration>> = {
  'index-build': { driftPerDecade: 0.75, atOneDecade: { low: 2.8, high: 2.5 }, widenPerDecade: 1.15 },
  rewrite: { driftPerDecade: 0.85, atOneDecade: { low: 2, high: 1.6 }, widenPerDecade: 1.15 },
  scan: { driftPerDecade: 1, atOneDecade: { low: 1.8, high: 1.8 }, widenPerDecade: 1.15 },
  'row-changes': { driftPerDecade: 1, atOneDecade: { low: 1.4, high: 1.6 }, widenPerDecade: 1.15 },
};

/** How far one short staging run may be off, whatever its length: scheduling and I/O on a busy server. */
export const STAGING_JITTER_MS = 10;

export interface Band {
  /** The model's point is multiplied by this (the drift over the decades scaled). */
  drift: number;
  low: number;
  high: number;
}

/** The calibrated range for scaling `work` by `ratio` (production rows ÷ staging rows). */
export function bandFor(work: WorkKind, ratio: number): Band {
  const calibration = BAND_CALIBRATION[work];
  const decades = Math.log10(ratio);
  const widening = calibration.widenPerDecade ** (Math.abs(decades) - 1);
  return {
    drift: calibration.driftPerDecade ** decades,
    low: Math.max(NARROWEST.low, calibration.atOneDecade.low * widening),
    high: Math.max(NARROWEST.high, calibration.atOneDecade.high * widening),
  };
}

/** A staging run too short to time precisely widens both ends by (ms + jitter) ÷ ms; below ×1.1 it is not worth saying. */
export function shortRunWidening(stagingMs: number): number | undefined {
  const factor = (stagingMs + STAGING_JITTER_MS) / Math.max(stagingMs, 1);
  return factor >= 1.1 ? factor : undefined;
}
