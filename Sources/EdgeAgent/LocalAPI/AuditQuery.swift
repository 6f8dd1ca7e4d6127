import Foundation
import GRDB
import Hummingbird

/// Which audit records `GET /v1/audit` lists: newest first, at most `limit`, optionally only those at or after
/// `since`, of one `action`, or by one `actor`.
public struct AuditQuery: Sendable, Equatable {
    public var limit: Int
    public var since: Date?
    public var action: String?
    public var actor: String?

    public init(limit: Int = 100, since: Date? = nil, action: String? = nil, actor: String? = nil) {
        self.limit = limit
        self.since = since
        self.action = action
        self.actor = actor
    }
}

extension SiteStore {
    /// Audit records matching `query`, newest first.
    public func auditRecords(_ query: AuditQuery) throws(StoreError) -> [AuditRecord] {
        try read { db in
            var request = AuditRecord.all()
            if let since = query.since { request = request.filter(Column("recordedAt") >= since) }
            if let action = query.action { request = request.filter(Column("action") == action) }
            if let actor = query.actor { request = request.filter(Column("actor") == actor) }
            return try request.order(Column("id").desc).limit(query.limit).fetchAll(db)
        }
    }
}

extension SiteController {
    public func auditRecords(_ query: AuditQuery) throws(StoreError) -> [AuditRecord] {
        try store.auditRecords(query)
    }
}

extension LocalAPI {
    /// `?limit=&since=&action=&actor=`, or 400 naming the parameter that is wrong.
    static func auditQuery(_ request: Request) throws -> AuditQuery {
        var query = AuditQuery(limit: try limitParameter(request, default: 100))
        let parameters = request.uri.queryParameters
        if let text = parameters.get("since") {
            guard let since = parseTimestamp(text) else {
                throw APIError(status: .badRequest, message: "since '\(text)' is not an ISO 8601 time; use e.g. 2026-11-23T07:00:00Z")
            }
            query.since = since
        }
        query.action = parameters.get("action").flatMap { $0.isEmpty ? nil : $0 }
        query.actor = parameters.get("actor").flatMap { $0.isEmpty ? nil : $0 }
        return query
    }

    /// ISO 8601 with or without fractional seconds.
    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
