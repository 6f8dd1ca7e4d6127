import Foundation
import GRDB
import OCPP

/// An authorization waiting for its compartment's door to close (a remote start or a reservation holder's card
/// on a free compartment): the session starts as the driver shuts the door, or the hold runs out after
/// ConnectionTimeOut. Committed before the remote start is answered (migration "R-held-authorizations").
struct HeldAuthorization: Sendable, Equatable {
    var idTag: String
    var outcome: AuthorizationOutcome
    var method: SessionAuthorizationMethod
    var reservationId: Int?
    var until: Date
}

enum HeldAuthorizationStoreSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "heldAuthorization") { t in
            t.primaryKey("compartment", .text)
            t.column("idTag", .text).notNull()
            t.column("parentIdTag", .text)
            // AuthorizationSource and SessionAuthorizationMethod raw values; only accepted idTags are held.
            t.column("source", .text).notNull()
            t.column("method", .text).notNull()
            t.column("reservationId", .integer)
            t.column("until", .datetime).notNull()
        }
    }
}

extension SiteStore {
    func saveHeldAuthorization(_ held: HeldAuthorization, compartment: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO heldAuthorization (compartment, idTag, parentIdTag, source, method, reservationId, until)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    compartment, held.idTag, held.outcome.parentIdTag, held.outcome.source.rawValue, held.method.rawValue,
                    held.reservationId, held.until,
                ])
        }
    }

    func deleteHeldAuthorization(compartment: String) throws(StoreError) {
        try write { db in try db.execute(sql: "DELETE FROM heldAuthorization WHERE compartment = ?", arguments: [compartment]) }
    }

    /// Every stored hold by compartment; a row this build cannot read is left out.
    func heldAuthorizations() throws(StoreError) -> [String: HeldAuthorization] {
        try read { db in
            var held: [String: HeldAuthorization] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM heldAuthorization") {
                guard let source = AuthorizationSource(rawValue: row["source"]),
                      let method = SessionAuthorizationMethod(rawValue: row["method"]) else { continue }
                held[row["compartment"]] = HeldAuthorization(
                    idTag: row["idTag"],
                    outcome: AuthorizationOutcome(status: .accepted, parentIdTag: row["parentIdTag"], source: source),
                    method: method, reservationId: row["reservationId"], until: row["until"])
            }
            return held
        }
    }
}
