import Foundation
import GRDB
import ResetPressEngine

/// Job runs in SQLite, one row per job name, so intervals and `run_once` survive restarts.
public struct SQLiteJobStateStore: JobStateStore {
    let pool: DatabasePool

    public func all() async throws -> [JobState] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, last_run_at, last_status, runs FROM job_runs ORDER BY name").map { row in
                JobState(
                    name: try row.decode(forColumn: "name"),
                    lastRunAt: try row.optionalDate("last_run_at"),
                    lastStatus: try row.decode(forColumn: "last_status"),
                    runs: try row.decode(forColumn: "runs"))
            }
        }
    }

    public func recordRun(name: String, at date: Date, status: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job_runs (name, last_run_at, last_status, runs) VALUES (?, ?, ?, 1)
                    ON CONFLICT(name) DO UPDATE SET
                        last_run_at = excluded.last_run_at, last_status = excluded.last_status, runs = runs + 1
                    """,
                arguments: [name, date.databaseSeconds, status])
        }
    }
}
