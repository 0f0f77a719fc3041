/**
 * Non-negative least squares: the x >= 0 minimising ||A x - b||, by the
 * active-set method of Lawson and Hanson ("Solving Least Squares Problems",
 * 1974, chapter 23), as scipy.optimize.nnls computes it. `rows` is A row by
 * row (m rows of n columns); sizes here are tiny (n <= 4), so the inner least
 * squares solve the normal equations by Gaussian elimination with partial
 * pivoting.
 */
export function nnls(matrix: readonly (readonly number[])[], b: readonly number[], maxIterations = 300): number[] {
  const m = matrix.length;
  const n = matrix[0]?.length ?? 0;
  if (m === 0 || n === 0 || b.length !== m || matrix.some((r) => r.length !== n)) throw new RangeError(`nnls() needs an m x n matrix and m values; got ${m} rows and ${b.length} values`);
  // Columns scaled to unit norm: the same solution, but gradients of one scale, so that one tolerance fits all.
  const scale = matrix[0]!.map((_, k) => Math.hypot(...matrix.map((r) => r[k] as number)) || 1);
  const rows = matrix.map((r) => r.map((v, k) => v / (scale[k] as number)));
  const x = solveScaled(rows, b, maxIterations);
  return x.map((v, k) => v / (scale[k] as number));
}

function solveScaled(rows: readonly (readonly number[])[], b: readonly number[], maxIterations: number): number[] {
  const n = rows[0]!.length;
  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const tolerance = 1e-12 * Math.max(1, ...gradient(rows, b, x).map(Math.abs));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const w = gradient(rows, b, x);
    let j = -1;
    for (let k = 0; k < n; k++) if (!passive[k] && (w[k] as number) > tolerance && (j === -1 || (w[k] as number) > (w[j] as number))) j = k;
    if (j === -1) return x;
    passive[j] = true;
    for (;;) {
      const z = solvePassive(rows, b, passive);
      if (z.every((v, k) => !passive[k] || v > 0)) {
        for (let k = 0; k < n; k++) x[k] = passive[k] ? (z[k] as number) : 0;
        break;
      }
      // Step from x towards z as far as the constraints allow, and drop the variables that hit zero.
      let alpha = Infinity;
      for (let k = 0; k < n; k++) if (passive[k] && (z[k] as number) <= 0) alpha = Math.min(alpha, (x[k] as number) / ((x[k] as number) - (z[k] as number)));
      for (let k = 0; k < n; k++) {
        x[k] = (x[k] as number) + alpha * ((z[k] as number) - (x[k] as number));
        if (passive[k] && Math.abs(x[k] as number) <= tolerance) {
          passive[k] = false;
          x[k] = 0;
        }
      }
    }
  }
  // Degenerate data can make the active set cycle between equally good solutions: the last feasible one is kept.
  return x;
}

/** A^T (b - A x). */
function gradient(rows: readonly (readonly number[])[], b: readonly number[], x: readonly number[]): number[] {
  const w = new Array<number>(x.length).fill(0);
  rows.forEach((row, i) => {
    const r = (b[i] as number) - row.reduce((s, a, k) => s + a * (x[k] as number), 0);
    row.forEach((a, k) => (w[k] = (w[k] as number) + a * r));
  });
  return w;
}

/** The unconstrained least-squares solution over the passive columns (0 elsewhere). */
function solvePassive(rows: readonly (readonly number[])[], b: readonly number[], passive: readonly boolean[]): number[] {
  const cols = passive.flatMap((p, k) => (p ? [k] : []));
  const solved = leastSquares(
    rows.map((r) => cols.map((k) => r[k] as number)),
    b,
  );
  const z = new Array<number>(passive.length).fill(0);
  cols.forEach((k, i) => (z[k] = solved[i] as number));
  return z;
}

/**
 * min ||A y - b|| by Householder QR (A m x n, m >= n, full column rank
 * assumed; a zero pivot gives 0 for that unknown). QR rather than the normal
 * equations: the columns here differ in scale by up to 10^6.
 */
export function leastSquares(matrix: readonly (readonly number[])[], vector: readonly number[]): number[] {
  const m = matrix.length;
  const n = matrix[0]?.length ?? 0;
  const a = matrix.map((r) => [...r]);
  const v = [...vector];
  for (let c = 0; c < n && c < m; c++) {
    let norm = 0;
    for (let r = c; r < m; r++) norm += a[r]![c]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = a[c]![c]! > 0 ? -norm : norm;
    const u = a.slice(c).map((row) => row[c]!);
    u[0] = u[0]! - alpha;
    const uu = u.reduce((s, x) => s + x * x, 0);
    if (uu === 0) continue;
    for (let k = c; k < n; k++) {
      const dot = u.reduce((s, x, i) => s + x * a[c + i]![k]!, 0);
      for (let i = 0; i < u.length; i++) a[c + i]![k] = a[c + i]![k]! - (2 * dot * u[i]!) / uu;
    }
    const dot = u.reduce((s, x, i) => s + x * v[c + i]!, 0);
    for (let i = 0; i < u.length; i++) v[c + i] = v[c + i]! - (2 * dot * u[i]!) / uu;
  }
  const y = new Array<number>(n).fill(0);
  for (let r = Math.min(n, m) - 1; r >= 0; r--) {
    let s = v[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * y[k]!;
    y[r] = a[r]![r]! === 0 ? 0 : s / a[r]![r]!;
  }
  return y;
}
