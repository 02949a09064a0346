import { encodeRunResult, decodeWireResult, resultFromBytes, encodeResultBody, parseInbound, workerMessageSchema, splitResultsMessage, encodeResultsMessage } from '@sdpo/protocol';
import { runSimulation, resolveRunConfig } from '@sdpo/sim';
const r = runSimulation(resolveRunConfig({ seed: 0, method: 'sdpo', feedback: 'binary', noise: 0.01, steps: 1, vocab: 3, length: 2, group: 2 }));
const big = runSimulation(resolveRunConfig({ seed: 0, method: 'sdpo', feedback: 'critique', noise: 0.1 }));
function bench(name: string, n: number, f: () => void) { for (let i=0;i<n;i++) f(); const t0=performance.now(); for (let i=0;i<n;i++) f(); console.log(name, ((performance.now()-t0)*1000/n).toFixed(2), 'us'); }
const bytes = encodeRunResult(r); const bigBytes = encodeRunResult(big);
console.log('sizes', bytes.length, bigBytes.length);
bench('encode small', 20000, () => encodeRunResult(r));
bench('encode big', 5000, () => encodeRunResult(big));
bench('decode small', 20000, () => decodeWireResult(bytes));
bench('decode big', 5000, () => decodeWireResult(bigBytes));
bench('resultFromBytes small', 20000, () => resultFromBytes(bytes, r.config));
bench('encodeResultBody small', 20000, () => encodeResultBody(r));
const frames = Array.from({length:128},(_,i)=>({key:'ab'.repeat(32), leaseId:'abcdef-123', attempt:1, result: bytes}));
const msg = encodeResultsMessage(frames);
bench('split 128', 2000, () => splitResultsMessage(msg));
const split = splitResultsMessage(msg)!;
bench('zod 128', 2000, () => parseInbound(workerMessageSchema, { msg: 'results', results: { results: split } }, 'worker'));
