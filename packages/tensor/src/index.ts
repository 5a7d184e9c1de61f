export { type Shape, ShapeError, TensorValueError, describeShape } from './errors.ts';
export { type NestedArray, Tensor, eye, fromFlat, full, ones, scalar, tensor, zeros } from './tensor.ts';
export {
  type Operand,
  type Tolerance,
  add,
  allClose,
  broadcastShapes,
  div,
  exp,
  log,
  matmul,
  maxRelativeError,
  mul,
  neg,
  outer,
  relu,
  reluStep,
  roundNumber,
  roundTo,
  scale,
  sigmoid,
  sigmoidDerivative,
  softmax,
  squaredNorm,
  sub,
  sum,
  sumToShape,
  tanh,
  tanhDerivative,
  transpose,
} from './ops.ts';
export { gemm } from './gemm.ts';
export { type FormatOptions, formatNumber, formatTensor } from './format.ts';
export { type ErrorCode, type ErrorLocation, ChainruleError, formatJsonPath } from './errors.ts';
