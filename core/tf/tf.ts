/** TF.js ops for model code. Backends are chosen and registered only in core/tf/backend.ts. */
export * from '@tensorflow/tfjs-core';
