export * from './retrieval-metrics.js';
export * from './classification-metrics.js';
