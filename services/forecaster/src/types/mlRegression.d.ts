// ml-regression 6.3.0 ships no type declarations; this covers the one class we use.
declare module 'ml-regression' {
  export class MultivariateLinearRegression {
    constructor(x: number[][], y: number[][], options?: { intercept?: boolean; statistics?: boolean });
    readonly weights: number[][];
    predict(x: number[]): number[];
  }
}
