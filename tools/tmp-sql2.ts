import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { createHash } from 'node:crypto';
const variant = process.argv[2]!; const B = Number(process.argv[3] ?? 64);
const dir = mkdtempSync(join(tmpdir(),'sq-'));
const db = new Database(join(dir,'s.db'));
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = -65536');
if (variant.includes('ckpt')) db.pragma('wal_autocheckpoint = 20000');
if (variant.includes('off')) db.pragma('synchronous = OFF');
const wr = variant.includes('wr') ? 'WITHOUT ROWID' : '';
db.exec(`CREATE TABLE tasks (sweep_id INTEGER NOT NULL, idx INTEGER NOT NULL, key BLOB NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, fails INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (sweep_id, idx)) WITHOUT ROWID;
CREATE INDEX tasks_by_key ON tasks (key);
CREATE TABLE results (key BLOB PRIMARY KEY, sim_version TEXT NOT NULL, body BLOB NOT NULL, wall_ms REAL NOT NULL, worker TEXT NOT NULL, created_at TEXT NOT NULL) ${wr};
CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, sweep_id INTEGER, key BLOB, worker TEXT, detail TEXT);
CREATE INDEX events_by_sweep ON events (sweep_id, kind);`);
const N=20000;
const keys = Array.from({length:N},(_,i)=>createHash('sha256').update(String(i)).digest());
db.transaction(()=>{ const ins=db.prepare('INSERT INTO tasks (sweep_id, idx, key, state) VALUES (?,?,?,0)'); keys.forEach((k,i)=>ins.run(1,i,k)); })();
const body = Buffer.alloc(600, 7);
const insRes = db.prepare('INSERT OR IGNORE INTO results (key, sim_version, body, wall_ms, worker, created_at) VALUES (?, ?, ?, ?, ?, ?)');
const upd = variant.includes('pk') ? db.prepare(`UPDATE tasks SET state = 1, attempts = ? WHERE sweep_id = ? AND idx = ? AND state = 0`) : db.prepare(`UPDATE tasks SET state = CASE WHEN sweep_id = ? AND idx = ? THEN 1 ELSE 2 END, attempts = CASE WHEN sweep_id = ? AND idx = ? THEN ? ELSE attempts END WHERE key = ? AND state = 0 RETURNING sweep_id, state`);
const ev = db.prepare('INSERT INTO events (at, kind, sweep_id, key, worker, detail) VALUES (?, ?, ?, ?, ?, ?)');
const t0=performance.now();
for (let s=0;s<N;s+=B){
  db.transaction(()=>{
    const at = new Date().toISOString();
    const ks=[];
    for (let i=s;i<Math.min(N,s+B);i++){
      insRes.run(keys[i], '1.0.1', body, 1.5, 'w', at);
      if (variant.includes('pk')) upd.run(1,1,i); else upd.all(1,i,1,i,1,keys[i]);
      if (variant.includes('bev')) ks.push(i); else ev.run(at,'result',1,keys[i],'w1',JSON.stringify({attempt:1}));
    }
    if (variant.includes('bev')) ev.run(at,'results',1,null,'w1',JSON.stringify(ks));
  })();
}
console.log(variant, B, ((performance.now()-t0)*1000/N).toFixed(1)+'us/result');
