// A small, dependable optimiser for a handful of unconstrained parameters (the models' log-parameters):
// Nelder–Mead with dimension-adaptive coefficients (Gao & Han 2012) and restarts, plus the numerical Hessian
// and Cholesky factor the Laplace approximation needs.

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export interface MinimizeOptions {
  /** Initial simplex edge (in the parameters' own units; log-parameters here). */
  step?: number;
  /** Converged when the simplex's values differ by less than this and its vertices by less than xTolerance. */
  fTolerance?: number;
  xTolerance?: number;
  maxEvaluations?: number;
  /** Fresh simplexes started from the best point, so a collapsed simplex cannot stop short of the minimum. */
  restarts?: number;
}

/** Minimises f by Nelder–Mead. Non-finite values count as +Infinity (outside the model's support). */
export function nelderMead(f: (x: number[]) => number, start: number[], options: MinimizeOptions = {}): MinimizeResult {
  const n = start.length;
  const fTolerance = options.fTolerance ?? 1e-9;
  const xTolerance = options.xTolerance ?? 1e-7;
  const maxEvaluations = options.maxEvaluations ?? 4000;
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations += 1;
    const value = f(x);
    return Number.isFinite(value) ? value : Infinity;
  };

  let best = { x: start.slice(), value: evaluate(start) };
  let converged = false;
  const rounds = 1 + (options.restarts ?? 2);
  for (let round = 0; round < rounds && evaluations < maxEvaluations; round += 1) {
    const step = (options.step ?? 0.5) / (round + 1);
    const simplex: number[][] = [best.x.slice()];
    const values: number[] = [best.value];
    for (let i = 0; i < n; i += 1) {
      const vertex = best.x.slice();
      vertex[i] += step;
      simplex.push(vertex);
      values.push(evaluate(vertex));
    }
    converged = false;
    while (evaluations < maxEvaluations) {
      const order = values.map((_, index) => index).sort((i, j) => values[i] - values[j]);
      const sortedSimplex = order.map((index) => simplex[index]);
      const sortedValues = order.map((index) => values[index]);
      for (let i = 0; i <= n; i += 1) {
        simplex[i] = sortedSimplex[i];
        values[i] = sortedValues[i];
      }
      const spread = values[n] - values[0];
      let size = 0;
      for (let i = 1; i <= n; i += 1) for (let k = 0; k < n; k += 1) size = Math.max(size, Math.abs(simplex[i][k] - simplex[0][k]));
      if (spread <= fTolerance * (1 + Math.abs(values[0])) && size <= xTolerance) {
        converged = true;
        break;
      }
      const centroid = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i += 1) for (let k = 0; k < n; k += 1) centroid[k] += simplex[i][k] / n;
      const towards = (coefficient: number) => centroid.map((c, k) => c + coefficient * (c - simplex[n][k]));
      const reflected = towards(alpha);
      const reflectedValue = evaluate(reflected);
      if (reflectedValue < values[0]) {
        const expanded = towards(alpha * beta);
        const expandedValue = evaluate(expanded);
        if (expandedValue < reflectedValue) {
          simplex[n] = expanded;
          values[n] = expandedValue;
        } else {
          simplex[n] = reflected;
          values[n] = reflectedValue;
        }
        continue;
      }
      if (reflectedValue < values[n - 1]) {
        simplex[n] = reflected;
        values[n] = reflectedValue;
        continue;
      }
      const outside = reflectedValue < values[n];
      const contracted = towards(outside ? alpha * gamma : -gamma);
      const contractedValue = evaluate(contracted);
      if (contractedValue < (outside ? reflectedValue : values[n])) {
        simplex[n] = contracted;
        values[n] = contractedValue;
        continue;
      }
      for (let i = 1; i <= n; i += 1) {
        simplex[i] = simplex[i].map((value, k) => simplex[0][k] + delta * (value - simplex[0][k]));
        values[i] = evaluate(simplex[i]);
      }
    }
    const roundBest = values.indexOf(Math.min(...values));
    const improved = values[roundBest] < best.value - fTolerance * (1 + Math.abs(best.value));
    if (values[roundBest] <= best.value) best = { x: simplex[roundBest].slice(), value: values[roundBest] };
    if (round > 0 && converged && !improved) break; // a restart that found nothing better: done
  }
  return { x: best.x, value: best.value, evaluations, converged };
}

/** The Hessian of f at x by central differences (step h in the parameters' units). */
export function numericalHessian(f: (x: number[]) => number, x: number[], h = 1e-3): number[][] {
  const n = x.length;
  const at = (changes: [number, number][]) => {
    const point = x.slice();
    for (const [index, delta] of changes) point[index] += delta;
    return f(point);
  };
  const center = f(x);
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    hessian[i][i] = (at([[i, h]]) - 2 * center + at([[i, -h]])) / (h * h);
    for (let j = 0; j < i; j += 1) {
      const value = (at([[i, h], [j, h]]) - at([[i, h], [j, -h]]) - at([[i, -h], [j, h]]) + at([[i, -h], [j, -h]])) / (4 * h * h);
      hessian[i][j] = value;
      hessian[j][i] = value;
    }
  }
  return hessian;
}

/** The lower-triangular L with L·Lᵀ = m, or null when m is not (numerically) positive definite. */
export function cholesky(m: number[][]): number[][] | null {
  const n = m.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = m[i][j];
      for (let k = 0; k < j; k += 1) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return null;
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

/** Solves Lᵀ·y = z for y (L lower-triangular): with L·Lᵀ = H, y = Lᵀ⁻¹z has covariance H⁻¹ when z ~ N(0, I). */
export function solveUpperTransposed(l: number[][], z: number[]): number[] {
  const n = z.length;
  const y = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i -= 1) {
    let sum = z[i];
    for (let k = i + 1; k < n; k += 1) sum -= l[k][i] * y[k];
    y[i] = sum / l[i][i];
  }
  return y;
}

/** H⁻¹ from the Cholesky factor of H (for reporting standard errors). */
export function inverseFromCholesky(l: number[][]): number[][] {
  const n = l.length;
  const columns = Array.from({ length: n }, (_, j) => {
    // Solve L·w = e_j, then Lᵀ·v = w.
    const w = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i += 1) {
      let sum = i === j ? 1 : 0;
      for (let k = 0; k < i; k += 1) sum -= l[i][k] * w[k];
      w[i] = sum / l[i][i];
    }
    return solveUpperTransposed(l, w);
  });
  return Array.from({ length: n }, (_, i) => columns.map((column) => column[i]));
}
