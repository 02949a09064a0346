export { CliError, EXIT } from './errors.js';
export { runGridEmbedded, DEFAULT_STORE, type EmbeddedOptions, type EmbeddedOutcome } from './embedded.js';
