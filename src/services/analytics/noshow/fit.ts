/**
 * Fitting the logistic regression's weights (ml-logistic-regression): in this thread, or in a
 * worker thread so that a server's retraining never holds its event loop for the seconds it takes.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import LogisticRegression from "ml-logistic-regression";
import { Matrix } from "ml-matrix";

/** Rows (intercept column first) and 0/1 outcomes in, weights out; an abort stops a fit in a worker. */
export type Fit = (rows: number[][], outcomes: number[], signal?: AbortSignal) => Promise<number[]>;

/** Gradient steps; the features are standardised, so a few hundred converge. */
export const STEPS = 400;
/** The step per visit (the library sums the gradient over the rows instead of averaging it). */
export const RATE = 1;

/** In this thread (the command line, tests). */
export const fitHere: Fit = async (rows, outcomes) => {
  const lr = new LogisticRegression({ numSteps: STEPS, learningRate: RATE / rows.length });
  lr.train(new Matrix(rows), Matrix.columnVector(outcomes));
  // with two classes, the first classifier's score is P(outcome = 1)
  return lr.classifiers[0]!.weights.to1DArray();
};

// the worker is plain CommonJS evaluated from this text, so it runs the same from src/ (tsx,
// vitest) and from the bundle; it loads the packages from the paths resolved here
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const LogisticRegression = require(workerData.logistic);
const { Matrix } = require(workerData.matrix);
const { rows, outcomes, steps, rate } = workerData;
const lr = new LogisticRegression({ numSteps: steps, learningRate: rate / rows.length });
lr.train(new Matrix(rows), Matrix.columnVector(outcomes));
parentPort.postMessage(lr.classifiers[0].weights.to1DArray());
`;

/** In a worker thread of its own, started for this fit and gone after it. */
export const fitInWorker: Fit = (rows, outcomes, signal) => {
  const require = createRequire(import.meta.url);
  const workerData = {
    logistic: require.resolve("ml-logistic-regression"),
    matrix: require.resolve("ml-matrix"),
    rows,
    outcomes,
    steps: STEPS,
    rate: RATE,
  };
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("training stopped"));
    const worker = new Worker(WORKER, { eval: true, workerData });
    // settles at once: a worker terminated before it started may never report its exit
    const stop = () => {
      void worker.terminate();
      reject(new Error("training stopped"));
    };
    signal?.addEventListener("abort", stop, { once: true });
    worker.once("exit", () => signal?.removeEventListener("abort", stop));
    worker.once("message", (weights: number[]) => resolve(weights));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the training worker stopped with code ${code}`));
    });
  });
};
