/** The part of ml-logistic-regression 2.0 that the no-show model uses (the package ships no types). */
declare module "ml-logistic-regression" {
  import type { Matrix } from "ml-matrix";

  interface TwoClassClassifier {
    weights: Matrix;
    /** P(class ≠ the classifier's own class) for each row; for two classes, classifier 0 gives P(y = 1). */
    testScores(features: Matrix): number[];
  }

  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    classifiers: TwoClassClassifier[];
    numberClasses: number;
    train(features: Matrix, target: Matrix): void;
    predict(features: Matrix): number[];
  }
}
