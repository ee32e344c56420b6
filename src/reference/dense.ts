// Dense pieces of the float64 reference: row-major matrices, torch's Linear forward and
// backward, and the small element-wise steps between layers.

/** A row-major matrix. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

export const mat = (rows: number, cols: number, data: Float64Array = new Float64Array(rows * cols)): Mat => ({ rows, cols, data });

/** y = x · wᵀ (+ b), w being outDim × x.cols as torch stores it. */
export function linearForward(x: Mat, w: Float64Array, outDim: number, b?: Float64Array): Mat {
  const y = mat(x.rows, outDim);
  for (let n = 0; n < x.rows; n++) {
    for (let o = 0; o < outDim; o++) {
      let s = 0;
      for (let f = 0; f < x.cols; f++) s += x.data[n * x.cols + f] * w[o * x.cols + f];
      y.data[n * outDim + o] = b ? s + b[o] : s;
    }
  }
  return y;
}

/** dw = dyᵀ · x and dx = dy · w. */
export function linearBackward(dy: Mat, x: Mat, w: Float64Array) {
  const dw = new Float64Array(dy.cols * x.cols);
  const dx = mat(x.rows, x.cols);
  for (let n = 0; n < x.rows; n++) {
    for (let o = 0; o < dy.cols; o++) {
      const g = dy.data[n * dy.cols + o];
      for (let f = 0; f < x.cols; f++) {
        dw[o * x.cols + f] += g * x.data[n * x.cols + f];
        dx.data[n * x.cols + f] += g * w[o * x.cols + f];
      }
    }
  }
  return { dw, dx };
}

export function columnSums(m: Mat): Float64Array {
  const s = new Float64Array(m.cols);
  for (let k = 0; k < m.data.length; k++) s[k % m.cols] += m.data[k];
  return s;
}

export function relu(m: Mat): Mat {
  return mat(m.rows, m.cols, m.data.map((v) => (v > 0 ? v : 0)));
}

export function addInto(target: Mat, m: Mat): void {
  for (let k = 0; k < m.data.length; k++) target.data[k] += m.data[k];
}
