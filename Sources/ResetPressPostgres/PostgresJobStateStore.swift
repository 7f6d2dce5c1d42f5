import Foundation
import PostgresNIO
import ResetPressEngine

/// Job runs in PostgreSQL, one row per job name, so intervals and `run_once` survive restarts.
public struct PostgresJobStateStore: JobStateStore {
    let client: PostgresClient

    public func all() async throws -> [JobState] {
        try await client.rows("SELECT name, last_run_at, last_status, runs FROM job_runs ORDER BY name").map { row in
            let (name, lastRunAt, lastStatus, runs) = try row.decode((String, Double, String, Int).self)
            return JobState(name: name, lastRunAt: Date(timeIntervalSince1970: lastRunAt), lastStatus: lastStatus, runs: runs)
        }
    }

    public func recordRun(name: String, at date: Date, status: String) async throws {
        _ = try await client.rows("""
            INSERT INTO job_runs (name, last_run_at, last_status, runs) VALUES (\(name), \(date.databaseSeconds), \(status), 1)
            ON CONFLICT (name) DO UPDATE SET
                last_run_at = excluded.last_run_at, last_status = excluded.last_status, runs = job_runs.runs + 1
            """)
    }
}
