import Foundation

extension SiteController {
    /// Sessions matching `query` as `GET /v1/sessions` lists them (owners' idTags masked).
    public func sessions(matching query: SessionQuery) throws(StoreError) -> [SessionSummary] {
        let now = Date()
        return try store.sessions(matching: query).map { SessionSummary($0, now: now) }
    }

    /// The sessions matching `query`, oldest first, written as CSV or XML (`GET /v1/sessions/export`).
    public func exportSessions(matching query: SessionQuery, format: SessionExportFormat) throws(StoreError) -> String {
        var query = query
        query.newestFirst = false
        let now = Date()
        let rows = try store.sessions(matching: query).map { SessionExportRow($0, now: now) }
        switch format {
        case .csv: return SessionExport.csv(rows)
        case .xml: return SessionExport.xml(rows, station: configuration.station.identity, from: query.from, to: query.to)
        }
    }
}
