/**
 * The embedded JobStore: job records in SQLite (better-sqlite3, WAL): every state change is written before it is
 * announced, so a client that polls right after submitting always finds its job, and a restart
 * loses nothing. Statements are prepared once; progress writes arrive already coalesced.
 */
import Database from 'better-sqlite3';
import {
  MAX_JOB_OFFSET,
  type JobQuery,
  type JobSortOrder,
  type JobStore,
  type NewJob,
} from './job-store.ts';
import type { JobProblem } from './task-errors.ts';
import type { JobRecord, JobStatus } from './task-types.ts';

interface Row {
  id: string;
  process_id: string;
  input: string;
  status: JobStatus;
  priority: number;
  group_name: string | null;
  depends_on: string;
  progress: number;
  message: string;
  created: string;
  started: string | null;
  finished: string | null;
  updated: string;
  attempts: number;
  result: string | null;
  error: string | null;
  checkpoint: string | null;
  cancel_requested: string | null;
  problem: string | null;
  held: number;
  parent_id: string | null;
  awaiting_subtasks: number;
  sequence: number;
}

/** Ties are broken newest first, so a page boundary never splits jobs unpredictably. */
const ORDER_BY: Record<JobSortOrder, string> = {
  '-created': 'sequence DESC',
  created: 'sequence ASC',
  '-priority': 'priority DESC, sequence DESC',
  priority: 'priority ASC, sequence DESC',
  '-updated': 'updated DESC, sequence DESC',
  updated: 'updated ASC, sequence DESC',
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT NOT NULL UNIQUE,
  process_id  TEXT NOT NULL,
  input       TEXT NOT NULL,
  status      TEXT NOT NULL,
  priority    INTEGER NOT NULL DEFAULT 0,
  group_name  TEXT,
  depends_on  TEXT NOT NULL DEFAULT '[]',
  progress    INTEGER NOT NULL DEFAULT 0,
  message     TEXT NOT NULL DEFAULT '',
  created     TEXT NOT NULL,
  started     TEXT,
  finished    TEXT,
  updated     TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  result      TEXT,
  error       TEXT,
  checkpoint  TEXT,
  cancel_requested TEXT,
  problem     TEXT,
  held        INTEGER NOT NULL DEFAULT 0,
  parent_id   TEXT,
  awaiting_subtasks INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);
CREATE INDEX IF NOT EXISTS jobs_process ON jobs(process_id);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs(finished);
`;
/** Indexes on columns added after the first release: created once the columns exist. */
const LATER_INDEXES = `CREATE INDEX IF NOT EXISTS jobs_parent ON jobs(parent_id);`;

export class SqliteJobStore implements JobStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #get: Database.Statement<[string], Row>;
  readonly #unfinished: Database.Statement<[], Row>;
  readonly #expired: Database.Statement<[string], Row>;
  readonly #delete: Database.Statement<[string]>;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    // WAL + NORMAL: durable across process crashes, which is what job records need.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    addMissingColumns(this.#db);
    this.#db.exec(LATER_INDEXES);
    this.#insert = this.#db.prepare(
      `INSERT INTO jobs (id, process_id, input, status, priority, group_name, depends_on, progress,
        message, created, updated, attempts, parent_id) VALUES (@id, @processId, @input, @status,
        @priority, @group, @dependsOn, @progress, @message, @created, @updated, @attempts,
        @parentId)`,
    );
    this.#get = this.#db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.#unfinished = this.#db.prepare(
      `SELECT * FROM jobs WHERE status IN ('accepted', 'running') ORDER BY sequence`,
    );
    this.#expired = this.#db.prepare(
      `SELECT * FROM jobs WHERE finished IS NOT NULL AND finished < ? ORDER BY sequence`,
    );
    this.#delete = this.#db.prepare('DELETE FROM jobs WHERE id = ?');
  }

  insert(job: NewJob): JobRecord {
    this.#insert.run({
      ...job,
      input: JSON.stringify(job.input ?? null),
      dependsOn: JSON.stringify(job.dependsOn),
    });
    return this.get(job.id) as JobRecord;
  }

  get(id: string): JobRecord | undefined {
    const row = this.#get.get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Writes the given fields; `updated` is always set. */
  update(
    id: string,
    fields: Partial<Omit<JobRecord, 'id' | 'sequence' | 'processId' | 'created'>>,
  ): void {
    const columns: string[] = [];
    const values: Record<string, unknown> = { id };
    for (const [key, value] of Object.entries({
      ...fields,
      updated: fields.updated ?? new Date().toISOString(),
    })) {
      const column = COLUMN[key as keyof typeof COLUMN];
      if (column === undefined) continue;
      columns.push(`${column} = @${key}`);
      values[key] = JSON_COLUMNS.has(key)
        ? value === undefined
          ? null
          : JSON.stringify(value)
        : typeof value === 'boolean'
          ? Number(value)
          : value;
    }
    // Statements are cached by SQL text inside better-sqlite3's prepare, but keep our own map
    // so each distinct field set is prepared exactly once.
    this.#prepared(`UPDATE jobs SET ${columns.join(', ')} WHERE id = @id`).run(values);
  }

  /** The subtasks of a job, oldest first. */
  children(parentId: string): JobRecord[] {
    return (
      this.#prepared('SELECT * FROM jobs WHERE parent_id = ? ORDER BY sequence').all(
        parentId,
      ) as Row[]
    ).map(fromRow);
  }

  /** How many jobs of a group are in each state. */
  groupCounts(group: string): Partial<Record<JobStatus, number>> {
    const rows = this.#prepared(
      'SELECT status, count(*) AS n FROM jobs WHERE group_name = ? GROUP BY status ORDER BY status',
    ).all(group) as { status: JobStatus; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  /** Ids of the jobs that depend on `id`, oldest first. */
  dependants(id: string): string[] {
    return (
      this.#prepared(
        `SELECT id FROM jobs WHERE EXISTS (SELECT 1 FROM json_each(depends_on) WHERE value = ?)
         ORDER BY sequence`,
      ).all(id) as { id: string }[]
    ).map((row) => row.id);
  }

  unfinished(): JobRecord[] {
    return this.#unfinished.all().map(fromRow);
  }

  finishedBefore(isoTime: string): JobRecord[] {
    return this.#expired.all(isoTime).map(fromRow);
  }

  delete(id: string): void {
    this.#delete.run(id);
  }

  list(query: JobQuery): { jobs: JobRecord[]; total: number } {
    // The routes validate these; a caller that does not must get an error, not an SQLite one.
    if (!Number.isSafeInteger(query.limit) || query.limit < 1)
      throw new RangeError(`job list limit must be an integer from 1 to ${MAX_JOB_OFFSET}`);
    if (!Number.isSafeInteger(query.offset) || query.offset < 0)
      throw new RangeError(`job list offset must be an integer from 0 to ${MAX_JOB_OFFSET}`);
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.status !== undefined && query.status.length > 0) {
      where.push(`status IN (${query.status.map(() => '?').join(', ')})`);
      values.push(...query.status);
    }
    if (query.processId !== undefined && query.processId.length > 0) {
      where.push(`process_id IN (${query.processId.map(() => '?').join(', ')})`);
      values.push(...query.processId);
    }
    if (query.group !== undefined && query.group.length > 0) {
      where.push(`group_name IN (${query.group.map(() => '?').join(', ')})`);
      values.push(...query.group);
    }
    if (query.minPriority !== undefined) {
      where.push('priority >= ?');
      values.push(query.minPriority);
    }
    if (query.maxPriority !== undefined) {
      where.push('priority <= ?');
      values.push(query.maxPriority);
    }
    if (query.createdAfter !== undefined) {
      where.push('created > ?');
      values.push(query.createdAfter);
    }
    if (query.createdBefore !== undefined) {
      where.push('created < ?');
      values.push(query.createdBefore);
    }
    const order = ORDER_BY[query.sortBy ?? '-created'];
    if (order === undefined) throw new RangeError(`unknown job sort order ${query.sortBy}`);
    const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const total = (
      this.#prepared(`SELECT count(*) AS n FROM jobs ${clause}`).get(...values) as { n: number }
    ).n;
    const rows = this.#prepared(
      `SELECT * FROM jobs ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`,
    ).all(...values, query.limit, query.offset) as Row[];
    return { jobs: rows.map(fromRow), total };
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  readonly #statements = new Map<string, Database.Statement>();

  #prepared(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

const COLUMN = {
  status: 'status',
  priority: 'priority',
  group: 'group_name',
  dependsOn: 'depends_on',
  progress: 'progress',
  message: 'message',
  started: 'started',
  finished: 'finished',
  updated: 'updated',
  attempts: 'attempts',
  result: 'result',
  error: 'error',
  checkpoint: 'checkpoint',
  input: 'input',
  cancelRequested: 'cancel_requested',
  problem: 'problem',
  held: 'held',
  awaitingSubtasks: 'awaiting_subtasks',
} as const;

/** Columns added after the first release: a data dir written by an older server gets them. */
const ADDED_COLUMNS: Record<string, string> = {
  cancel_requested: 'TEXT',
  problem: 'TEXT',
  held: 'INTEGER NOT NULL DEFAULT 0',
  parent_id: 'TEXT',
  awaiting_subtasks: 'INTEGER NOT NULL DEFAULT 0',
};

function addMissingColumns(db: Database.Database): void {
  const present = new Set(
    (db.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map((c) => c.name),
  );
  for (const [name, type] of Object.entries(ADDED_COLUMNS)) {
    if (!present.has(name)) db.exec(`ALTER TABLE jobs ADD COLUMN ${name} ${type}`);
  }
}

const JSON_COLUMNS = new Set(['dependsOn', 'result', 'checkpoint', 'input', 'problem']);

function fromRow(row: Row): JobRecord {
  return {
    id: row.id,
    processId: row.process_id,
    input: JSON.parse(row.input) as unknown,
    status: row.status,
    priority: row.priority,
    group: row.group_name,
    dependsOn: JSON.parse(row.depends_on) as string[],
    progress: row.progress,
    message: row.message,
    created: row.created,
    started: row.started,
    finished: row.finished,
    updated: row.updated,
    attempts: row.attempts,
    result: row.result === null ? undefined : (JSON.parse(row.result) as unknown),
    error: row.error,
    checkpoint: row.checkpoint === null ? undefined : (JSON.parse(row.checkpoint) as unknown),
    cancelRequested: row.cancel_requested ?? null,
    problem: row.problem === null ? null : (JSON.parse(row.problem) as JobProblem),
    held: row.held === 1,
    parentId: row.parent_id ?? null,
    awaitingSubtasks: row.awaiting_subtasks === 1,
    sequence: row.sequence,
  };
}
