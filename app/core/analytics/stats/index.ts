// Statistics for holdouts and A/B tests: pure functions, no framework, no dependency. docs/analytics.md says what
// each one promises; ADR 0030 says why these methods.
export { erfc, logGamma, normalCdf, normalPdf, normalQuantile, regularizedBeta, studentTCdf, studentTQuantile } from "./distributions";
export { newcombeInterval, twoProportionZTest, waldInterval, wilsonInterval, type Interval, type Proportion, type RateDifference, type ZTest } from "./proportions";
export { proportionSummary, summarizeSample, welchInterval, type MeanDifference, type SampleSummary } from "./means";
export { daysToReach, sampleSizeForMeans, sampleSizeForRates, type SampleSize, type SampleSizeInput } from "./sample-size";
export { sequentialTest, type SequentialInput, type SequentialOutcome, type SequentialResult } from "./sequential";
export { seededRandom } from "./random";
