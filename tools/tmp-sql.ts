import Database from 'better-sqlite3';
import { Store } from '@sdpo/coordinator';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { createHash } from 'node:crypto';
const dir = mkdtempSync(join(tmpdir(),'sq-'));
const st = new Store(join(dir,'s.db')); const db = st.db;
const N=20000;
const keys = Array.from({length:N},(_,i)=>createHash('sha256').update(String(i)).digest());
db.transaction(()=>{ const ins=db.prepare('INSERT INTO tasks (sweep_id, idx, key, state) VALUES (?,?,?,0)'); keys.forEach((k,i)=>ins.run(1,i,k)); })();
const body = Buffer.alloc(600, 7);
const insRes = db.prepare('INSERT OR IGNORE INTO results (key, sim_version, body, wall_ms, worker, created_at) VALUES (?, ?, ?, ?, ?, ?)');
const upd = db.prepare(`UPDATE tasks SET state = CASE WHEN sweep_id = ? AND idx = ? THEN 1 ELSE 2 END, attempts = CASE WHEN sweep_id = ? AND idx = ? THEN ? ELSE attempts END WHERE key = ? AND state = 0 RETURNING sweep_id, state`);
const ev = db.prepare('INSERT INTO events (at, kind, sweep_id, key, worker, detail) VALUES (?, ?, ?, ?, ?, ?)');
const t = {res:0,upd:0,ev:0,commit:0};
const B=64;
for (let s=0;s<N;s+=B){
  const t0=performance.now();
  db.transaction(()=>{
    for (let i=s;i<Math.min(N,s+B);i++){
      let a=performance.now(); insRes.run(keys[i], '1.0.1', body, 1.5, 'w', new Date().toISOString()); t.res+=performance.now()-a;
      a=performance.now(); upd.all(1,i,1,i,1,keys[i]); t.upd+=performance.now()-a;
      a=performance.now(); ev.run(new Date().toISOString(),'result',1,keys[i],'w1',JSON.stringify({attempt:1})); t.ev+=performance.now()-a;
    }
  })();
  t.commit += performance.now()-t0;
}
console.log(Object.fromEntries(Object.entries(t).map(([k,v])=>[k,(v*1000/N).toFixed(1)+'us'])));
