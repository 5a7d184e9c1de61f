/**
 * @chainrule/tensor — the tensor core: row-major `Float64Array` tensors of rank 0–2 in the
 * column-vector convention (a 1-D vector is an n×1 column), their kernels and shape rules, a
 * register-tiled matmul, the one rounding and the one formatting module, and the error class of
 * chainrule.
 */
export { type Shape, ShapeError, TensorValueError, describeShape } from './errors.ts';
export { type NestedArray, Tensor, eye, fromFlat, full, ones, scalar, tensor, zeros } from './tensor.ts';
export { type MatmulShape, asColumnMatrix, broadcastShapes, matmulShape, sameShape } from './shape.ts';
export {
  type Operand,
  type Tolerance,
  add,
  allClose,
  broadcastTo,
  div,
  exp,
  log,
  map,
  matmul,
  maxAbs,
  maxRelativeError,
  mul,
  neg,
  outer,
  relu,
  scale,
  sigmoid,
  softmax,
  squaredNorm,
  sub,
  sum,
  sumToShape,
  tanh,
  transpose,
} from './ops.ts';
export { roundNumber, roundTo } from './round.ts';
export {
  type ExactTensor,
  exactBroadcastTo,
  exactMap,
  exactMatmul,
  exactSum,
  exactSumToShape,
  exactTensor,
  exactToTensor,
  exactTranspose,
  exactZip,
} from './exact-tensor.ts';
export { Rational } from './rational.ts';
export { gemm } from './gemm.ts';
export { type BufferStats, bufferStats, recycleBuffer, takeBuffer, takeZeroed } from './buffers.ts';
export {
  type FormatOptions,
  type NumberFormat,
  type TableOptions,
  type TensorLayout,
  formatNumber,
  formatTable,
  formatTensor,
  layoutEntries,
} from './format.ts';
export { type ErrorCode, type ErrorLocation, ChainruleError, formatJsonPath } from './errors.ts';
