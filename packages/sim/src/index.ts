export * from './config.js';
export * from './result.js';
export * from './presets.js';
export { runSimulation } from './run.js';
